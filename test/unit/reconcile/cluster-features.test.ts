// The ClusterFeatures condition on a Wukong, and a WukongSnapshot waiting for what KubeVirt needs to take it.
// Upstream pinned: KubeVirt v1.7.4 pkg/virt-config/featuregate/active.go (Snapshot Beta, ExpandDisks Alpha: off
// unless the KubeVirt CR lists them, pkg/virt-config/feature-gates.go), pkg/storage/admitters/vmsnapshot.go
// ("snapshot feature gate not enabled"), pkg/virt-launcher/virtwrap/manager.go (no resize without ExpandDisks),
// and staging/src/kubevirt.io/api/snapshot/v1beta1 (served from v1.3.0 only).
import { EXPAND_DISKS_GATE, KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API, SNAPSHOT_GATE, type ClusterFeatures } from "../../../lib/cluster/features";
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import { snapshotReconciler } from "../../../lib/reconcile/snapshot";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER } from "../../../schemas/wukong";
import type { WukongSnapshotStatus } from "../../../schemas/wukongsnapshot";
import { MemoryCluster } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";
const KEY = `${NAMESPACE}/${NAME}`;
const EVERYTHING: ClusterFeatures = {
  servedApis: new Set([KUBEVIRT_SNAPSHOT_API, KUBEVIRT_CONFIG_API]),
  featureGates: new Set([SNAPSHOT_GATE, EXPAND_DISKS_GATE]),
  kubeVirt: { namespace: "kubevirt", name: "kubevirt" },
  nodeResources: new Set(["nvidia.com/gpu"]),
};

const spec = (overrides: Partial<WukongSpec> = {}): WukongSpec =>
  withDefaults({
    namespace: NAMESPACE,
    name: NAME,
    spec: { cpu: 1, memory: "1Gi", disks: [{ name: "data", size: "10Gi", storageClassName: "longhorn" }], ...overrides } as WukongSpec,
  });

function setup(wukongSpec: WukongSpec, features: ClusterFeatures) {
  const cluster = new MemoryCluster();
  cluster.clusterFeatures = features;
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation: 1, finalizers: [FINALIZER] },
    spec: wukongSpec as unknown as Record<string, unknown>,
  });
  // statusRefreshMs 0: every status change is written at once, so each reconcile shows its verdict.
  return { cluster, reconcile: wukongReconciler(cluster, { now: () => "2026-12-07T12:00:00Z", statusRefreshMs: 0 }) };
}

const condition = (cluster: MemoryCluster) =>
  (cluster.stored("Wukong", NAMESPACE, NAME)!.status as WukongStatus).conditions?.find(c => c.type === "ClusterFeatures");

function grow(cluster: MemoryCluster, size: string) {
  const current = cluster.stored("Wukong", NAMESPACE, NAME)!;
  const next = spec({ disks: [{ name: "data", size, storageClassName: "longhorn" }] });
  cluster.put("Wukong", { ...current, metadata: { ...current.metadata, generation: 2 }, spec: next as unknown as Record<string, unknown> });
}

