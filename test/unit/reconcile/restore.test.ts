// Restoring a Wukong from a WukongSnapshot against the in-memory cluster: the VM is stopped first, then a
// VirtualMachineRestore is made, then the VM returns to its run strategy; the same value never restores twice.
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER, LABELS } from "../../../schemas/wukong";
import type { LiveObject } from "../../../lib/cluster/live";
import { MemoryCluster, apiError } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";
const KEY = `${NAMESPACE}/${NAME}`;
const SNAPSHOT = "before-upgrade";
const RESTORE = `${NAME}-${SNAPSHOT}`;
const NOW = "2026-11-29T12:00:00Z";

const spec = (overrides: Partial<WukongSpec> = {}): WukongSpec =>
  withDefaults({
    namespace: NAMESPACE,
    name: NAME,
    spec: { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "10Gi", storageClassName: "longhorn" }], ...overrides } as WukongSpec,
  });

function setup() {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation: 1, finalizers: [FINALIZER] },
    spec: spec() as unknown as Record<string, unknown>,
  });
  const reconcile = wukongReconciler(cluster, { statusRefreshMs: 0, now: () => NOW, nowMs: () => 0 });
  return { cluster, reconcile };
}

const wukongOf = (cluster: MemoryCluster) => cluster.stored("Wukong", NAMESPACE, NAME)!;
const statusOf = (cluster: MemoryCluster) => wukongOf(cluster).status as WukongStatus;
const vmOf = (cluster: MemoryCluster) => cluster.stored("VirtualMachine", NAMESPACE, NAME)!;
const restoreOf = (cluster: MemoryCluster) => cluster.stored("VirtualMachineRestore", NAMESPACE, RESTORE);

/** Plays the PV binder and KubeVirt: the claim binds and the VM runs (or, when Halted, stops). */
function playRuntime(cluster: MemoryCluster): void {
  const claim = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)!;
  cluster.put("PersistentVolumeClaim", { ...claim, status: { phase: "Bound", capacity: { storage: "10Gi" } } });
  const vm = vmOf(cluster);
  const halted = vm.spec?.runStrategy === "Halted";
  cluster.put("VirtualMachine", { ...vm, status: { printableStatus: halted ? "Stopped" : "Running", ready: !halted } });
  if (halted) cluster.remove("VirtualMachineInstance", NAMESPACE, NAME);
  else {
    cluster.put("VirtualMachineInstance", {
      metadata: { name: NAME, namespace: NAMESPACE, labels: { [LABELS.wukong]: NAME } },
      status: { phase: "Running", nodeName: "node-1" },
    });
  }
}

function putSnapshot(cluster: MemoryCluster, status: Record<string, unknown>, wukongName = NAME, name = SNAPSHOT): void {
  cluster.put("WukongSnapshot", {
    apiVersion: API_VERSION,
    kind: "WukongSnapshot",
    metadata: { name, namespace: NAMESPACE, labels: { [LABELS.wukong]: wukongName } },
    spec: { wukongName },
    status,
  });
}

const READY = { phase: "Succeeded", readyToUse: true, snapshotName: SNAPSHOT, disks: ["system"] };

function restoreFrom(cluster: MemoryCluster, snapshot: string | undefined): void {
  const current = wukongOf(cluster);
  const next = { ...(current.spec as unknown as WukongSpec), restoreFromSnapshot: snapshot };
  if (snapshot === undefined) delete next.restoreFromSnapshot;
  cluster.put("Wukong", {
    ...current,
    metadata: { ...current.metadata, generation: (current.metadata.generation ?? 1) + 1 },
    spec: next as unknown as Record<string, unknown>,
  });
}

async function running() {
  const env = setup();
  await env.reconcile(KEY);
  playRuntime(env.cluster);
  await env.reconcile(KEY);
  expect(statusOf(env.cluster).phase).toBe("Running");
  return env;
}

/** A running Wukong asked to restore from a ready snapshot, reconciled up to the given restore phase. */
async function restoreUnderway(until: "Stopping" | "Restoring") {
  const env = await running();
  putSnapshot(env.cluster, READY);
  restoreFrom(env.cluster, SNAPSHOT);
  await env.reconcile(KEY);
  if (until === "Restoring") {
    playRuntime(env.cluster);
    await env.reconcile(KEY);
  }
  expect(statusOf(env.cluster).restore?.phase).toBe(until);
  return env;
}

