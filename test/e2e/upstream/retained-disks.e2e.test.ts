// Retained disks (spec.disks[].retainOnDelete, issue 17 item 4) on the real controllers: cdi-controller (CDI v1.66.0)
// makes the imported disk's claim and controls it by its DataVolume (pkg/controller/datavolume/controller-base.go,
// newPersistentVolumeClaim), kube-controller-manager's garbage collector deletes what the Wukong owns, and
// virt-controller (KubeVirt v1.7.4) boots the adopted volumes. While the Wukong lives a retained volume carries no
// ownerReference to it (lib/reconcile/retain.ts): the Wukong is deleted with `--cascade=foreground`, where the
// garbage collector deletes every dependent at once (k8s.io/kubernetes pkg/controller/garbagecollector/
// garbagecollector.go, attemptToDeleteItem), before the operator's finalizer runs, and still nothing retained goes.
import {
  type Obj,
  R,
  apply,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  list,
  tryApply,
  waitFor,
  waitForPhase,
  wukongManifest,
} from "../support/kube";

const NAME = "keeper";
const RETAINED = `vm.novasphere.dev/retained-from=${NAME}`;
const OWNER_UID = "vm.novasphere.dev/owner-uid";
const IMAGE = "docker://quay.io/containerdisks/debian:12";
let ns: string;

const disks = (retain: boolean, data: Obj = {}) => [
  { name: "system", size: "1Gi", image: IMAGE, storageClassName: "local-path", ...(retain && { retainOnDelete: true }) },
  { name: "data", size: "2Gi", storageClassName: "local-path", ...(retain && { retainOnDelete: true }), ...data },
  { name: "scratch", size: "1Gi", storageClassName: "local-path" },
];
const manifest = (retain: boolean, data: Obj = {}) => wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: disks(retain, data) });

/** What must be the same volume before and after: the objects' uids and the PersistentVolumes behind the claims. */
interface Identity {
  dataVolume: string;
  systemClaim: string;
  dataClaim: string;
  systemVolume: string;
  dataVolumeName: string;
}
let kept: Identity;

beforeAll(async () => {
  ns = await createNamespace("up-retain");
});
afterAll(() => deleteNamespace(ns));

test("while it runs, a retained disk's volume has no ownerReference to its Wukong, only the Wukong's uid", async () => {
  await apply(ns, manifest(true));
  const running = await waitForPhase(ns, NAME, "Running", 120_000);
  const uid = running.metadata.uid;

  const dataVolume = await getJson(R.dv, `${NAME}-system`, ns);
  expect(dataVolume.status.phase).toBe("Succeeded");
  expect(dataVolume.metadata.ownerReferences ?? []).toEqual([]);
  expect(dataVolume.metadata.annotations[OWNER_UID]).toBe(uid);
  const systemClaim = await getJson(R.pvc, `${NAME}-system`, ns);
  expect(systemClaim.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "DataVolume", uid: dataVolume.metadata.uid, controller: true })]);
  const dataClaim = await getJson(R.pvc, `${NAME}-data`, ns);
  expect(dataClaim.metadata.ownerReferences ?? []).toEqual([]);
  expect(dataClaim.metadata.annotations[OWNER_UID]).toBe(uid);
  const scratch = await getJson(R.pvc, `${NAME}-scratch`, ns);
  expect(scratch.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Wukong", uid })]);

  kept = {
    dataVolume: dataVolume.metadata.uid,
    systemClaim: systemClaim.metadata.uid,
    dataClaim: dataClaim.metadata.uid,
    systemVolume: systemClaim.spec.volumeName,
    dataVolumeName: dataClaim.spec.volumeName,
  };
  expect(kept.systemVolume).toMatch(/^pvc-/);
});

