// Live migration through the reconciler: the vm.novasphere.dev/migrate annotation makes one
// VirtualMachineInstanceMigration per value, status.migration follows KubeVirt's phases (kubevirt v1.7.4
// pkg/virt-controller/watch/migration/migration.go, processMigrationPhase) and the VMI's migrationState (written by
// virt-handler, pkg/virt-handler/migration-target.go), and virt-api's refusal
// (pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go) is the user's answer, not an error.
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import { migrationName } from "../../../lib/children/migration";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER, LABELS, MIGRATE_ANNOTATION } from "../../../schemas/wukong";
import { MemoryCluster, apiError } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";
const KEY = `${NAMESPACE}/${NAME}`;
const NOW = "2026-12-07T23:30:00Z";

function setup(accessMode?: "ReadWriteMany") {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("shared", { volumeBindingMode: "Immediate" });
  const spec = withDefaults({
    namespace: NAMESPACE,
    name: NAME,
    spec: { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "10Gi", storageClassName: "shared", accessMode }] } as WukongSpec,
  });
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation: 1, finalizers: [FINALIZER] },
    spec: spec as unknown as Record<string, unknown>,
  });
  const reconcile = wukongReconciler(cluster, { statusRefreshMs: 0, now: () => NOW, nowMs: () => 0 });
  return { cluster, reconcile };
}

const statusOf = (cluster: MemoryCluster) => cluster.stored("Wukong", NAMESPACE, NAME)!.status as WukongStatus;
const evictionStrategyOf = (cluster: MemoryCluster) =>
  (cluster.stored("VirtualMachine", NAMESPACE, NAME)?.spec as { template: { spec: { evictionStrategy?: string } } }).template.spec.evictionStrategy;
const condition = (cluster: MemoryCluster, type: string) => statusOf(cluster).conditions?.find(c => c.type === type);

function runVmi(cluster: MemoryCluster, status: Record<string, unknown> = {}) {
  const claim = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)!;
  cluster.put("PersistentVolumeClaim", { ...claim, status: { phase: "Bound", capacity: { storage: "10Gi" } } });
  const vm = cluster.stored("VirtualMachine", NAMESPACE, NAME)!;
  cluster.put("VirtualMachine", { ...vm, status: { printableStatus: "Running", ready: true } });
  cluster.put("VirtualMachineInstance", {
    metadata: { name: NAME, namespace: NAMESPACE, labels: { [LABELS.wukong]: NAME } },
    status: { phase: "Running", nodeName: "sim-node-1", conditions: [{ type: "LiveMigratable", status: "True" }], ...status },
  });
}

function annotate(cluster: MemoryCluster, value: string) {
  const wukong = cluster.stored("Wukong", NAMESPACE, NAME)!;
  cluster.put("Wukong", { ...wukong, metadata: { ...wukong.metadata, annotations: { [MIGRATE_ANNOTATION]: value } } });
}

function migrationPhase(cluster: MemoryCluster, name: string, status: Record<string, unknown>) {
  const migration = cluster.stored("VirtualMachineInstanceMigration", NAMESPACE, name)!;
  cluster.put("VirtualMachineInstanceMigration", { ...migration, status });
}

