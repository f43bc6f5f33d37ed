// Volumes: whether every disk's claim is Bound and every import Succeeded, and each disk's claim.
import type { Disk, WukongSpec } from "../../schemas/spec";
import type { VolumePhase, VolumeStatus } from "../../schemas/status";
import { diskClaimName } from "../../schemas/child-names";
import { diskImage } from "../children/storage";
import { runStrategyOf } from "../children/spec-defaults";
import type { ChildError, ObservedChildren, ObservedDataVolume } from "./observed";
import { detail, safeUrl, sentence } from "./text";
import { childErrorVerdict, findCondition, type Verdict } from "./verdict";

type ObservedVolumes = Pick<ObservedChildren, "dataVolumes" | "pvcs" | "bindingModes">;

// CDI keeps a DataVolume in ImportInProgress while it retries a failed importer pod; the Running
// condition carries the pod's failure (the import URL or image is wrong, or the source refuses it).
const IMPORT_FAILURE_REASONS = new Set(["Error", "ImportFailed", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff"]);
// Phases in which the claim itself is not bound yet (as opposed to bound and importing).
const CLAIM_PENDING_PHASES = new Set(["Pending", "WaitForFirstConsumer", "PendingPopulation"]);
// CDI v1.66.0 pkg/controller/datavolume/controller-base.go: a claim on a WaitForFirstConsumer class with no consumer
// scheduled yet is WaitForFirstConsumer (updateStatusPVCPending, shouldBeMarkedWaitForFirstConsumer) or, when a
// populator imports, PendingPopulation (shouldBeMarkedPendingPopulation: the class binds at first consumer and the
// claim has no selected node); both leave the claim Pending until the VM's pod is scheduled.
const FIRST_CONSUMER_PHASES = new Set(["WaitForFirstConsumer", "PendingPopulation"]);
const WAIT_FOR_FIRST_CONSUMER = "WaitForFirstConsumer";
// The scheduler's annotation once a Pending claim's consumer is placed (k8s.io/component-helpers storage/volume).
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
export const FIRST_CONSUMER_REASON = "WaitingForFirstConsumer";
// CDI v1.66.0 puts this on an import's claim when its HonorWaitForFirstConsumer gate is off and a populator imports
// (pkg/controller/common/util.go, AddImmediateBindingAnnotationIfWFFCDisabled, called by pkg/controller/datavolume/
// import-controller.go updatePVCForPopulation; populators serve CSI classes, controller-base.go shouldUseCDIPopulator):
// its importer pod is then the claim's first consumer, and the volume is made where that pod ran. Without a populator
// the claim says nothing; admission warns from CDIConfig's gates (lib/admission/first-consumer-checks.ts).
export const IMMEDIATE_BINDING = "cdi.kubevirt.io/storage.bind.immediate.requested";

const DISK_PHASE: Record<string, VolumePhase> = {
  VolumeMissing: "Pending",
  ClaimPending: "Pending",
  [FIRST_CONSUMER_REASON]: "WaitingForFirstConsumer",
  ImportInProgress: "Importing",
  ImportFailed: "Failed",
  ClaimLost: "Lost",
  VolumesReady: "Bound",
};

export function volumesVerdict(wukong: string, spec: WukongSpec, observed: ObservedVolumes, errors: ChildError[]): Verdict {
  if (errors.length > 0) return childErrorVerdict(errors[0]);
  const verdict = disksVerdict(wukong, spec, observed);
  const note = importerBindingNote(spec, observed);
  return note && verdict.state !== "error" ? { ...verdict, message: `${verdict.message} ${note}` } : verdict;
}

/**
 * Imported disks on WaitForFirstConsumer storage whose claims CDI bound for its importer pod (its
 * HonorWaitForFirstConsumer feature gate is off): node-local volumes are then made where the importer ran, not where
 * the VM is scheduled, and the VM can only run there. Said, since it matters; undefined when there are none.
 */
function importerBindingNote(spec: WukongSpec, observed: ObservedVolumes): string | undefined {
  const disks = (spec.disks ?? []).filter(disk => {
    const claim = observed.pvcs[disk.name];
    const className = claimClass(disk, observed);
    return (
      diskImage(spec, disk) !== undefined &&
      claim?.metadata?.annotations?.[IMMEDIATE_BINDING] !== undefined &&
      className !== undefined &&
      observed.bindingModes?.[className] === WAIT_FOR_FIRST_CONSUMER
    );
  });
  if (disks.length === 0) return undefined;
  const names = disks.map(disk => disk.name).join(", ");
  return `CDI's HonorWaitForFirstConsumer feature gate is off: disk ${names} binds where CDI's importer pod runs, not at the VM's first start, and the VM must run where node-local volumes were made.`;
}

function disksVerdict(wukong: string, spec: WukongSpec, observed: ObservedVolumes): Verdict {
  const disks = spec.disks ?? [];
  const verdicts = disks.map(disk => diskVerdict(wukong, spec, disk, observed));
  const waiting = verdicts.filter(verdict => verdict.state === "waiting");
  const problem = verdicts.find(verdict => verdict.state === "error") ?? waiting.find(verdict => verdict.reason !== FIRST_CONSUMER_REASON);
  if (problem) return problem;
  if (waiting.length > 0)
    return firstConsumerVerdict(
      spec,
      disks.filter((_, i) => verdicts[i].reason === FIRST_CONSUMER_REASON),
      observed,
    );
  return { state: "ok", reason: "VolumesReady", message: disks.length === 0 ? "No disks." : `All ${disks.length} disks are bound.` };
}

export function volumeStatuses(wukong: string, spec: WukongSpec, observed: ObservedVolumes): VolumeStatus[] {
  return (spec.disks ?? []).map(disk => {
    const size = observed.pvcs[disk.name]?.status?.capacity?.storage;
    const phase = DISK_PHASE[diskVerdict(wukong, spec, disk, observed).reason];
    return { name: disk.name, pvcName: diskClaimName(wukong, disk.name), bound: isBound(spec, disk, observed), ...(phase && { phase }), ...(size && { size }) };
  });
}

/** Every disk waiting for its first consumer, in one sentence: they bind (and import) once the VM's pod is scheduled. */
function firstConsumerVerdict(spec: WukongSpec, disks: Disk[], observed: ObservedVolumes): Verdict {
  const names = disks.map(disk => disk.name);
  const classes = [...new Set(disks.map(disk => claimClass(disk, observed)).filter((name): name is string => !!name))];
  const which = names.length === 1 ? `Disk ${names[0]} binds` : `Disks ${names.slice(0, -1).join(", ")} and ${names[names.length - 1]} bind`;
  const storage = classes.length > 0 ? `StorageClass ${classes.join(", ")}: ${WAIT_FOR_FIRST_CONSUMER}` : WAIT_FOR_FIRST_CONSUMER;
  const when = runStrategyOf(spec) === "Halted" ? "when the VM starts" : "once the VM's pod is scheduled";
  return { state: "waiting", reason: FIRST_CONSUMER_REASON, message: `${which} ${when} (${storage}).` };
}

function claimClass(disk: Disk, observed: ObservedVolumes): string | undefined {
  return observed.pvcs[disk.name]?.spec?.storageClassName ?? disk.storageClassName;
}

/**
 * A blank disk's Pending claim whose class binds at first consumer (storage.k8s.io/v1 StorageClass volumeBindingMode;
 * the PersistentVolumeClaim says nothing itself) and whose consumer the scheduler has not placed yet.
 */
function waitsForFirstConsumer(disk: Disk, observed: ObservedVolumes): boolean {
  const claim = observed.pvcs[disk.name];
  const scName = claimClass(disk, observed);
  return (
    claim?.status?.phase === "Pending" &&
    !claim.metadata?.annotations?.[SELECTED_NODE] &&
    scName !== undefined &&
    observed.bindingModes?.[scName] === WAIT_FOR_FIRST_CONSUMER
  );
}

function isBound(spec: WukongSpec, disk: Disk, observed: ObservedVolumes): boolean {
  const claimBound = observed.pvcs[disk.name]?.status?.phase === "Bound";
  return claimBound && (!diskImage(spec, disk) || observed.dataVolumes[disk.name]?.status?.phase === "Succeeded");
}

function diskVerdict(wukong: string, spec: WukongSpec, disk: Disk, observed: ObservedVolumes): Verdict {
  const claim = diskClaimName(wukong, disk.name);
  const image = diskImage(spec, disk);
  const pvcPhase = observed.pvcs[disk.name]?.status?.phase;
  if (pvcPhase === "Lost") return { state: "error", reason: "ClaimLost", message: `Claim ${claim} of disk ${disk.name} lost its volume.` };
  if (image) {
    const dataVolume = observed.dataVolumes[disk.name];
    if (!dataVolume) return { state: "waiting", reason: "VolumeMissing", message: `Waiting for DataVolume ${claim} to be created.` };
    const failure = importFailure(dataVolume);
    if (failure !== undefined) {
      return {
        state: "error",
        reason: "ImportFailed",
        message: sentence(`Disk ${disk.name}: import from ${safeUrl(image)} failed${failure && `: ${failure}`}`),
      };
    }
    const phase = dataVolume.status?.phase ?? "Pending";
    // CDI knows whether it honours the binding mode (its HonorWaitForFirstConsumer gate): its phase is the answer.
    if (FIRST_CONSUMER_PHASES.has(phase)) return firstConsumerVerdict(spec, [disk], observed);
    if (CLAIM_PENDING_PHASES.has(phase))
      return { state: "waiting", reason: "ClaimPending", message: `Waiting for claim ${claim} of disk ${disk.name} to be bound (${phase}).` };
    if (phase !== "Succeeded")
      return { state: "waiting", reason: "ImportInProgress", message: `Waiting for disk ${disk.name} to import${progressOf(dataVolume)}.` };
  } else if (!observed.pvcs[disk.name]) {
    return { state: "waiting", reason: "VolumeMissing", message: `Waiting for claim ${claim} to be created.` };
  } else if (waitsForFirstConsumer(disk, observed)) {
    return firstConsumerVerdict(spec, [disk], observed);
  }
  if (pvcPhase !== "Bound") return { state: "waiting", reason: "ClaimPending", message: `Waiting for claim ${claim} of disk ${disk.name} to be bound.` };
  return { state: "ok", reason: "VolumesReady", message: `Disk ${disk.name} is bound.` };
}

/** The failure detail ("" when CDI gave none), or undefined when the import has not failed. */
function importFailure(dataVolume: ObservedDataVolume): string | undefined {
  if (dataVolume.status?.phase === "Succeeded") return undefined;
  const conditions = dataVolume.status?.conditions;
  const running = findCondition(conditions, "Running");
  if (running?.status === "False" && IMPORT_FAILURE_REASONS.has(running.reason ?? "")) return detail(running.message);
  if (dataVolume.status?.phase === "Failed") return detail(running?.message || findCondition(conditions, "Ready")?.message);
  return undefined;
}

function progressOf(dataVolume: ObservedDataVolume): string {
  const progress = dataVolume.status?.progress;
  return progress && /^\d/.test(progress) ? ` (${progress})` : "";
}