describe("restore: a KubeVirt whose VirtualMachineRestore lacks our fields", () => {
  // KubeVirt v1.6.0's v1beta1 VirtualMachineRestore spec (validations_generated.go at v1.6.0): no
  // volumeOwnershipPolicy, which the API server would prune, and KubeVirt would give the re-created claims to the VM
  // (createRestorePVC in pkg/storage/snapshot/restore.go).
  const V160 = ["patches", "target", "targetReadinessPolicy", "virtualMachineSnapshotName", "volumeRestoreOverrides", "volumeRestorePolicy"];

  it("makes no VirtualMachineRestore and leaves the VM running, saying why; restores once the fields are served", async () => {
    const { cluster, reconcile } = await running();
    cluster.clusterFeatures = { restoreSpecFields: new Set(V160) };
    putSnapshot(cluster, READY);
    restoreFrom(cluster, SNAPSHOT);
    await reconcile(KEY);
    expect(restoreOf(cluster)).toBeUndefined();
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
    expect(statusOf(cluster).restore).toMatchObject({ snapshotName: SNAPSHOT, phase: "Pending" });
    expect(statusOf(cluster).restore?.message).toContain("has no spec.volumeOwnershipPolicy");

    cluster.clusterFeatures = { restoreSpecFields: new Set([...V160, "volumeOwnershipPolicy"]) };
    await reconcile(KEY);
    expect(statusOf(cluster).restore?.phase).toBe("Stopping");
    playRuntime(cluster);
    await reconcile(KEY);
    expect(restoreOf(cluster)?.spec).toMatchObject({ volumeOwnershipPolicy: "None", volumeRestorePolicy: "InPlace" });
  });
});

describe("restore: the journey", () => {
  it("stops the VM, restores it with a VirtualMachineRestore, then returns it to its run strategy, once", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, READY);
    restoreFrom(cluster, SNAPSHOT);

    // 1. Stop: the VM is Halted, no restore yet (KubeVirt restores only a stopped VM).
    await reconcile(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Halted");
    expect(restoreOf(cluster)).toBeUndefined();
    expect(statusOf(cluster)).toMatchObject({ phase: "Restoring", restore: { snapshotName: SNAPSHOT, phase: "Stopping" } });

    // 2. Stopped: the VirtualMachineRestore is made, owned by the Wukong, restoring in place under our claim names.
    playRuntime(cluster);
    await reconcile(KEY);
    expect(restoreOf(cluster)).toMatchObject({
      kind: "VirtualMachineRestore",
      metadata: { labels: { [LABELS.wukong]: NAME }, ownerReferences: [expect.objectContaining({ kind: "Wukong", uid: "wukong-uid", controller: true })] },
      spec: {
        target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: NAME },
        virtualMachineSnapshotName: SNAPSHOT,
        volumeRestorePolicy: "InPlace",
        volumeRestoreOverrides: [{ volumeName: "system", restoreName: `${NAME}-system` }],
      },
    });
    expect(vmOf(cluster).spec?.runStrategy).toBe("Halted");
    expect(statusOf(cluster)).toMatchObject({ phase: "Restoring", restore: { phase: "Restoring", restoreName: RESTORE } });

    // 3. KubeVirt completes: the VM runs again under the Wukong's run strategy.
    cluster.put("VirtualMachineRestore", { ...restoreOf(cluster)!, status: { complete: true, restoreTime: NOW } });
    await reconcile(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
    expect(statusOf(cluster).restore).toEqual({
      snapshotName: SNAPSHOT,
      restoreName: RESTORE,
      phase: "Succeeded",
      message: `Restored from WukongSnapshot ${SNAPSHOT}; the VM returns to its run strategy.`,
      restoreTime: NOW,
    });
    expect(cluster.events.map(e => e.reason)).toEqual(expect.arrayContaining(["Restoring", "Restored"]));
    playRuntime(cluster);
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Running");

    // 4. The same value again is a no-op: no write, no new restore, even once the restore object is gone.
    const writes = cluster.writes.length;
    await reconcile(KEY);
    cluster.remove("VirtualMachineRestore", NAMESPACE, RESTORE);
    await reconcile(KEY);
    expect(cluster.writes.length).toBe(writes);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
  });

  it("while KubeVirt re-creates a claim in place, the claim is neither re-created nor grown by the operator", async () => {
    const { cluster, reconcile } = await restoreUnderway("Restoring");

    // KubeVirt's InPlace restore deletes the claim before it makes the restored one.
    cluster.remove("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`);
    await reconcile(KEY);
    expect(cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)).toBeUndefined();
    expect(statusOf(cluster).restore?.phase).toBe("Restoring");
  });

  it("a reconcile that fails before the restore step keeps status.restore as it was", async () => {
    const { cluster, reconcile } = await restoreUnderway("Stopping");
    const before = statusOf(cluster).restore;

    // The API server fails the NAD write: the networks step throws, the restore step never runs.
    const current = wukongOf(cluster);
    cluster.put("Wukong", {
      ...current,
      spec: { ...(current.spec as Record<string, unknown>), networks: [{ name: "lan", type: "bridge", macAddress: "02:00:00:00:00:01" }] },
    });
    cluster.failNext("NetworkAttachmentDefinition", "apply", apiError(503, "ServiceUnavailable", "etcd leader changed"));
    await expect(reconcile(KEY)).rejects.toThrow();
    expect(statusOf(cluster).restore).toEqual(before);
  });

  it("clearing the field deletes our VirtualMachineRestore and the restore status", async () => {
    const { cluster, reconcile } = await restoreUnderway("Restoring");
    expect(restoreOf(cluster)).toBeDefined();

    restoreFrom(cluster, undefined);
    await reconcile(KEY);
    expect(restoreOf(cluster)).toBeUndefined();
    expect(statusOf(cluster).restore).toBeUndefined();
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
  });
});

