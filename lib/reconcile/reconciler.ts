// One reconcile of one Wukong, in the order children depend on each other:
// finalizer → node networks → host bridges (read only) → networks → storage → virtual machine → restart → status. Deletion takes the finalize path
// instead: retained volumes released, our NADs deleted, then the finalizer removed.
// Everything is read from the port's view; status is written even when a step fails, so a persistent
// failure shows up as a condition reason instead of a stale status.
import { desiredChildren, type DesiredChildren, virtualMachineName } from "../children";
import { hotplugContext } from "../children/hotplug";
import { apiFailure, isConflict } from "../cluster/api-errors";
import type { ChildError, ObservedChildren } from "../status/observed";
import type { LiveWukong, ReconcileContext } from "./context";
import { observeClusterFeatures } from "./features";
import { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizer";
import { reconcileHostBridges } from "../networks/reconcile-host-bridges";
import { deleteGeneratedNads, reconcileNads } from "../networks/reconcile-nads";
import { reconcileNodeNetworks } from "../networks/reconcile-node-networks";
import { observeExisting } from "./observe";
import { releaseRetainedVolumes } from "./retain";
import type { ClusterPort } from "./port";
import { observeSnapshots, reconcileRestore } from "./restore";
import { reconcileStatus } from "./status";
import { statusPatchHelper } from "./status-patch";
import { reconcileStorage } from "./storage";
import { reconcileVirtualMachine } from "./virtual-machine";
import { restartWhenRequired } from "./restart-when-required";
import { reconcileMigration } from "./migration";
import type { RunOutcome } from "./work-queue";
import { announceChanges, ChildWriteError } from "./writes";

export interface ResyncPolicy {
  /** While something is wrong that no watched object will announce (a StorageClass appearing), look again. */
  errorMs: number;
  /** Safety net while children are still converging. */
  convergingMs: number;
  /** How soon to look again for our NADs to be gone during deletion. */
  deletionMs: number;
}

export const DEFAULT_RESYNC: ResyncPolicy = { errorMs: 15_000, convergingMs: 30_000, deletionMs: 1_000 };

export interface ReconcilerOptions {
  resync: ResyncPolicy;
  /** While a Wukong converges, status detail that does not change the phase is written at most this often. */
  statusRefreshMs: number;
  /** RFC 3339 with second precision, for condition transition times. */
  now: () => string;
  nowMs: () => number;
}

/** Kubernetes timestamps have second precision; so must ours, or every derive would differ. */
export const nowRfc3339 = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

const DEFAULT_OPTIONS: ReconcilerOptions = { resync: DEFAULT_RESYNC, statusRefreshMs: 60_000, now: nowRfc3339, nowMs: Date.now };

// Restore before storage: while KubeVirt restores the volumes in place, the storage step must leave them be.
const STEPS = [
  reconcileNodeNetworks,
  reconcileHostBridges,
  reconcileNads,
  reconcileRestore,
  reconcileStorage,
  reconcileVirtualMachine,
  reconcileMigration,
  restartWhenRequired,
];

export function wukongReconciler(port: ClusterPort, options: Partial<ReconcilerOptions> = {}) {
  const { resync, statusRefreshMs, now, nowMs } = { ...DEFAULT_OPTIONS, ...options };
  const lastStatusWrite = new Map<string, number>();
  return async function reconcileWukong(key: string): Promise<RunOutcome> {
    const [namespace, name] = key.split("/");
    const wukong = port.get("Wukong", namespace, name) as LiveWukong | undefined;
    if (!wukong?.spec) {
      lastStatusWrite.delete(key);
      return;
    }
    if (wukong.metadata.deletionTimestamp) return finalize(port, wukong, resync);
    const statusPatch = statusPatchHelper(port, "Wukong", wukong);
    if (!hasFinalizer(wukong)) await addFinalizer(port, wukong);

    const observed = emptyObservation();
    // Kept as it was when the restore step does not get to run (a build error, an earlier step failing).
    observed.restore = wukong.status?.restore;
    observed.migration = wukong.status?.migration;
    const built = build(wukong, port);
    const ctx: ReconcileContext = { port, wukong, namespace, name, uid: wukong.metadata.uid, desired: built.desired, observed, changes: [] };
    let failure: unknown;
    try {
      if (built.error) {
        observed.childErrors.push(built.error);
        await observeExisting(ctx);
      } else {
        for (const step of STEPS) await step(ctx);
      }
    } catch (error) {
      failure = error;
      if (!isConflict(error)) observed.childErrors.push(stepError(error, name));
    }
    observeSnapshots(ctx);
    observeClusterFeatures(ctx);
    // The Event about what changed and the status patch do not wait for each other.
    const [, { status, deferredMs }] = await Promise.all([
      announceChanges(ctx),
      reconcileStatus(ctx, statusPatch, now(), { lastWrite: lastStatusWrite, refreshMs: statusRefreshMs, nowMs: nowMs() }),
    ]);
    if (failure) throw failure; // the queue retries with backoff

    const resyncMs = status.phase === "Error" ? resync.errorMs : CONVERGING.has(status.phase ?? "") ? resync.convergingMs : undefined;
    const after = Math.min(resyncMs ?? Infinity, deferredMs ?? Infinity);
    if (after !== Infinity) return { requeueAfterMs: after };
  };
}

async function finalize(port: ClusterPort, wukong: LiveWukong, resync: ResyncPolicy): Promise<RunOutcome> {
  if (!hasFinalizer(wukong)) return;
  const { namespace, name, uid } = wukong.metadata;
  // First, while the finalizer still holds back the garbage collector: a retained volume must be free of us before.
  await releaseRetainedVolumes(port, wukong);
  const remaining = await deleteGeneratedNads({ port, namespace, name, uid });
  if (remaining > 0) return { requeueAfterMs: resync.deletionMs };
  // The rest (DataVolumes and PVCs not retained, Secret, VirtualMachine) carries our ownerReference: the garbage collector takes it.
  await removeFinalizer(port, wukong);
}

const CONVERGING = new Set(["Creating", "Pending", "Restoring"]);

/** The builders are pure but can still refuse a spec (custom user data that is not a cloud-config). */
function build(wukong: LiveWukong, port: ClusterPort): { desired: DesiredChildren; error?: ChildError } {
  const { namespace } = wukong.metadata;
  const vmName = virtualMachineName(wukong.metadata.name);
  try {
    // The VMI bears its VM's name.
    const hotplug = hotplugContext(port.get("VirtualMachine", namespace, vmName), port.get("VirtualMachineInstance", namespace, vmName));
    return { desired: desiredChildren(wukong, { hotplug }) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { desired: NOTHING, error: { kind: "Wukong", name: wukong.metadata.name, reason: "BuildFailed", message } };
  }
}

const NOTHING: DesiredChildren = {
  networkAttachmentDefinitions: [],
  dataVolumes: [],
  persistentVolumeClaims: [],
  cloudInitSecret: { apiVersion: "v1", kind: "Secret", metadata: { name: "", namespace: "" } },
  virtualMachine: { apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", metadata: { name: "", namespace: "" } },
};

function stepError(error: unknown, wukong: string): ChildError {
  if (error instanceof ChildWriteError) return { kind: error.kind, name: error.childName, ...reasonOf(error.cause) };
  // A lookup that failed (the API server is away), or a bug of ours: say so in status rather than leave it stale.
  if (error instanceof Error) return { kind: "Wukong", name: wukong, reason: "InternalError", message: error.message };
  return { kind: "Wukong", name: wukong, ...reasonOf(error) };
}

function reasonOf(error: unknown): Pick<ChildError, "reason" | "message"> {
  const failure = apiFailure(error);
  return { reason: failure.status && failure.reason !== "Unknown" ? failure.reason : "Unreachable", message: failure.message };
}

function emptyObservation(): ObservedChildren {
  return { nads: [], dataVolumes: {}, pvcs: {}, childErrors: [] };
}
