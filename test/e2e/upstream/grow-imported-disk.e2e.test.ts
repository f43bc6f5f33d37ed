// Growing an imported disk whose claim cdi-controller made (CDI v1.66.0). CDI asks for more than the DataVolume's
// size on a Filesystem claim: its filesystem overhead (pkg/controller/datavolume/util.go, renderPvcSpecVolumeSize →
// pkg/controller/common/util.go InflateSizeWithOverhead → pkg/util/util.go GetRequiredSpace, global overhead 0.06 in
// pkg/common/common.go). Issue 16 item 4: growth compares the DataVolume's own size, not the inflated claim, so a
// growth under the overhead still reaches the claim, and the claim keeps CDI's proportion of request to size.
// The DataVolume's spec is immutable (pkg/apiserver/webhooks/datavolume-validate.go), so the claim is what grows;
// the simulated CSI resizer (test/simulator/pvc-binder.ts) then grows its capacity.
import { R, apply, createNamespace, deleteNamespace, getJson, kubectlOk, waitFor, wukongManifest } from "../support/kube";

const NAME = "grown";
const CLAIM = `${NAME}-system`;
const GiB = 2n ** 30n;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("up-grow");
});
afterAll(() => deleteNamespace(ns));

/** ceil(a × b / c), in whole bytes. */
const scaled = (a: bigint, b: bigint, c: bigint) => (a * b + c - 1n) / c;

test("a 1Gi imported disk: cdi-controller's claim asks for the size with its filesystem overhead", async () => {
  // local-path's StorageProfile says Filesystem (test/stack/cluster/upstream/cdi-config.yaml); the stopped Wukong's import
  // is what makes the claim, so no launcher pod is needed.
  await apply(
    ns,
    wukongManifest(NAME, {
      cpu: 1,
      memory: "1Gi",
      startStrategy: { autoStart: false },
      disks: [{ name: "system", size: "1Gi", image: "docker://quay.io/containerdisks/debian:12", storageClassName: "local-path" }],
    }),
  );
  const claim = await waitFor(() => getJson(R.pvc, CLAIM, ns).catch(() => undefined), {
    describe: `pvc/${CLAIM} made by cdi-controller and Bound`,
    until: pvc => pvc?.status?.phase === "Bound",
    timeoutMs: 60_000,
  });
  expect(claim!.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "DataVolume", name: CLAIM })]);
  // GetRequiredSpace(0.06, 1Gi): ceil(1Gi × 1.06).
  expect(claim!.spec.resources.requests.storage).toBe(String(scaled(GiB, 106n, 100n)));
});

test("1Gi → 1050Mi (less than the overhead): the claim grows, in CDI's proportion, and the DataVolume keeps its size", async () => {
  const before = await getJson(R.pvc, CLAIM, ns);
  const request = BigInt(before.spec.resources.requests.storage);
  await kubectlOk([
    "patch",
    R.wukong,
    NAME,
    "-n",
    ns,
    "--type",
    "json",
    "-p",
    JSON.stringify([{ op: "replace", path: "/spec/disks/0/size", value: "1050Mi" }]),
  ]);

  const expected = String(scaled(1050n * 2n ** 20n, request, GiB));
  const grown = await waitFor(() => getJson(R.pvc, CLAIM, ns), {
    describe: `pvc/${CLAIM} request ${expected}`,
    until: pvc => pvc.spec.resources.requests.storage === expected,
    timeoutMs: 30_000,
  });
  expect(grown.metadata.annotations["vm.novasphere.dev/disk-size"]).toBe("1050Mi");
  // Never below what CDI itself would ask for the new size.
  expect(BigInt(expected)).toBeGreaterThanOrEqual(scaled(1050n * 2n ** 20n, 106n, 100n));
  expect((await getJson(R.dv, CLAIM, ns)).spec.storage.resources.requests.storage).toBe("1Gi");
  await waitFor(() => getJson(R.pvc, CLAIM, ns), {
    describe: `pvc/${CLAIM} capacity ${expected} (the simulated CSI resizer)`,
    until: pvc => pvc.status?.capacity?.storage === expected,
    timeoutMs: 30_000,
  });
});

test("1050Mi → 2Gi: the claim grows again from the size it holds, not from the DataVolume's", async () => {
  const request = BigInt((await getJson(R.pvc, CLAIM, ns)).spec.resources.requests.storage);
  await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/disks/0/size", value: "2Gi" }])]);
  const expected = String(scaled(2n * GiB, request, 1050n * 2n ** 20n));
  const grown = await waitFor(() => getJson(R.pvc, CLAIM, ns), {
    describe: `pvc/${CLAIM} request ${expected}`,
    until: pvc => pvc.spec.resources.requests.storage === expected,
    timeoutMs: 30_000,
  });
  expect(grown.metadata.annotations["vm.novasphere.dev/disk-size"]).toBe("2Gi");
  expect(BigInt(expected)).toBeGreaterThanOrEqual(scaled(2n * GiB, 106n, 100n));
});