// KubeVirt v1.7.4 pkg/storage/snapshot/restore.go, createRestorePVC: an InPlace restore deletes each claim and makes
// it anew from its VolumeSnapshot, with no ownerReference under volumeOwnershipPolicy None and with the VM as its
// controller otherwise (target.Own); only a DataVolume's claim goes back to its DataVolume.
describe("restore: the re-created claims", () => {
  const CLAIM = `${NAME}-system`;
  const claimOf = (cluster: MemoryCluster) => cluster.stored("PersistentVolumeClaim", NAMESPACE, CLAIM);

  /** Plays KubeVirt's InPlace restore of the claim, with the given owners, up to the restore's completion. */
  async function restoredWith(owners: (vm: LiveObject) => Record<string, unknown>[]) {
    const env = await restoreUnderway("Restoring");
    const { cluster, reconcile } = env;
    expect(restoreOf(cluster)?.spec).toMatchObject({
      volumeOwnershipPolicy: "None",
      volumeRestoreOverrides: [{ volumeName: "system", restoreName: CLAIM, labels: { [LABELS.wukong]: NAME } }],
    });
    const old = claimOf(cluster)!;
    const ownerReferences = owners(vmOf(cluster));
    cluster.remove("PersistentVolumeClaim", NAMESPACE, CLAIM);
    cluster.put("PersistentVolumeClaim", {
      ...old,
      metadata: { name: CLAIM, namespace: NAMESPACE, uid: "restored-claim", labels: old.metadata.labels, ownerReferences } as never,
      status: { phase: "Bound", capacity: { storage: "10Gi" } },
    });
    cluster.put("VirtualMachineRestore", { ...restoreOf(cluster)!, status: { complete: true, restoreTime: NOW } });
    await reconcile(KEY);
    return env;
  }

  const ourController = expect.objectContaining({ kind: "Wukong", name: NAME, uid: "wukong-uid", controller: true });

  it("a claim re-created with no owner is adopted back, so removing its disk later still deletes it", async () => {
    const { cluster, reconcile } = await restoredWith(() => []);
    expect(claimOf(cluster)?.metadata.ownerReferences).toEqual([ourController]);
    expect(cluster.events).toContainEqual(expect.objectContaining({ reason: "Adopted", message: `Adopted PersistentVolumeClaim ${CLAIM}` }));

    const current = wukongOf(cluster);
    cluster.put("Wukong", { ...current, spec: { ...(current.spec as Record<string, unknown>), disks: [{ name: "data", size: "1Gi" }] } });
    await reconcile(KEY);
    expect(claimOf(cluster)).toBeUndefined();
  });

  it("a claim the VM was made controller of is taken back from the VM", async () => {
    const { cluster } = await restoredWith(vm => [
      { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: NAME, uid: vm.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    expect(claimOf(cluster)?.metadata.ownerReferences).toEqual([ourController]);
  });

  it("a claim another controller holds is left alone", async () => {
    const other = { apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", name: CLAIM, uid: "dv-uid", controller: true };
    const { cluster } = await restoredWith(() => [other]);
    expect(claimOf(cluster)?.metadata.ownerReferences).toEqual([other]);
  });
});

describe("restore: a snapshot KubeVirt left disks out of", () => {
  it("restores only the captured disks and says which it did not restore, instead of claiming them", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, { ...READY, includedDisks: [], excludedDisks: ["system"] });
    restoreFrom(cluster, SNAPSHOT);
    await reconcile(KEY);
    playRuntime(cluster);
    await reconcile(KEY);
    expect(restoreOf(cluster)?.spec).toMatchObject({ volumeRestoreOverrides: [] });
    expect(statusOf(cluster).restore?.message).toContain("except disks [system], which KubeVirt left out of the snapshot");

    cluster.put("VirtualMachineRestore", { ...restoreOf(cluster)!, status: { complete: true, restoreTime: NOW } });
    await reconcile(KEY);
    expect(statusOf(cluster).restore).toMatchObject({
      phase: "Succeeded",
      message: `Restored from WukongSnapshot ${SNAPSHOT} except disks [system], which KubeVirt left out of the snapshot and which keep their current data; the VM returns to its run strategy.`,
    });
    expect(cluster.events).toContainEqual(
      expect.objectContaining({ type: "Warning", reason: "Restored", message: expect.stringContaining("except disks [system]") }),
    );
  });
});

describe("restore: an operator restarted mid-restore", () => {
  it("carries on from what the cluster holds: no second VirtualMachineRestore, the VM stays stopped until it completes", async () => {
    const { cluster } = await restoreUnderway("Restoring");
    const made = restoreOf(cluster)!;

    const restarted = wukongReconciler(cluster, { statusRefreshMs: 0, now: () => NOW, nowMs: () => 0 });
    const mark = cluster.writes.length;
    await restarted(KEY);
    expect(cluster.writesSince(mark).filter(write => write.kind === "VirtualMachineRestore")).toEqual([]);
    expect(restoreOf(cluster)?.metadata.uid).toBe(made.metadata.uid);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Halted");

    cluster.put("VirtualMachineRestore", { ...restoreOf(cluster)!, status: { complete: true, restoreTime: NOW } });
    await restarted(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
    expect(statusOf(cluster).restore?.phase).toBe("Succeeded");
  });
});

describe("restore: what stops it", () => {
  it("waits for a snapshot still in progress without stopping the VM", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, { phase: "InProgress", readyToUse: false });
    restoreFrom(cluster, SNAPSHOT);
    await reconcile(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
    expect(statusOf(cluster)).toMatchObject({ phase: "Restoring", restore: { phase: "Pending" } });
    expect(statusOf(cluster).message).toContain("Waiting for WukongSnapshot before-upgrade to be ready");
  });

  it("a missing snapshot is an Error naming it; the VM keeps running", async () => {
    const { cluster, reconcile } = await running();
    restoreFrom(cluster, "nope");
    await reconcile(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Always");
    expect(statusOf(cluster)).toMatchObject({ phase: "Error", restore: { snapshotName: "nope", phase: "Failed" } });
    expect(statusOf(cluster).conditions?.find(c => c.type === "Ready")).toMatchObject({ status: "False", reason: "WukongSnapshotMissing" });
  });

  it("a snapshot of another Wukong with other disks is an Error that says which disks differ", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, { ...READY, disks: ["root", "data"] }, "other");
    restoreFrom(cluster, SNAPSHOT);
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Error");
    expect(statusOf(cluster).message).toContain("whose disks [root, data] do not match this Wukong's [system]");
  });

  it("a failed restore is an Error with KubeVirt's reason, and the VM stays stopped", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, READY);
    restoreFrom(cluster, SNAPSHOT);
    await reconcile(KEY);
    playRuntime(cluster);
    await reconcile(KEY);
    cluster.put("VirtualMachineRestore", {
      ...restoreOf(cluster)!,
      status: { complete: false, conditions: [{ type: "Failure", status: "True", reason: "RestoreFailed", message: "volume snapshot not found" }] },
    });
    await reconcile(KEY);
    expect(vmOf(cluster).spec?.runStrategy).toBe("Halted");
    expect(statusOf(cluster)).toMatchObject({ phase: "Error", restore: { phase: "Failed" } });
    expect(statusOf(cluster).message).toContain("volume snapshot not found");
  });
});

describe("status.snapshots", () => {
  it("lists the Wukong's snapshots by name with their readiness", async () => {
    const { cluster, reconcile } = await running();
    putSnapshot(cluster, READY, NAME, "b-second");
    putSnapshot(cluster, { phase: "InProgress" }, NAME, "a-first");
    putSnapshot(cluster, READY, "other", "not-mine");
    await reconcile(KEY);
    expect(statusOf(cluster).snapshots).toEqual([
      { name: "a-first", ready: false },
      { name: "b-second", ready: true },
    ]);
  });
});
