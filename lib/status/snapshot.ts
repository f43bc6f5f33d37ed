// A WukongSnapshot's status from its VirtualMachineSnapshot. Pure.
//   no VirtualMachineSnapshot          Pending (with what it waits for), or Failed when it was made and is gone
//   phase Failed, or an error reported Failed, with KubeVirt's error message
//   phase Succeeded and readyToUse     Succeeded, with creationTime
//   otherwise                          InProgress, with KubeVirt's error while it retries (a VolumeSnapshot failed)
// Once KubeVirt lists status.snapshotVolumes, the disks it included and excluded, and condition AllDisksIncluded:
// KubeVirt leaves out claims that are not bound or whose StorageClass has no VolumeSnapshotClass and still reports
// Succeeded (kubevirt v1.7.4 pkg/storage/snapshot/snapshot.go, getSnapshotPVC and updateSnapshotSnapshotableVolumes).
import type { Condition } from "../../schemas/status";
import { ALL_DISKS_INCLUDED, CONTENT_DELETED_WITH_SNAPSHOT, type WukongSnapshotStatus } from "../../schemas/wukongsnapshot";
import { type ConditionState, withTransitionTimes } from "./conditions";

export interface ObservedVirtualMachineSnapshot {
  metadata: { name: string };
  spec?: { deletionPolicy?: string };
  status?: {
    virtualMachineSnapshotContentName?: string;
    phase?: string;
    readyToUse?: boolean;
    creationTime?: string;
    error?: { message?: string };
    snapshotVolumes?: { includedVolumes?: string[]; excludedVolumes?: string[] };
  };
}

export interface SnapshotObservation {
  vmSnapshot?: ObservedVirtualMachineSnapshot;
  /** Why there is no VirtualMachineSnapshot (yet), or why it cannot be used. */
  problem?: { final: boolean; message: string };
  disks?: string[];
  generation?: number;
  /** The conditions as they stand, and the time now: lastTransitionTime moves only when a status flips. */
  previousConditions?: Condition[];
  now: string;
}

export function deriveSnapshotStatus({ vmSnapshot, problem, disks, generation, previousConditions, now }: SnapshotObservation): WukongSnapshotStatus {
  const coverage = diskCoverage(vmSnapshot, disks);
  const states = [coverage?.state, contentDeletion(vmSnapshot)].filter((state): state is ConditionState => state !== undefined);
  const common = {
    ...(disks && { disks }),
    ...(generation !== undefined && { observedGeneration: generation }),
    ...(coverage && { includedDisks: coverage.includedDisks, excludedDisks: coverage.excludedDisks }),
    ...(states.length > 0 && { conditions: withTransitionTimes(previousConditions, states, now, generation) }),
  };
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
  // KubeVirt keeps a snapshot whose VolumeSnapshot failed InProgress, with the error, until its failure deadline.
  return { phase: "InProgress", readyToUse: false, ...(status.error?.message && { error: status.error.message }), ...base };
}

/** Which of the Wukong's disks KubeVirt captured (the VM's other volumes, such as cloud-init's, do not count). */
function diskCoverage(
  vmSnapshot: ObservedVirtualMachineSnapshot | undefined,
  disks: string[] | undefined,
): (Pick<WukongSnapshotStatus, "includedDisks" | "excludedDisks"> & { state: ConditionState }) | undefined {
  const volumes = vmSnapshot?.status?.snapshotVolumes;
  if (!volumes || !disks) return undefined;
  const included = disks.filter(disk => volumes.includedVolumes?.includes(disk));
  const excluded = disks.filter(disk => !included.includes(disk));
  const state: ConditionState =
    excluded.length === 0
      ? { type: ALL_DISKS_INCLUDED, status: "True", reason: "AllDisksIncluded", message: `KubeVirt captured every disk: ${disks.join(", ")}.` }
      : { type: ALL_DISKS_INCLUDED, status: "False", reason: "DisksExcluded", message: excludedMessage(excluded) };
  return { includedDisks: included, excludedDisks: excluded, state };
}

/**
 * Whether KubeVirt deletes the content (and its VolumeSnapshots) with the VirtualMachineSnapshot: only for a
 * deletionPolicy unset or exactly "Delete". Older Wukong versions wrote "delete", and the spec is immutable.
 */
function contentDeletion(vmSnapshot: ObservedVirtualMachineSnapshot | undefined): ConditionState | undefined {
  if (!vmSnapshot) return undefined;
  const policy = vmSnapshot.spec?.deletionPolicy;
  if (policy === undefined || policy === "Delete") {
    return {
      type: CONTENT_DELETED_WITH_SNAPSHOT,
      status: "True",
      reason: "DeletionPolicyDelete",
      message: "KubeVirt deletes the snapshot's content and VolumeSnapshots with it.",
    };
  }
  const content = vmSnapshot.status?.virtualMachineSnapshotContentName ?? "its VirtualMachineSnapshotContent";
  return {
    type: CONTENT_DELETED_WITH_SNAPSHOT,
    status: "False",
    reason: "ContentRetained",
    message:
      `VirtualMachineSnapshot ${vmSnapshot.metadata.name} has deletionPolicy "${policy}", which KubeVirt treats as Retain: ` +
      `after deleting this WukongSnapshot, delete VirtualMachineSnapshotContent ${content} yourself (its VolumeSnapshots go with it).`,
  };
}

export function excludedMessage(excluded: string[]): string {
  return (
    `KubeVirt left disks [${excluded.join(", ")}] out of the snapshot (a claim not bound, or a StorageClass without a ` +
    `VolumeSnapshotClass): a restore from it leaves them as they are.`
  );
}
