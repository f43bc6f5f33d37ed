// Disks on a WaitForFirstConsumer StorageClass (issue 17 item 5) on the real controllers. local-wffc
// (test/stack/cluster/upstream/storage.yaml) binds at first consumer: kube-scheduler v1.36.3 annotates a claim
// volume.kubernetes.io/selected-node when it places the first pod that uses it
// (pkg/scheduler/framework/plugins/volumebinding/binder.go, AssumePodVolumes), and only then does the simulated CSI
// provisioner make the volume, on that node, as the external-provisioner does
// (sig-storage-lib-external-provisioner controller/controller.go, shouldProvision). CDI v1.66.0 with its
// HonorWaitForFirstConsumer gate on (test/stack/cluster/upstream/cdi-config.yaml, as the released cdi-cr) keeps the
// import's DataVolume in WaitForFirstConsumer (pkg/controller/datavolume/controller-base.go,
// shouldBeMarkedWaitForFirstConsumer); started, virt-controller v1.7.4 schedules a temporary launcher pod to bind it
// (pkg/virt-controller/watch/vmi/lifecycle.go, "Scheduling temporary pod for WaitForFirstConsumer DV"). With the gate
// off, CDI does not wait: its importer pod binds the claim at once (pkg/controller/import-controller.go,
// shouldReconcilePVC; through a populator the claim also asks immediate binding, pkg/controller/common/util.go
// AddImmediateBindingAnnotationIfWFFCDisabled, not for local-path, which is no CSI class): admission says so, from
// CDIConfig's gates (lib/admission/first-consumer-checks.ts).
import {
  type Obj,
  R,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  getJson,
  kubectl,
  kubectlOk,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "../support/kube";

const NAME = "lazy";
const CLASS = "local-wffc";
const IMAGE = "docker://quay.io/containerdisks/debian:12";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
let ns: string;

const halted = (name: string, disks: Obj[]) => wukongManifest(name, { cpu: 1, memory: "1Gi", startStrategy: { autoStart: false }, disks });
const systemDisk = { name: "system", size: "1Gi", image: IMAGE, storageClassName: CLASS };
const dataDisk = { name: "data", size: "1Gi", storageClassName: CLASS };
const phases = (wk: Obj) => (wk.status?.volumes ?? []).map((v: Obj) => `${v.name}:${v.phase}`);

/** CDIConfig `config`'s feature gates, which cdi-controller reads (pkg/feature-gates/feature-gates.go). */
const setCdiGates = (gates: string[]) =>
  kubectlOk(["patch", "cdiconfig", "config", "--type", "merge", "-p", JSON.stringify({ spec: { featureGates: gates } })]);

beforeAll(async () => {
  ns = await createNamespace("up-wffc");
});
afterAll(async () => {
  await setCdiGates(["HonorWaitForFirstConsumer"]);
  await deleteNamespace(ns);
});

test("a Halted Wukong on WaitForFirstConsumer storage reports each volume waiting and says its disks bind at first start", async () => {
  await apply(ns, halted(NAME, [systemDisk, dataDisk]));
  const stopped = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} with both volumes WaitingForFirstConsumer`,
    until: wk => phases(wk).join() === "system:WaitingForFirstConsumer,data:WaitingForFirstConsumer",
    timeoutMs: 60_000,
  });
  expect(stopped.status.phase).toBe("Stopped");
  expect(stopped.status.message).toContain(`Disks system and data bind when the VM starts (StorageClass ${CLASS}: WaitForFirstConsumer).`);
  expect(condition(stopped, "VolumesBound")).toMatchObject({ status: "False", reason: "WaitingForFirstConsumer" });

  expect((await getJson(R.dv, `${NAME}-system`, ns)).status.phase).toBe("WaitForFirstConsumer");
  for (const disk of ["system", "data"]) {
    const claim = await getJson(R.pvc, `${NAME}-${disk}`, ns);
    expect(claim.status.phase).toBe("Pending");
    expect(claim.spec.volumeName ?? "").toBe("");
    expect(claim.metadata.annotations?.[SELECTED_NODE]).toBeUndefined();
    expect(claim.metadata.annotations?.["cdi.kubevirt.io/storage.bind.immediate.requested"]).toBeUndefined();
  }
});

test("started, its disks bind on the node kube-scheduler picked, the image is imported there, and it goes Running", async () => {
  await kubectlOk([
    "patch",
    R.wukong,
    NAME,
    "-n",
    ns,
    "--type",
    "merge",
    "-p",
    JSON.stringify({ spec: { startStrategy: { runStrategy: "Always", autoStart: true } } }),
  ]);
  const running = await waitForPhase(ns, NAME, "Running", 150_000);
  expect(phases(running)).toEqual(["system:Bound", "data:Bound"]);
  expect(condition(running, "VolumesBound")).toMatchObject({ status: "True" });
  const node = running.status.nodeName;
  expect(["sim-node-1", "sim-node-2"]).toContain(node);

  expect((await getJson(R.dv, `${NAME}-system`, ns)).status.phase).toBe("Succeeded");
  for (const disk of ["system", "data"]) {
    const claim = await getJson(R.pvc, `${NAME}-${disk}`, ns);
    expect(claim.status.phase).toBe("Bound");
    expect(claim.metadata.annotations[SELECTED_NODE]).toBe(node);
    const volume = await getJson("persistentvolumes", claim.spec.volumeName, "");
    expect(volume.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0]).toEqual({
      key: "kubernetes.io/hostname",
      operator: "In",
      values: [node],
    });
  }
});

test("with CDI's HonorWaitForFirstConsumer gate off, admission says what it means, and the import binds at once for CDI's importer pod", async () => {
  await setCdiGates([]);
  const name = `${NAME}-nogate`;
  const manifest = halted(name, [systemDisk]);
  // Admission reads CDIConfig at most every 30 s: a server-side dry run until it has seen the change.
  const dryRun = await waitFor(() => kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "-"], { stdin: manifest }), {
    describe: "admission's warning about CDI's gate",
    until: result => result.code === 0 && result.stderr.includes("HonorWaitForFirstConsumer"),
    timeoutMs: 60_000,
    intervalMs: 2000,
  });
  expect(dryRun.stderr).toContain(
    `Warning: spec.disks[0]: CDI's HonorWaitForFirstConsumer feature gate is off (CDIConfig config): disk system's image is imported at once, and StorageClass ${CLASS} (WaitForFirstConsumer) makes its volume on the node CDI's importer pod runs on`,
  );
  await apply(ns, manifest);
  // No VM runs, yet the claim binds: kube-scheduler placed CDI's importer pod, and the volume was made on its node.
  const claim = await waitFor(() => getJson(R.pvc, `${name}-system`, ns), {
    describe: `pvc/${name}-system bound for the importer pod`,
    until: pvc => pvc.status?.phase === "Bound",
    timeoutMs: 90_000,
  });
  expect(claim.metadata.annotations[SELECTED_NODE]).toMatch(/^sim-node-/);
  await waitFor(() => getJson(R.dv, `${name}-system`, ns), {
    describe: `dv/${name}-system Succeeded`,
    until: dv => dv.status?.phase === "Succeeded",
    timeoutMs: 90_000,
  });
  const stopped = await waitForPhase(ns, name, "Stopped", 60_000);
  expect(phases(stopped)).toEqual(["system:Bound"]);
});
