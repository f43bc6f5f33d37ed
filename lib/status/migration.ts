// Live migration in the Wukong status: the EvictionStrategy condition (what a drain does, and why), LiveMigratable
// as virt-handler reports it on the VMI (kubevirt v1.7.4 pkg/virt-handler/vm.go, calculateLiveMigrationCondition),
// and status.migration from a VirtualMachineInstanceMigration's phase (pkg/virt-controller/watch/migration/
// migration.go, processMigrationPhase) or the VMI's migrationState, which virt-handler writes for every migration.
import type { MigrationStatus } from "../../schemas/status";
import type { WukongSpec } from "../../schemas/spec";
import { evictionOf } from "../children/eviction";
import type { ConditionState } from "./conditions";
import type { ObservedMigrationState, ObservedVirtualMachineInstance } from "./observed";
import { detail, sentence } from "./text";
import { findCondition } from "./verdict";

const quoted = (names: string[]) => names.map(name => `"${name}"`).join(", ");

export function evictionCondition(spec: Pick<WukongSpec, "evictionStrategy" | "disks">): ConditionState {
  const { strategy, reason, unshared } = evictionOf(spec);
  const moves = strategy !== "None";
  const effect = {
    LiveMigrate: "a node drain live-migrates the VM to another node",
    LiveMigrateIfPossible: "a node drain live-migrates the VM while it is LiveMigratable, else stops it",
    None: "a node drain stops the VM (runStrategy Always starts it again on another node)",
  }[strategy];
  const why = {
    SetInSpec: `spec.evictionStrategy is ${strategy}`,
    EveryDiskShared: `evictionStrategy LiveMigrate by default: every disk is ReadWriteMany`,
    DiskNotShared: `evictionStrategy None by default: ${unshared.length > 1 ? `disks ${quoted(unshared)} are` : `disk ${quoted(unshared)} is`} ReadWriteOnce, and KubeVirt live-migrates only VMs whose disks are all ReadWriteMany`,
  }[reason];
  return { type: "EvictionStrategy", status: moves ? "True" : "False", reason, message: sentence(`${why}: ${effect}`) };
}

/** KubeVirt's LiveMigratable, while a VMI reports it; its reason kept (True has none: LiveMigratable). */
export function liveMigratableCondition(vmi: ObservedVirtualMachineInstance | undefined): ConditionState | undefined {
  const kubevirt = findCondition(vmi?.status?.conditions, "LiveMigratable");
  if (!kubevirt || (kubevirt.status !== "True" && kubevirt.status !== "False")) return undefined;
  const yes = kubevirt.status === "True";
  return {
    type: "LiveMigratable",
    status: kubevirt.status,
    reason: kubevirt.reason || (yes ? "LiveMigratable" : "NotLiveMigratable"),
    message: sentence(detail(kubevirt.message) || (yes ? "KubeVirt can live-migrate the running VM" : "KubeVirt cannot live-migrate the running VM")),
  };
}

const FINAL = new Set(["Succeeded", "Failed"]);
export const isFinalMigration = (phase: string | undefined) => FINAL.has(phase ?? "");

export interface ObservedMigration {
  metadata?: { name?: string; uid?: string };
  status?: { phase?: string; migrationState?: ObservedMigrationState; conditions?: { type?: string; status?: string; message?: string }[] };
}

/** Our migration's progress: its phase, with the nodes and times from the VMI while it runs and from itself once final. */
export function requestedMigrationStatus(request: string, migration: ObservedMigration, vmi: ObservedVirtualMachineInstance | undefined): MigrationStatus {
  const phase = migration.status?.phase || "Pending";
  const onVmi = vmi?.status?.migrationState;
  const state = migration.status?.migrationState ?? (onVmi?.migrationUid && onVmi.migrationUid === migration.metadata?.uid ? onVmi : undefined);
  return {
    request,
    ...(migration.metadata?.name && { migrationName: migration.metadata.name }),
    phase,
    ...nodesAndTimes(state),
    message: phaseMessage(phase, state),
  };
}

/** A migration KubeVirt started on its own (a drain's evacuation), as the VMI reports it. */
export function vmiMigrationStatus(vmi: ObservedVirtualMachineInstance | undefined): MigrationStatus | undefined {
  const state = vmi?.status?.migrationState;
  if (!state?.migrationUid) return undefined;
  const phase = state.failed ? "Failed" : state.completed ? "Succeeded" : "Running";
  const drain = vmi?.status?.evacuationNodeName ? ` (node ${vmi.status.evacuationNodeName} is being drained)` : "";
  return { phase, ...nodesAndTimes(state), message: `${phaseMessage(phase, state).replace(/\.$/, "")}${drain}.` };
}

function nodesAndTimes(state: ObservedMigrationState | undefined): Partial<MigrationStatus> {
  return {
    ...(state?.sourceNode && { sourceNode: state.sourceNode }),
    ...(state?.targetNode && { targetNode: state.targetNode }),
    ...(state?.startTimestamp && { startTime: state.startTimestamp }),
    ...(state?.endTimestamp && { endTime: state.endTimestamp }),
  };
}

function phaseMessage(phase: string, state: ObservedMigrationState | undefined): string {
  const from = state?.sourceNode ? ` from ${state.sourceNode}` : "";
  const to = state?.targetNode ? ` to ${state.targetNode}` : "";
  switch (phase) {
    case "Succeeded":
      return `Migrated${from}${to}.`;
    case "Failed":
      return sentence(`Migration${from}${to} failed${state?.failureReason ? `: ${detail(state.failureReason)}` : ""}; the VM keeps running where it was`);
    case "Pending":
    case "Scheduling":
      return "Waiting for the target pod to be scheduled on another node.";
    case "Scheduled":
    case "PreparingTarget":
    case "TargetReady":
      return `Preparing the target${to}.`;
    default:
      return `Migrating${from}${to}.`;
  }
}