describe("the ClusterFeatures condition of a Wukong", () => {
  it("is absent from a Wukong that uses no optional feature, whatever the cluster lacks", async () => {
    const { cluster, reconcile } = setup(spec(), { servedApis: new Set(), featureGates: new Set(), nodeResources: new Set() });
    await reconcile(KEY);
    expect(condition(cluster)).toBeUndefined();
  });

  it("names the missing snapshot API for a Wukong restoring from a snapshot", async () => {
    const { cluster, reconcile } = setup(spec({ restoreFromSnapshot: "before" }), { servedApis: new Set() });
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({
      status: "False",
      reason: "SnapshotApiMissing",
      message:
        "spec.restoreFromSnapshot: the cluster does not serve snapshot.kubevirt.io/v1beta1 (VirtualMachineSnapshot, VirtualMachineRestore): snapshots need KubeVirt v1.3.0 or newer",
    });
  });

  it("names the VirtualMachineRestore fields a KubeVirt before v1.6.0 lacks, for a Wukong restoring from a snapshot", async () => {
    // The v1beta1 VirtualMachineRestore spec of KubeVirt v1.5.0 (validations_generated.go at v1.5.0).
    const v150 = new Set(["patches", "target", "targetReadinessPolicy", "virtualMachineSnapshotName"]);
    const { cluster, reconcile } = setup(spec({ restoreFromSnapshot: "before" }), { ...EVERYTHING, restoreSpecFields: v150 });
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({
      status: "False",
      reason: "RestoreFieldsMissing",
      message: expect.stringContaining(
        "has no spec.volumeRestorePolicy, spec.volumeRestoreOverrides, spec.volumeOwnershipPolicy, without which KubeVirt would restore into new claims",
      ),
    });
  });

  it("names the Snapshot gate and the KubeVirt CR to enable it in, and turns True once it is enabled", async () => {
    const { cluster, reconcile } = setup(spec({ restoreFromSnapshot: "before" }), { ...EVERYTHING, featureGates: new Set() });
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({ status: "False", reason: "SnapshotFeatureGateDisabled" });
    expect(condition(cluster)?.message).toContain('adding "Snapshot" to spec.configuration.developerConfiguration.featureGates of KubeVirt kubevirt/kubevirt');
    cluster.clusterFeatures = EVERYTHING;
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({ status: "True", reason: "FeaturesAvailable" });
  });

  it("after a disk grows with ExpandDisks off, says the guest will not see it, until the gate is enabled", async () => {
    const { cluster, reconcile } = setup(spec(), { ...EVERYTHING, featureGates: new Set([SNAPSHOT_GATE]) });
    await reconcile(KEY);
    expect(condition(cluster)).toBeUndefined();
    grow(cluster, "20Gi");
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({ status: "False", reason: "ExpandDisksFeatureGateDisabled" });
    expect(condition(cluster)?.message).toMatch(/^spec\.disks: disk data grew, but the guest does not see the new size .*"ExpandDisks"/);
    // Still so on the next reconcile, which resizes nothing.
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({ status: "False", reason: "ExpandDisksFeatureGateDisabled" });
    cluster.clusterFeatures = EVERYTHING;
    await reconcile(KEY);
    expect(condition(cluster)).toBeUndefined();
  });

  it("names a GPU resource no node offers", async () => {
    const { cluster, reconcile } = setup(spec({ gpus: [{ name: "gpu1", deviceName: "nvidia.com/A10" }] }), EVERYTHING);
    await reconcile(KEY);
    expect(condition(cluster)).toMatchObject({ status: "False", reason: "DeviceResourceMissing" });
    expect(condition(cluster)?.message).toContain("spec.gpus[0].deviceName: no node offers nvidia.com/A10 (status.allocatable) for GPU gpu1");
  });
});

describe("a WukongSnapshot the cluster cannot take", () => {
  function snapshotSetup(features: ClusterFeatures) {
    const { cluster } = setup(spec(), features);
    cluster.put("WukongSnapshot", {
      apiVersion: API_VERSION,
      kind: "WukongSnapshot",
      metadata: { name: "before", namespace: NAMESPACE, uid: "snapshot-uid", generation: 1 },
      spec: { wukongName: NAME },
    });
    return { cluster, reconcile: snapshotReconciler(cluster, { waitingMs: 15_000 }) };
  }
  const statusOf = (cluster: MemoryCluster) => cluster.stored("WukongSnapshot", NAMESPACE, "before")!.status as WukongSnapshotStatus;

  it("waits Pending while the Snapshot gate is off (KubeVirt would refuse it), then takes it once enabled", async () => {
    const { cluster, reconcile } = snapshotSetup({ ...EVERYTHING, featureGates: new Set() });
    expect(await reconcile(`${NAMESPACE}/before`)).toEqual({ requeueAfterMs: 15_000 });
    expect(cluster.stored("VirtualMachineSnapshot", NAMESPACE, "before")).toBeUndefined();
    expect(statusOf(cluster)).toMatchObject({ phase: "Pending", error: expect.stringContaining("KubeVirt's Snapshot feature gate is not enabled") });
    cluster.clusterFeatures = EVERYTHING;
    await reconcile(`${NAMESPACE}/before`);
    expect(cluster.stored("VirtualMachineSnapshot", NAMESPACE, "before")).toBeDefined();
    expect(statusOf(cluster).phase).toBe("InProgress");
  });

  it("waits Pending, naming the API, while snapshot.kubevirt.io/v1beta1 is not served", async () => {
    const { cluster, reconcile } = snapshotSetup({ servedApis: new Set() });
    await reconcile(`${NAMESPACE}/before`);
    expect(cluster.writes.filter(write => write.kind === "VirtualMachineSnapshot")).toEqual([]);
    expect(statusOf(cluster)).toMatchObject({ phase: "Pending", error: expect.stringContaining("does not serve snapshot.kubevirt.io/v1beta1") });
  });
});
