// Which disks the VirtualMachine declares as hot-plug disks. KubeVirt v1.7.4 hot-plugs declaratively
// (DeclarativeHotplugVolumes): virt-controller adds a VM volume with `hotpluggable: true` that the running VMI lacks
// to the VMI, and removes one that left the VM (pkg/storage/hotplug/hotplug.go, HandleDeclarativeVolumes); such a
// change needs no restart (pkg/virt-controller/watch/vm/vm.go, validLiveUpdateVolumes/validLiveUpdateDisks), while a
// plain volume added or removed sets RestartRequired. So a disk added while a VMI runs is declared hot-pluggable,
// and stays so for the life of the VM (as `virtctl addvolume --persist` leaves it): flipping it back would change a
// hot-plug volume, which KubeVirt answers by unplugging it (hotplug.go, "volume changed") or with RestartRequired.
import type { WukongSpec } from "../../schemas/spec";
import { bootDisk } from "./spec-defaults";

/**
 * KubeVirt v1.7.4 pkg/storage/admitters/storagehotplug.go (ValidateHotplugDiskConfiguration) admits `scsi` or
 * `virtio` for a hot-plugged disk. SCSI, as `virtctl addvolume` defaults to: a virtio disk takes one of the few
 * free PCIe root ports virt-launcher reserves (pkg/virt-launcher/virtwrap/manager.go, calculateHotplugPortCountV2),
 * which NIC hot-plug needs too.
 */
export const HOTPLUG_DISK_BUS = "scsi";

/** What the cluster shows of the Wukong's VM now: read from the live VirtualMachine and its VMI. */
export interface HotplugContext {
  /** Volumes the live VM's template already declares hot-pluggable. */
  hotpluggable: ReadonlySet<string>;
  /** The volumes of the VMI that is running or starting; undefined when none is (a new disk then boots with the VM). */
  instanceVolumes?: ReadonlySet<string>;
}

const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

interface LiveVolume {
  name?: unknown;
  persistentVolumeClaim?: { hotpluggable?: unknown };
  dataVolume?: { hotpluggable?: unknown };
}

/** From the live VirtualMachine and VirtualMachineInstance (as the API server returned them), either absent. */
export function hotplugContext(
  vm: { spec?: Record<string, unknown> } | undefined,
  vmi: { spec?: Record<string, unknown>; status?: Record<string, unknown>; metadata?: { deletionTimestamp?: string } } | undefined,
): HotplugContext {
  const template = (vm?.spec?.template as { spec?: { volumes?: unknown } } | undefined)?.spec;
  const hotpluggable = new Set(
    volumesOf(template?.volumes)
      .filter(isHotpluggable)
      .map(volume => String(volume.name)),
  );
  const active = vmi && !vmi.metadata?.deletionTimestamp && !FINAL_PHASES.has(String(vmi.status?.phase ?? ""));
  // A VMI always lists its volumes (the cloud-init disk at least); one read without them tells nothing.
  if (!active || !Array.isArray(vmi.spec?.volumes)) return { hotpluggable };
  return { hotpluggable, instanceVolumes: new Set(volumesOf(vmi.spec?.volumes).map(volume => String(volume.name))) };
}

/** The disks to declare hot-pluggable: those the VM already hot-plugs, and new ones of a running VM (never the boot disk). */
export function hotplugDisks(spec: WukongSpec, context: HotplugContext | undefined): Set<string> {
  if (!context) return new Set();
  const boot = bootDisk(spec)?.name;
  const running = context.instanceVolumes;
  return new Set(
    (spec.disks ?? [])
      .map(disk => disk.name)
      .filter(name => name !== boot && (context.hotpluggable.has(name) || (running !== undefined && !running.has(name)))),
  );
}

/** Hot-plug disks the running VMI does not have yet: what KubeVirt still has to attach. */
export function pendingHotplugDisks(spec: WukongSpec, context: HotplugContext): string[] {
  const running = context.instanceVolumes;
  if (!running) return [];
  return [...hotplugDisks(spec, context)].filter(name => !running.has(name));
}

function volumesOf(volumes: unknown): LiveVolume[] {
  return Array.isArray(volumes) ? volumes.filter((volume): volume is LiveVolume => typeof volume?.name === "string") : [];
}

/** A VM or VMI volume KubeVirt treats as hot-plug (kubevirt v1.7.4 pkg/storage/types/pvc.go, IsDeclarativeHotplugVolume). */
export function isHotpluggable(volume: LiveVolume): boolean {
  return volume.persistentVolumeClaim?.hotpluggable === true || volume.dataVolume?.hotpluggable === true;
}
