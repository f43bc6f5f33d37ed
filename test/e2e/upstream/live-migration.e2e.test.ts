// Live migration on the real KubeVirt v1.7.4 virt-controller and virt-api, with the simulator playing virt-handler
// on both nodes (test/simulator/virt-handler-migration.ts). Issue 17 item 3:
//   - admission denies a LiveMigrate eviction strategy on ReadWriteOnce storage, naming spec.evictionStrategy;
//   - a migration on request: the vm.novasphere.dev/migrate annotation makes a VirtualMachineInstanceMigration,
//     virt-controller (pkg/virt-controller/watch/migration/migration.go) creates the target pod, anti-affine to the
//     source node by kubernetes.io/hostname (createMigrationPodAntiAffinityRule), hands it off in the VMI's
//     migrationState, and the VMI ends on the other node; status.migration says Succeeded;
//   - a migration by drain: `kubectl drain` evicts the virt-launcher pod, virt-api's eviction webhook
//     (pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go, admitLauncherPod) refuses it
//     with 429 and marks the VMI's evacuationNodeName, virt-controller's evacuation controller
//     (pkg/virt-controller/watch/drain/evacuation/evacuation.go) migrates it, and the drain completes once the source
//     launcher has exited.
// The disk is ReadWriteMany on the `shared` class (test/stack/cluster/upstream/shared-storage.yaml): virt-handler
// reports a VMI LiveMigratable only then (pkg/virt-handler/vm.go, checkVolumesForMigration).
import {
  R,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  getJson,
  kubectl,
  kubectlOk,
  list,
  tryApply,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "../support/kube";

const NAME = "mover";
const MIGRATE = "vm.novasphere.dev/migrate";
const NODES = ["sim-node-1", "sim-node-2"];
let ns: string;
let drained: string | undefined;

const spec = (accessMode?: string, evictionStrategy?: string) => ({
  cpu: 1,
  memory: "1Gi",
  disks: [{ name: "system", size: "1Gi", boot: true, storageClassName: "shared", ...(accessMode && { accessMode }) }],
  ...(evictionStrategy && { evictionStrategy }),
});

beforeAll(async () => {
  ns = await createNamespace("up-migrate");
});
afterAll(async () => {
  if (drained) await kubectlOk(["uncordon", drained]);
  await deleteNamespace(ns);
});

const vmiNode = async () => (await getJson(R.vmi, NAME, ns)).status?.nodeName as string | undefined;
const otherNode = (node: string) => NODES.find(n => n !== node)!;

test("admission denies a LiveMigrate eviction on ReadWriteOnce storage, naming the field", async () => {
  const denied = await tryApply(ns, wukongManifest("pinned", spec(undefined, "LiveMigrate")));
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toContain("spec.evictionStrategy");
  // The CRD's CEL rule answers first (schemas/spec.ts); the webhook's copy names the disks (schemas/rules.ts).
  expect(denied.stderr).toContain("LiveMigrate needs every disk's accessMode ReadWriteMany");
});

test("a ReadWriteMany Wukong runs LiveMigratable, with evictionStrategy LiveMigrate by default", async () => {
  await apply(ns, wukongManifest(NAME, spec("ReadWriteMany")));
  await waitForPhase(ns, NAME, "Running", 120_000);
  expect((await getJson(R.vm, NAME, ns)).spec.template.spec.evictionStrategy).toBe("LiveMigrate");
  const running = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} LiveMigratable=True`,
    until: w => condition(w, "LiveMigratable")?.status === "True",
    timeoutMs: 30_000,
  });
  expect(condition(running, "EvictionStrategy")).toMatchObject({ status: "True", reason: "EveryDiskShared" });
});

test("a migration on request: the VMI ends on the other node and status.migration says Succeeded", async () => {
  const source = (await vmiNode())!;
  expect(NODES).toContain(source);
  await kubectlOk(["annotate", R.wukong, NAME, "-n", ns, `${MIGRATE}=first`, "--overwrite"]);
  const done = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} status.migration Succeeded`,
    until: w => ["Succeeded", "Failed"].includes(w.status?.migration?.phase),
    timeoutMs: 120_000,
  });
  expect(done.status.migration).toMatchObject({ request: "first", phase: "Succeeded", sourceNode: source, targetNode: otherNode(source) });
  const migration = await getJson("virtualmachineinstancemigrations.kubevirt.io", done.status.migration.migrationName, ns);
  expect(migration.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Wukong", name: NAME })]);
  expect(await vmiNode()).toBe(otherNode(source));
  await waitFor(() => wukong(ns, NAME), { describe: `wk/${NAME} status.nodeName`, until: w => w.status?.nodeName === otherNode(source), timeoutMs: 30_000 });
  // The source launcher exited; the target one runs on the other node.
  const launchers = await list("pods", ns, "kubevirt.io=virt-launcher");
  expect(launchers.filter(p => p.status.phase === "Running").map(p => p.spec.nodeName)).toEqual([otherNode(source)]);
});

test("a migration by drain: kubectl drain moves the VM off the node and completes", async () => {
  // Without the annotation, status.migration shows the VMI's latest migration, whoever started it.
  await kubectlOk(["annotate", R.wukong, NAME, "-n", ns, `${MIGRATE}-`]);
  const source = (await vmiNode())!;
  drained = source;
  const drain = await kubectl(["drain", source, "--ignore-daemonsets", "--delete-emptydir-data", "--timeout=120s"], { timeoutMs: 150_000 });
  expect(`${drain.stdout}${drain.stderr}`).toContain(`Eviction triggered evacuation of VMI "${ns}/${NAME}"`);
  expect(drain.code).toBe(0);
  expect(await vmiNode()).toBe(otherNode(source));
  const moved = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} status.migration of the drain`,
    until: w => w.status?.nodeName === otherNode(source) && w.status?.migration?.sourceNode === source,
    timeoutMs: 30_000,
  });
  expect(moved.status.phase).toBe("Running");
  expect(moved.status.migration).toMatchObject({ phase: "Succeeded", sourceNode: source, targetNode: otherNode(source) });
  expect(moved.status.migration.request).toBeUndefined();
});
