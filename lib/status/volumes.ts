// Volumes: whether every disk's claim is Bound and every import Succeeded, and each disk's claim.
import type { Disk, WukongSpec } from "../../schemas/spec";
import type { VolumeStatus } from "../../schemas/status";
import { diskClaimName } from "../../schemas/child-names";
import { diskImage } from "../children/storage";
import type { ChildError, ObservedChildren, ObservedDataVolume } from "./observed";
import { detail, safeUrl, sentence } from "./text";
import { childErrorVerdict, findCondition, type Verdict } from "./verdict";

type ObservedVolumes = Pick<ObservedChildren, "dataVolumes" | "pvcs">;

// CDI keeps a DataVolume in ImportInProgress while it retries a failed importer pod; the Running
// condition carries the pod's failure (the import URL or image is wrong, or the source refuses it).
const IMPORT_FAILURE_REASONS = new Set(["Error", "ImportFailed", "CrashLoopBackOff", "ErrImagePull", "ImagePullBackOff"]);
// Phases in which the claim itself is not bound yet (as opposed to bound and importing).
const CLAIM_PENDING_PHASES = new Set(["Pending", "WaitForFirstConsumer", "PendingPopulation"]);

export function volumesVerdict(wukong: string, spec: WukongSpec, observed: ObservedVolumes, errors: ChildError[]): Verdict {
  if (errors.length > 0) return childErrorVerdict(errors[0]);
  const disks = spec.disks ?? [];
  const verdicts = disks.map(disk => diskVerdict(wukong, spec, disk, observed));
  const problem = verdicts.find(verdict => verdict.state === "error") ?? verdicts.find(verdict => verdict.state === "waiting");
  if (problem) return problem;
  return { state: "ok", reason: "VolumesReady", message: disks.length === 0 ? "No disks." : `All ${disks.length} disks are bound.` };
}

export function volumeStatuses(wukong: string, spec: WukongSpec, observed: ObservedVolumes): VolumeStatus[] {
  return (spec.disks ?? []).map(disk => {
    const size = observed.pvcs[disk.name]?.status?.capacity?.storage;
    return { name: disk.name, pvcName: diskClaimName(wukong, disk.name), bound: isBound(spec, disk, observed), ...(size && { size }) };
  });
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
    if (CLAIM_PENDING_PHASES.has(phase))
      return { state: "waiting", reason: "ClaimPending", message: `Waiting for claim ${claim} of disk ${disk.name} to be bound (${phase}).` };
    if (phase !== "Succeeded")
      return { state: "waiting", reason: "ImportInProgress", message: `Waiting for disk ${disk.name} to import${progressOf(dataVolume)}.` };
  } else if (!observed.pvcs[disk.name]) {
    return { state: "waiting", reason: "VolumeMissing", message: `Waiting for claim ${claim} to be created.` };
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
