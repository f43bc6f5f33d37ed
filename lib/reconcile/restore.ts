// Restore step, before the storage and VM steps: while spec.restoreFromSnapshot asks for a restore that has not completed,
// the VM is held stopped (KubeVirt restores only a stopped VM), then a VirtualMachineRestore is created; once it
// completes, the VM returns to the Wukong's run strategy. A completed restore is remembered in status.restore,
// so the same value never restores twice. Our VirtualMachineRestores for any other value are deleted.
import type { RestoreStatus } from "../../schemas/status";
import type { WukongSnapshot } from "../../schemas/wukongsnapshot";
import { disksMismatch, virtualMachineRestore, virtualMachineRestoreName } from "../children/snapshot";
import { restoreGap } from "../cluster/features";
import { isControlledBy, type LiveObject } from "../cluster/live";
import { findCondition } from "../status/verdict";
import type { ObservedCondition } from "../status/observed";
import type { ReconcileContext } from "./context";
import { deleteChild, ensureChild } from "./writes";

interface ObservedRestore {
  status?: { complete?: boolean; restoreTime?: string; conditions?: ObservedCondition[] };
}

const FINAL_VMI_PHASES = new Set(["Succeeded", "Failed"]);

export async function reconcileRestore(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, uid, wukong, observed } = ctx;
  observed.restore = undefined;
  const target = wukong.spec?.restoreFromSnapshot;
  const restoreName = target ? virtualMachineRestoreName(name, target) : undefined;
  for (const stale of port.list("VirtualMachineRestore", namespace, name)) {
    if (stale.metadata.name !== restoreName && isControlledBy(stale, uid)) await deleteChild(ctx, "VirtualMachineRestore", stale);
  }
  if (!target || !restoreName) return;

  const previous = wukong.status?.restore;
  const live = port.get("VirtualMachineRestore", namespace, restoreName) as (LiveObject & ObservedRestore) | undefined;
  if (previous?.snapshotName === target && previous.phase === "Succeeded" && (!live || live.status?.complete)) {
    observed.restore = previous;
    return;
  }
  const report = (phase: RestoreStatus["phase"], message: string, extra: Partial<RestoreStatus> = {}) => {
    observed.restore = { snapshotName: target, ...(live && { restoreName }), phase, message, ...extra };
  };

  const snapshot = port.get("WukongSnapshot", namespace, target) as (WukongSnapshot & LiveObject) | undefined;
  const leftOut = notRestored(ctx, snapshot);
  if (live) {
    if (live.status?.complete) {
      report(
        "Succeeded",
        `Restored from WukongSnapshot ${target}${leftOut}; the VM returns to its run strategy.`,
        live.status.restoreTime ? { restoreTime: live.status.restoreTime } : {},
      );
      await port.event(
        wukong,
        leftOut ? "Warning" : "Normal",
        "Restored",
        `Restored from WukongSnapshot ${target}${leftOut} (VirtualMachineRestore ${restoreName})`,
      );
      return;
    }
    holdStopped(ctx);
    const failure = findCondition(live.status?.conditions, "Failure");
    if (failure?.status === "True") {
      const why = failure.message || failure.reason || "no reason given";
      report("Failed", `Restore from WukongSnapshot ${target} failed: ${why}. The VM stays stopped; clear spec.restoreFromSnapshot to start it as it is.`);
      observed.childErrors.push({
        kind: "VirtualMachineRestore",
        name: restoreName,
        reason: "Failed",
        message: `restore from WukongSnapshot ${target} failed: ${why}`,
      });
      return;
    }
    const progress = findCondition(live.status?.conditions, "Progressing")?.message;
    report("Restoring", `KubeVirt is restoring the VM from WukongSnapshot ${target}${progress ? ` (${progress})` : ""}.`);
    return;
  }

  const problem = snapshotProblem(ctx, target, snapshot);
  if (problem) {
    report("Failed", problem.message);
    observed.childErrors.push({ kind: "WukongSnapshot", name: target, reason: problem.reason, message: problem.message });
    return;
  }
  // Checked before the VM is stopped for it: a restore the cluster would strip of our fields is never made.
  const gap = restoreGap(port.features(), "spec.restoreFromSnapshot");
  if (gap) {
    report("Pending", `Not restoring from WukongSnapshot ${target}: ${gap.message}.`);
    return;
  }
  if (snapshot?.status?.phase !== "Succeeded" || !snapshot.status.snapshotName) {
    report("Pending", `Waiting for WukongSnapshot ${target} to be ready (${snapshot?.status?.phase ?? "Pending"}) before restoring from it.`);
    return;
  }

  holdStopped(ctx);
  const vm = port.get("VirtualMachine", namespace, ctx.desired.virtualMachine.metadata.name);
  const vmi = port.get("VirtualMachineInstance", namespace, ctx.desired.virtualMachine.metadata.name);
  const stopped = vm?.spec?.runStrategy === "Halted" && (!vmi || FINAL_VMI_PHASES.has(String(vmi.status?.phase)));
  if (!stopped) {
    report("Stopping", `Stopping VM ${name} to restore it from WukongSnapshot ${target}.`);
    return;
  }
  const desired = virtualMachineRestore({ name, namespace, uid }, target, snapshot.status.snapshotName, restoredDisks(ctx, snapshot));
  const made = await ensureChild(ctx, "VirtualMachineRestore", desired, undefined);
  observed.restore = {
    snapshotName: target,
    ...(made && { restoreName }),
    phase: "Restoring",
    message: `Restoring the VM from WukongSnapshot ${target}${leftOut}.`,
  };
  if (made) await port.event(wukong, "Normal", "Restoring", `Restoring from WukongSnapshot ${target}${leftOut} (VirtualMachineRestore ${restoreName})`);
}