// The VM template's evictionStrategy, as virt-api's eviction webhook reads it off the VMI (kubevirt v1.7.4
// pkg/virt-api/webhooks/validating-webhook/admitters/pod-eviction-admitter.go, admitLauncherPod): LiveMigrate only
// where virt-handler can report the VMI LiveMigratable, every claim ReadWriteMany (pkg/virt-handler/vm.go,
// checkVolumesForMigration).
describe("the eviction strategy", () => {
  it("defaults to LiveMigrate on ReadWriteMany disks, and says why", async () => {
    const { cluster, reconcile } = setup("ReadWriteMany");
    await reconcile(KEY);
    expect(evictionStrategyOf(cluster)).toBe("LiveMigrate");
    expect(cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)?.spec?.accessModes).toEqual(["ReadWriteMany"]);
    expect(condition(cluster, "EvictionStrategy")).toMatchObject({
      status: "True",
      reason: "EveryDiskShared",
      message: expect.stringContaining("a node drain live-migrates the VM"),
    });
  });

  it("defaults to None on a ReadWriteOnce disk, naming it", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    expect(evictionStrategyOf(cluster)).toBe("None");
    expect(condition(cluster, "EvictionStrategy")).toMatchObject({
      status: "False",
      reason: "DiskNotShared",
      message: expect.stringContaining('disk "system"'),
    });
  });

  it("copies the VMI's LiveMigratable with KubeVirt's reason", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    const message =
      "cannot migrate VMI: PVC app-01-system is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)";
    runVmi(cluster, { conditions: [{ type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable", message }] });
    await reconcile(KEY);
    expect(condition(cluster, "LiveMigratable")).toMatchObject({ status: "False", reason: "DisksNotLiveMigratable", message: `${message}.` });
  });
});

describe("a migration on request", () => {
  it("makes one VirtualMachineInstanceMigration per annotation value, owned by the Wukong, and follows it to Succeeded", async () => {
    const { cluster, reconcile } = setup("ReadWriteMany");
    await reconcile(KEY);
    runVmi(cluster);
    annotate(cluster, "1");
    await reconcile(KEY);
    const name = migrationName(NAME, "1");
    const migration = cluster.stored("VirtualMachineInstanceMigration", NAMESPACE, name)!;
    expect(migration.spec).toEqual({ vmiName: NAME });
    expect(migration.metadata.labels?.[LABELS.wukong]).toBe(NAME);
    expect(migration.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Wukong", uid: "wukong-uid", controller: true })]);
    expect(statusOf(cluster).migration).toMatchObject({ request: "1", migrationName: name, phase: "Pending" });

    const uid = migration.metadata.uid;
    runVmi(cluster, { migrationState: { migrationUid: uid, sourceNode: "sim-node-1", targetNode: "sim-node-2", startTimestamp: NOW } });
    migrationPhase(cluster, name, { phase: "Running" });
    await reconcile(KEY);
    expect(statusOf(cluster).migration).toMatchObject({
      phase: "Running",
      sourceNode: "sim-node-1",
      targetNode: "sim-node-2",
      message: "Migrating from sim-node-1 to sim-node-2.",
    });

    const done = { migrationUid: uid, sourceNode: "sim-node-1", targetNode: "sim-node-2", startTimestamp: NOW, endTimestamp: NOW, completed: true };
    runVmi(cluster, { nodeName: "sim-node-2", migrationState: done });
    migrationPhase(cluster, name, { phase: "Succeeded", migrationState: done });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({
      nodeName: "sim-node-2",
      migration: { phase: "Succeeded", endTime: NOW, message: "Migrated from sim-node-1 to sim-node-2." },
    });
    expect(cluster.events).toContainEqual(expect.objectContaining({ reason: "Migrated" }));

    // virt-controller garbage-collects finished migrations: the same value never migrates again.
    cluster.remove("VirtualMachineInstanceMigration", NAMESPACE, name);
    await reconcile(KEY);
    expect(cluster.storedOf("VirtualMachineInstanceMigration")).toEqual([]);
    expect(statusOf(cluster).migration).toMatchObject({ request: "1", phase: "Succeeded" });

    annotate(cluster, "2");
    await reconcile(KEY);
    expect(cluster.stored("VirtualMachineInstanceMigration", NAMESPACE, migrationName(NAME, "2"))).toBeDefined();
  });

  it("reports virt-api's refusal as the migration's failure, not the Wukong's error, and does not ask again", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    runVmi(cluster);
    annotate(cluster, "now");
    const denial = 'admission webhook "migration-create-validator.kubevirt.io" denied the request: Cannot migrate VMI, Reason: DisksNotLiveMigratable';
    cluster.failNext("VirtualMachineInstanceMigration", "apply", apiError(422, "Invalid", denial));
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Running");
    expect(statusOf(cluster).migration).toMatchObject({ request: "now", phase: "Failed", message: expect.stringContaining("DisksNotLiveMigratable") });
    const mark = cluster.writes.length;
    await reconcile(KEY);
    expect(cluster.writesSince(mark).filter(w => w.kind === "VirtualMachineInstanceMigration")).toEqual([]);
  });

  it("does not ask KubeVirt to migrate a VM that is not running", async () => {
    const { cluster, reconcile } = setup("ReadWriteMany");
    await reconcile(KEY);
    annotate(cluster, "1");
    await reconcile(KEY);
    expect(cluster.storedOf("VirtualMachineInstanceMigration")).toEqual([]);
    expect(statusOf(cluster).migration).toMatchObject({ phase: "Failed", message: `Nothing to migrate: VM ${NAME} is not running.` });
  });
});

describe("a migration KubeVirt started (a drain)", () => {
  it("shows in status.migration from the VMI's migrationState, with the node being drained", async () => {
    const { cluster, reconcile } = setup("ReadWriteMany");
    await reconcile(KEY);
    runVmi(cluster, { evacuationNodeName: "sim-node-1", migrationState: { migrationUid: "evacuation", sourceNode: "sim-node-1", targetNode: "sim-node-2" } });
    await reconcile(KEY);
    expect(statusOf(cluster).migration).toEqual({
      phase: "Running",
      sourceNode: "sim-node-1",
      targetNode: "sim-node-2",
      message: "Migrating from sim-node-1 to sim-node-2 (node sim-node-1 is being drained).",
    });
  });
});
