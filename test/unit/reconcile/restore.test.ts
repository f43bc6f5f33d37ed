// Restoring a Wukong from a WukongSnapshot against the in-memory cluster: the VM is stopped first, then a
// VirtualMachineRestore is made, then the VM returns to its run strategy; the same value never restores twice.
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER, LABELS } from "../../../schemas/wukong";
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
  cluster.lookups.add("StorageClass//longhorn");
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