const diskNames = (ctx: ReconcileContext): string[] => (ctx.wukong.spec?.disks ?? []).map(disk => disk.name);

/**
 * The disks a restore restores: those KubeVirt captured (all the snapshot's disks if it did not say) that the Wukong
 * still has. A disk added since, or one KubeVirt left out of the snapshot, keeps its data.
 */
function restoredDisks(ctx: ReconcileContext, snapshot: WukongSnapshot): string[] {
  const current = diskNames(ctx);
  return (snapshot.status?.includedDisks ?? snapshot.status?.disks ?? current).filter(disk => current.includes(disk));
}

/** What a restore from this snapshot leaves as it is, for its messages ("" when it restores every disk). */
function notRestored(ctx: ReconcileContext, snapshot: WukongSnapshot | undefined): string {
  const excluded = (snapshot?.status?.excludedDisks ?? []).filter(disk => diskNames(ctx).includes(disk));
  return excluded.length === 0 ? "" : ` except disks [${excluded.join(", ")}], which KubeVirt left out of the snapshot and which keep their current data`;
}

/** The VM stays (or becomes) Halted while a restore is due: this reconcile's desired VM only. */
function holdStopped(ctx: ReconcileContext): void {
  const spec = ctx.desired.virtualMachine.spec as { runStrategy?: string } | undefined;
  if (spec) spec.runStrategy = "Halted";
}

/** What makes the snapshot unusable for this Wukong, for good (a snapshot still in progress is only waited for). */
function snapshotProblem(ctx: ReconcileContext, target: string, snapshot: WukongSnapshot | undefined): { reason: string; message: string } | undefined {
  if (!snapshot?.spec) return { reason: "NotFound", message: `WukongSnapshot ${target} named by spec.restoreFromSnapshot does not exist` };
  if (snapshot.status?.phase === "Failed")
    return { reason: "Failed", message: `WukongSnapshot ${target} failed: ${snapshot.status.error ?? "no reason given"}` };
  return disksMismatch(ctx.name, ctx.wukong.spec?.disks?.map(disk => disk.name) ?? [], snapshot);
}

/** The WukongSnapshots labelled for this Wukong, for status.snapshots. */
export function observeSnapshots(ctx: ReconcileContext): void {
  const snapshots = ctx.port.list("WukongSnapshot", ctx.namespace, ctx.name) as (WukongSnapshot & LiveObject)[];
  ctx.observed.snapshots = snapshots
    .filter(snapshot => snapshot.spec?.wukongName === ctx.name)
    .map(snapshot => ({ name: snapshot.metadata.name, ready: snapshot.status?.readyToUse === true }))
    .sort((a, b) => a.name.localeCompare(b.name));
}
