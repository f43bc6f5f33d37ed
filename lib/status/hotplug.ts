// Each hot-plugged disk's state, from KubeVirt v1.7.4's VMI status.volumeStatus. virt-controller gives a hot-plug
// volume its status (pkg/virt-controller/watch/vmi/storage.go, updateVolumeStatus: Pending/Bound from the claim, then
// AttachedToNode once its attachment pod hp-volume-* exists; Detaching while a removed volume's pod remains), and
// virt-handler takes it on (pkg/virt-handler/vm.go, updateHotplugVolumeStatus: MountedToPod once mounted into the
// virt-launcher pod, Ready with the guest device as `target` once in the domain, UnMountedFromPod once a removed one
// is out). virt-controller's own errors while hot-plugging land on the VM as Failure, reason HotPlugVolumeError
// (pkg/virt-controller/watch/vm/vm.go, hotplugVolumeErrorReason and processFailureCondition).
import { isHotpluggable } from "../children/hotplug";
import type { WukongSpec } from "../../schemas/spec";
import type { HotpluggedDiskStatus } from "../../schemas/status";
import type { ObservedVirtualMachine, ObservedVirtualMachineInstance, ObservedVolume, ObservedVolumeStatus } from "./observed";
import { detail, sentence } from "./text";
import { findCondition } from "./verdict";

const PLUGGED_PHASE = "Ready";
const HOTPLUG_ERROR_REASON = "HotPlugVolumeError";
const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

/**
 * While a VMI runs: every disk the VM declares hot-pluggable, and every hot-plugged volume of the VMI that is no
 * longer wanted (being unplugged). `waitingFor`: why KubeVirt will not attach a new disk (its feature gate off).
 */
export function hotpluggedDiskStatuses(
  spec: WukongSpec,
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance | undefined,
  waitingFor?: string,
): HotpluggedDiskStatus[] {
  if (!vm || !vmi || vmi.metadata?.deletionTimestamp || FINAL_PHASES.has(vmi.status?.phase ?? "")) return [];
  const disks = new Set((spec.disks ?? []).map(disk => disk.name));
  const wanted = names(vm.spec?.template?.spec?.volumes, isHotpluggable).filter(name => disks.has(name));
  const statuses = new Map((vmi.status?.volumeStatus ?? []).filter(status => status.name).map(status => [status.name as string, status]));
  const inInstance = new Set(names(vmi.spec?.volumes));
  const failure = findCondition(vm.status?.conditions, "Failure");
  const hotplugError = failure?.status === "True" && failure.reason === HOTPLUG_ERROR_REASON ? detail(failure.message) : undefined;

  const plugging = wanted.map(name => pluggingState(name, statuses.get(name), inInstance.has(name), hotplugError, waitingFor));
  const leaving = [...new Set([...names(vmi.spec?.volumes, isHotpluggable), ...[...statuses.values()].filter(s => s.hotplugVolume).map(s => s.name as string)])]
    .filter(name => !wanted.includes(name))
    .map(name => unpluggingState(name, statuses.get(name)));
  return [...plugging, ...leaving].sort((a, b) => a.name.localeCompare(b.name));
}

function pluggingState(
  name: string,
  status: ObservedVolumeStatus | undefined,
  inInstance: boolean,
  hotplugError: string | undefined,
  waitingFor: string | undefined,
): HotpluggedDiskStatus {
  const phase = status?.phase ? { phase: status.phase } : {};
  if (status?.phase === PLUGGED_PHASE) {
    const target = status.target ? { target: status.target } : {};
    return {
      name,
      state: "Plugged",
      ...phase,
      ...target,
      message: sentence(`Disk ${name} is attached to the running VM${status.target ? ` as ${status.target}` : ""}`),
    };
  }
  if (hotplugError !== undefined)
    return { name, state: "Failed", ...phase, message: sentence(`KubeVirt could not hot-plug disk ${name}${hotplugError && `: ${hotplugError}`}`) };
  if (!inInstance) {
    const why = waitingFor ? `: ${waitingFor}` : "";
    return { name, state: "Pending", message: sentence(`Waiting for KubeVirt to add disk ${name} to the running VM${why}`) };
  }
  const kubevirt = status?.phase ? ` (${status.phase}${status.message ? `: ${detail(status.message)}` : ""})` : "";
  return { name, state: "Pending", ...phase, message: sentence(`KubeVirt is attaching disk ${name}${kubevirt}`) };
}

function unpluggingState(name: string, status: ObservedVolumeStatus | undefined): HotpluggedDiskStatus {
  const phase = status?.phase ? { phase: status.phase } : {};
  return {
    name,
    state: "Unplugging",
    ...phase,
    message: sentence(`KubeVirt is detaching disk ${name} from the running VM${status?.phase ? ` (${status.phase})` : ""}`),
  };
}

function names(volumes: ObservedVolume[] | undefined, keep: (volume: ObservedVolume) => boolean = () => true): string[] {
  return (volumes ?? []).filter(volume => typeof volume.name === "string" && keep(volume)).map(volume => volume.name as string);
}
