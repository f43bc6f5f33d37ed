// Stand-in for virt-handler's part in a volume hot-plug, beside the real control planes.
// The real virt-controller does the rest: it adds a VM's hot-plug volume to the running VMI (declarative hot-plug,
// kubevirt v1.7.4 pkg/storage/hotplug/hotplug.go), creates the attachment pod hp-volume-* that mounts the claim on the
// VMI's node (pkg/virt-controller/watch/vmi/volume-hotplug.go; kubelet.ts runs it), and gives the volume its status up
// to AttachedToNode, with the pod's uid once its container is ready (pkg/virt-controller/watch/vmi/storage.go,
// updateVolumeStatus); for a removed volume it keeps the status as Detaching and deletes the pod once the volume is
// unmounted (volume-hotplug.go, cleanupAttachmentPods). What virt-handler does in between
// (pkg/virt-handler/vm.go, updateHotplugVolumeStatus, canUpdateToMounted/canUpdateToUnmounted), played here:
//   - a volume still in the VMI spec whose attachment pod (status.volumeStatus[].hotplugVolume.attachPodUID) runs is
//     mounted into the virt-launcher pod: Bound/Pending/AttachedToNode -> MountedToPod;
//   - once mounted, virt-launcher adds the disk to the domain and the handler reports its device: MountedToPod ->
//     Ready with `target` (the guest device name for the disk's bus, as libvirt numbers disks per bus);
//   - a volume gone from the VMI spec is taken out of the domain and unmounted: Ready/MountedToPod/AttachedToNode ->
//     UnMountedFromPod, target "" (the CRD requires the field: a status without it is rejected, 422).
// One step per tick, as the handler re-queues after each. VMIs of real guests (sim.novasphere.dev/runtime: qemu) are
// left to test/guest/runtime, which hot-plugs into QEMU itself.
import { Plan, planEach } from "./plan";
import { KubeObject, keyOf, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import { wantsRealGuest } from "./node-runtime";

// pkg/virt-handler/controller.go
const MOUNTED_REASON = "VolumeMountedToPod";
const READY_REASON = "VolumeReady";
const UNMOUNTED_REASON = "VolumeUnMountedFromPod";
const CAN_MOUNT = new Set(["Bound", "Pending", "AttachedToNode"]);
const CAN_UNMOUNT = new Set(["Ready", "MountedToPod", "AttachedToNode"]);

export interface VolumeStatus {
  name: string;
  phase?: string;
  reason?: string;
  message?: string;
  target?: string;
  hotplugVolume?: { attachPodName?: string; attachPodUID?: string };
  [field: string]: unknown;
}

interface DomainDisk {
  name?: string;
  disk?: { bus?: string };
  lun?: { bus?: string };
}

/** libvirt's target prefix per bus, as virt-launcher's converter names disks (pkg/virt-launcher/virtwrap/converter). */
const PREFIX: Record<string, string> = { virtio: "vd", scsi: "sd", sata: "sd", usb: "sd" };

/** The device a disk gets in the guest: its prefix and its index among the VMI's disks on the same prefix. */
export function targetOf(vmi: KubeObject, volume: string): string | undefined {
  const disks: DomainDisk[] = vmi.spec?.domain?.devices?.disks ?? [];
  const prefixOf = (disk: DomainDisk) => PREFIX[disk.disk?.bus ?? disk.lun?.bus ?? "virtio"] ?? "vd";
  const disk = disks.find(candidate => candidate.name === volume);
  if (!disk) return undefined;
  const prefix = prefixOf(disk);
  const index = disks.filter(candidate => prefixOf(candidate) === prefix).indexOf(disk);
  return `${prefix}${String.fromCharCode("a".charCodeAt(0) + index)}`;
}

/** The attachment pod virt-controller named as ready (its uid), running on the node. */
function attachmentPodRuns(vmi: KubeObject, status: VolumeStatus, snap: Pick<Snapshot, "pods">): boolean {
  const uid = status.hotplugVolume?.attachPodUID;
  if (!uid) return false;
  return [...snap.pods.values()].some(
    pod => pod.metadata.namespace === vmi.metadata.namespace && pod.metadata.uid === uid && pod.status?.phase === "Running" && !pod.metadata.deletionTimestamp,
  );
}

/** The next step of one hot-plug volume's status, or undefined when virt-handler has nothing to do. */
export function nextVolumeStatus(vmi: KubeObject, status: VolumeStatus, snap: Pick<Snapshot, "pods">): VolumeStatus | undefined {
  if (!status.hotplugVolume) return undefined;
  const inSpec = ((vmi.spec?.volumes ?? []) as { name?: string }[]).some(volume => volume.name === status.name);
  const phase = status.phase ?? "";
  if (inSpec && CAN_MOUNT.has(phase) && attachmentPodRuns(vmi, status, snap))
    return { ...status, phase: "MountedToPod", reason: MOUNTED_REASON, message: `Volume ${status.name} has been mounted in virt-launcher pod` };
  if (inSpec && phase === "MountedToPod") {
    const target = targetOf(vmi, status.name);
    if (!target) return undefined; // virt-controller adds the disk with the volume; wait for it
    return { ...status, phase: "Ready", target, reason: READY_REASON, message: `Successfully attach hotplugged volume ${status.name} to VM` };
  }
  // The device is gone: target "", not absent (the VMI CRD requires volumeStatus[].target; virt-handler writes "").
  if (!inSpec && CAN_UNMOUNT.has(phase))
    return {
      ...status,
      target: "",
      phase: "UnMountedFromPod",
      reason: UNMOUNTED_REASON,
      message: `Volume ${status.name} has been unmounted from virt-launcher pod`,
    };
  return undefined;
}

export function planVolumeHotplug(vmi: KubeObject, snap: Pick<Snapshot, "pods" | "nodes">): Plan {
  const node = vmi.status?.nodeName;
  if (!node || !snap.nodes.has(`/${node}`) || vmi.status?.phase !== "Running" || vmi.metadata.deletionTimestamp) return [];
  const current: VolumeStatus[] = vmi.status?.volumeStatus ?? [];
  const steps = current.map(status => ({ status, next: nextVolumeStatus(vmi, status, snap) }));
  const changed = steps.filter(step => step.next);
  if (changed.length === 0) return [];
  const volumeStatus = steps.map(step => step.next ?? step.status);
  const told = changed.map(({ status, next }) => `${status.name} ${status.phase} -> ${next?.phase}${next?.target ? ` (${next.target})` : ""}`).join(", ");
  return [
    {
      type: "patch",
      res: VMI,
      namespace: vmi.metadata.namespace ?? "",
      name: vmi.metadata.name ?? "",
      // The resourceVersion makes the write fail (and retry next tick) if virt-controller changed the list meanwhile.
      patch: { metadata: { resourceVersion: vmi.metadata.resourceVersion }, status: { volumeStatus } },
      log: `[virt-handler] ${keyOf(vmi)} hot-plug volumes: ${told}`,
    },
  ];
}

export function planVolumeHotplugs(snap: Snapshot): Plan[] {
  const simulated = [...snap.vmis.values()].filter(vmi => !wantsRealGuest(vmi, snap.wukongs));
  return planEach(simulated, "virtualmachineinstances", vmi => planVolumeHotplug(vmi, snap));
}