test("kubectl delete --cascade=foreground: the Wukong and its other children go, the retained volumes stay, labelled", async () => {
  await kubectlOk(["delete", R.wukong, NAME, "-n", ns, "--cascade=foreground", "--timeout=120s"], { timeoutMs: 130_000 });
  expect(await getJsonOrUndefined(R.wukong, NAME, ns)).toBeUndefined();
  await waitFor(() => getJsonOrUndefined(R.pvc, `${NAME}-scratch`, ns), { describe: `pvc/${NAME}-scratch deleted`, until: pvc => pvc === undefined });
  await waitFor(() => getJsonOrUndefined(R.vm, NAME, ns), { describe: `vm/${NAME} deleted`, until: vm => vm === undefined });

  const dataVolumes = await list(R.dv, ns, RETAINED);
  const claims = await list(R.pvc, ns, RETAINED);
  expect(dataVolumes.map(dv => dv.metadata.uid)).toEqual([kept.dataVolume]);
  expect(claims.map(pvc => pvc.metadata.uid).sort()).toEqual([kept.systemClaim, kept.dataClaim].sort());
  for (const object of [...dataVolumes, ...claims]) {
    expect(object.metadata.deletionTimestamp).toBeUndefined();
    expect(object.metadata.annotations?.[OWNER_UID]).toBeUndefined();
  }
  expect(dataVolumes[0].status.phase).toBe("Succeeded");
  for (const claim of claims) expect(claim.status.phase).toBe("Bound");
});

test("a new Wukong of the same name is denied, naming each field, when it would not fit the retained volumes", async () => {
  // The blank disk as an imported one (CDI would refuse the claim it does not own), and smaller than it is; the
  // imported disk at 1Gi is no shrink: its DataVolume holds 1Gi although CDI's claim asks 1Gi and its overhead.
  const result = await tryApply(ns, manifest(false, { size: "1Gi", image: IMAGE }));
  expect(result.code).not.toBe(0);
  expect(result.stderr).toContain(
    `spec.disks[1].image: PersistentVolumeClaim ${NAME}-data exists as a blank volume, retained from Wukong ${NAME}: an imported disk needs a DataVolume of that name`,
  );
  expect(result.stderr).toContain(
    `spec.disks[1].size: cannot be 1Gi: below the current size 2Gi of PersistentVolumeClaim ${NAME}-data, retained from Wukong ${NAME}`,
  );
  expect(result.stderr).not.toContain("spec.disks[0]");
  expect(await getJsonOrUndefined(R.wukong, NAME, ns)).toBeUndefined();
});

test("a new Wukong of the same name adopts them, is not imported again, and boots with them", async () => {
  await apply(ns, manifest(false));
  const running = await waitForPhase(ns, NAME, "Running", 120_000);
  const uid = running.metadata.uid;

  const dataVolume = await getJson(R.dv, `${NAME}-system`, ns);
  const systemClaim = await getJson(R.pvc, `${NAME}-system`, ns);
  const dataClaim = await getJson(R.pvc, `${NAME}-data`, ns);
  expect({
    dataVolume: dataVolume.metadata.uid,
    systemClaim: systemClaim.metadata.uid,
    dataClaim: dataClaim.metadata.uid,
    systemVolume: systemClaim.spec.volumeName,
    dataVolumeName: dataClaim.spec.volumeName,
  }).toEqual(kept);
  for (const owned of [dataVolume, dataClaim]) {
    expect(owned.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Wukong", uid, controller: true })]);
    expect(owned.metadata.labels["vm.novasphere.dev/retained-from"]).toBeUndefined();
  }
  expect(systemClaim.metadata.labels["vm.novasphere.dev/retained-from"]).toBeUndefined();
  expect(dataVolume.status.phase).toBe("Succeeded");

  const vmi = await getJson(R.vmi, NAME, ns);
  const volumes = vmi.spec.volumes.map((v: Obj) => v.dataVolume?.name ?? v.persistentVolumeClaim?.claimName).filter(Boolean);
  expect(volumes).toEqual(expect.arrayContaining([`${NAME}-system`, `${NAME}-data`, `${NAME}-scratch`]));
  const messages = (await eventsFor(ns, "Wukong", NAME)).map(e => e.message).join("\n");
  expect(messages).toContain(`DataVolume ${NAME}-system (retained from Wukong ${NAME})`);
  expect(messages).toContain(`PersistentVolumeClaim ${NAME}-data (retained from Wukong ${NAME})`);
});
