// An imported disk on a StorageClass whose CDI StorageProfile has no claim property sets: a provisioner CDI v1.66.0
// does not know (pkg/storagecapabilities/storagecapabilities.go) and no admin has described. Issue 16 item 5: the
// DataVolume asks for ReadWriteOnce itself, so cdi-controller renders its claim without the profile's access modes
// and takes Kubernetes' own volume mode (pkg/controller/datavolume/util.go, renderPvcSpecVolumeModeAndAccessModesAndStorageClass
// and getDefaultVolumeMode); without it CDI stops with ErrClaimNotValid ("no accessMode specified in StorageProfile").
import { R, apply, createNamespace, deleteNamespace, getJson, getJsonOrUndefined, kubectlOk, waitFor, wukongManifest } from "../support/kube";

const NAME = "unprofiled";
const CLAIM = `${NAME}-system`;
const CLASS = "up-unprofiled";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("up-profile");
  await apply(
    ns,
    JSON.stringify({
      apiVersion: "storage.k8s.io/v1",
      kind: "StorageClass",
      metadata: { name: CLASS },
      provisioner: "unprofiled.csi.novasphere.dev",
      volumeBindingMode: "Immediate",
      reclaimPolicy: "Delete",
    }),
  );
});
afterAll(async () => {
  await deleteNamespace(ns);
  await kubectlOk(["delete", "--ignore-not-found", "storageclass", CLASS]);
});

test("cdi-controller's StorageProfile for an unknown provisioner lists no claim property sets", async () => {
  const profile = await waitFor(() => getJsonOrUndefined("storageprofiles.cdi.kubevirt.io", CLASS, ns), {
    describe: `storageprofile/${CLASS} made by cdi-controller`,
    until: p => p?.status?.provisioner === "unprofiled.csi.novasphere.dev",
    timeoutMs: 60_000,
  });
  expect(profile!.status.claimPropertySets ?? []).toEqual([]);
});

test("an imported disk on it still gets a bound ReadWriteOnce Filesystem claim", async () => {
  await apply(
    ns,
    wukongManifest(NAME, {
      cpu: 1,
      memory: "1Gi",
      startStrategy: { autoStart: false },
      disks: [{ name: "system", size: "1Gi", image: "docker://quay.io/containerdisks/debian:12", storageClassName: CLASS }],
    }),
  );
  const dataVolume = await waitFor(() => getJsonOrUndefined(R.dv, CLAIM, ns), { describe: `dv/${CLAIM}`, timeoutMs: 30_000 });
  expect(dataVolume!.spec.storage.accessModes).toEqual(["ReadWriteOnce"]);

  const claim = await waitFor(() => getJsonOrUndefined(R.pvc, CLAIM, ns), {
    describe: `pvc/${CLAIM} made by cdi-controller and Bound`,
    until: pvc => pvc?.status?.phase === "Bound",
    timeoutMs: 60_000,
  });
  expect(claim!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "DataVolume", name: CLAIM })]);
  expect(claim!.spec).toMatchObject({ accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem", storageClassName: CLASS });
  const conditions = (await getJson(R.dv, CLAIM, ns)).status?.conditions ?? [];
  expect(conditions.map((c: { reason?: string }) => c.reason)).not.toContain("ErrClaimNotValid");
});
