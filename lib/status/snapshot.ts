// A WukongSnapshot's status from its VirtualMachineSnapshot. Pure.
//   no VirtualMachineSnapshot          Pending (with what it waits for), or Failed when it was made and is gone
//   phase Failed, or an error reported Failed, with KubeVirt's error message
//   phase Succeeded and readyToUse     Succeeded, with creationTime
//   otherwise                          InProgress
import type { WukongSnapshotStatus } from "../../schemas/wukongsnapshot";

export interface ObservedVirtualMachineSnapshot {
  metadata: { name: string };
  status?: { phase?: string; readyToUse?: boolean; creationTime?: string; error?: { message?: string } };
}

export interface SnapshotObservation {
  vmSnapshot?: ObservedVirtualMachineSnapshot;
  /** Why there is no VirtualMachineSnapshot (yet), or why it cannot be used. */
  problem?: { final: boolean; message: string };
  disks?: string[];
  generation?: number;
}

export function deriveSnapshotStatus({ vmSnapshot, problem, disks, generation }: SnapshotObservation): WukongSnapshotStatus {
  const common = { ...(disks && { disks }), ...(generation !== undefined && { observedGeneration: generation }) };
  if (problem)
    return {
      phase: problem.final ? "Failed" : "Pending",
      readyToUse: false,
      error: problem.message,
      ...(vmSnapshot && { snapshotName: vmSnapshot.metadata.name }),
      ...common,
    };
  if (!vmSnapshot) return { phase: "Pending", readyToUse: false, ...common };
  const status = vmSnapshot.status ?? {};
  const base = { snapshotName: vmSnapshot.metadata.name, ...(status.creationTime && { creationTime: status.creationTime }), ...common };
  if (status.phase === "Failed") {
    return { phase: "Failed", readyToUse: false, error: status.error?.message || "KubeVirt reported the snapshot as failed without a message", ...base };
  }
  if (status.phase === "Succeeded" && status.readyToUse === true) return { phase: "Succeeded", readyToUse: true, ...base };
  return { phase: "InProgress", readyToUse: false, ...base };
}
