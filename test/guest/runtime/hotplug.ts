// Volume hot-plug for a real guest: what virt-handler and virt-launcher do for a hot-plug volume of a running VMI,
// with QEMU. KubeVirt v1.7.4: virt-controller adds the volume and its disk to the VMI and moves its volumeStatus to
// AttachedToNode once the attachment pod runs (pkg/virt-controller/watch/vmi/storage.go); virt-handler mounts the
// claim into the launcher pod (MountedToPod), virt-launcher attaches the disk to the domain and the handler reports it
// Ready with its device; a volume gone from the VMI is detached and unmounted (UnMountedFromPod)
// (pkg/virt-handler/vm.go, updateHotplugVolumeStatus). Here "mounting" is making the claim's disk file, attaching is
// QMP blockdev-add + device_add (scsi-hd on the virtio-scsi controller every guest gets, or virtio-blk-pci), and
// detaching is device_del + blockdev-del. The steps are test/simulator/virt-handler-hotplug.ts's; only the side
// effects differ. What is plugged is asked of QEMU (its device ids), so a restarted simulator resumes correctly.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import type { KubeObject } from "../../simulator/resources";
import { nextVolumeStatus, type VolumeStatus } from "../../simulator/virt-handler-hotplug";
import type { Snapshot } from "../../simulator/snapshot";
import { parseQuantity } from "../../simulator/quantity";
import { type HostLayout, runOk, volumePath } from "./host";
import { qmp } from "./qemu-socket";

/** The virtio-scsi controller every guest gets (KubeVirt's domain has one too), for scsi hot-plug disks. */
export const SCSI_CONTROLLER_ARGS = ["-device", "virtio-scsi-pci,id=scsi0"];

export interface HotplugDisk {
  name: string;
  claim: string;
  bus: "scsi" | "virtio";
  /** KubeVirt passes the disk's serial to the domain; without one the guest runtime names it after the disk. */
  serial: string;
}

/** A hot-plug volume: `hotpluggable` on its claim or DataVolume (kubevirt v1.7.4 pkg/storage/types/pvc.go). */
export function isHotplugVolume(volume: { persistentVolumeClaim?: { hotpluggable?: boolean }; dataVolume?: { hotpluggable?: boolean } }): boolean {
  return volume.persistentVolumeClaim?.hotpluggable === true || volume.dataVolume?.hotpluggable === true;
}

/** The VMI's hot-plug disks: each hot-plug volume that has its disk (virt-controller adds both at once). */
export function hotplugDisksOf(vmi: KubeObject): HotplugDisk[] {
  const disks: { name?: string; serial?: string; disk?: { bus?: string } }[] = vmi.spec?.domain?.devices?.disks ?? [];
  const volumes: {
    name?: string;
    persistentVolumeClaim?: { claimName?: string; hotpluggable?: boolean };
    dataVolume?: { name?: string; hotpluggable?: boolean };
  }[] = vmi.spec?.volumes ?? [];
  return volumes.filter(isHotplugVolume).flatMap(volume => {
    const disk = disks.find(candidate => candidate.name === volume.name);
    const claim = volume.persistentVolumeClaim?.claimName ?? volume.dataVolume?.name;
    if (!disk || !claim || !volume.name) return [];
    const bus = disk.disk?.bus === "virtio" ? "virtio" : "scsi";
    // QEMU caps serials: 36 bytes for scsi-hd, 20 for virtio-blk.
    return [{ name: volume.name, claim, bus, serial: String(disk.serial ?? volume.name).slice(0, bus === "scsi" ? 36 : 20) }];
  });
}

const deviceId = (name: string) => `hotplug-${name}`;
const nodeName = (name: string) => `drive-hotplug-${name}`;

/** The QMP commands that attach a disk file to the running guest. */
export function plugCommands(disk: HotplugDisk, file: string): { execute: string; arguments: object }[] {
  const device =
    disk.bus === "scsi"
      ? { driver: "scsi-hd", bus: "scsi0.0", drive: nodeName(disk.name), id: deviceId(disk.name), serial: disk.serial }
      : { driver: "virtio-blk-pci", drive: nodeName(disk.name), id: deviceId(disk.name), serial: disk.serial };
  return [
    { execute: "blockdev-add", arguments: { driver: "qcow2", "node-name": nodeName(disk.name), file: { driver: "file", filename: file } } },
    { execute: "device_add", arguments: device },
  ];
}

/** The names of the disks hot-plugged into the guest now, from QEMU's own device list. */
export async function pluggedDisks(qmpSocket: string): Promise<Set<string>> {
  const devices = (await qmp(qmpSocket, "qom-list", { path: "/machine/peripheral" })) as { name: string }[];
  const prefix = deviceId("");
  return new Set(devices.filter(device => device.name.startsWith(prefix)).map(device => device.name.slice(prefix.length)));
}

export async function plugDisk(qmpSocket: string, disk: HotplugDisk, file: string): Promise<void> {
  for (const command of plugCommands(disk, file)) await qmp(qmpSocket, command.execute, command.arguments);
}

/** device_del (the guest is told), then, once QEMU has removed the device, the block node. */
export async function unplugDisk(qmpSocket: string, name: string, timeoutMs = 30_000): Promise<void> {
  if ((await pluggedDisks(qmpSocket)).has(name)) await qmp(qmpSocket, "device_del", { id: deviceId(name) });
  const deadline = Date.now() + timeoutMs;
  while ((await pluggedDisks(qmpSocket)).has(name)) {
    if (Date.now() > deadline) throw new Error(`disk ${name}: device_del not completed in ${timeoutMs} ms`);
    await new Promise(resolve => setTimeout(resolve, 200));
  }
  // The device lets go of its block node a moment after it leaves the device tree.
  for (;;) {
    const nodes = (await qmp(qmpSocket, "query-named-block-nodes")) as { "node-name"?: string }[];
    if (!nodes.some(node => node["node-name"] === nodeName(name))) return;
    const error = await qmp(qmpSocket, "blockdev-del", { "node-name": nodeName(name) }).then(
      () => undefined,
      (err: Error) => err,
    );
    if (error && Date.now() > deadline) throw new Error(`disk ${name}: blockdev-del failed: ${error.message}`);
    if (error) await new Promise(resolve => setTimeout(resolve, 200));
  }
}

/** The claim's disk file, made once (a sparse qcow2 of the claim's capacity, as a blank disk at boot). */
export async function ensureDiskFile(layout: HostLayout, namespace: string, claim: string, sizeBytes: number): Promise<string> {
  await mkdir(layout.volumeDir, { recursive: true });
  const file = volumePath(layout, namespace, claim);
  if (!existsSync(file)) await runOk("qemu-img", ["create", "-q", "-f", "qcow2", file, String(sizeBytes)]);
  return file;
}

/**
 * One tick for a running guest: takes each hot-plug volume one step (test/simulator/virt-handler-hotplug.ts) and does
 * its side effect first; returns the new volumeStatus when something moved, to be written with the VMI's
 * resourceVersion.
 */
export async function syncGuestHotplug(
  vmi: KubeObject,
  qmpSocket: string,
  layout: HostLayout,
  snap: Pick<Snapshot, "pods" | "pvcs">,
  log: (line: string) => void,
): Promise<VolumeStatus[] | undefined> {
  const current: VolumeStatus[] = vmi.status?.volumeStatus ?? [];
  const disks = new Map(hotplugDisksOf(vmi).map(disk => [disk.name, disk]));
  const ns = vmi.metadata.namespace ?? "";
  let moved = false;
  const next: VolumeStatus[] = [];
  for (const status of current) {
    const step = nextVolumeStatus(vmi, status, snap);
    const disk = disks.get(status.name);
    if ((step?.phase === "MountedToPod" || step?.phase === "Ready") && !disk) {
      next.push(status); // not a disk this runtime can attach (no claim, or no disk for the volume)
      continue;
    }
    if (step?.phase === "MountedToPod" && disk) {
      const size = parseQuantity(snap.pvcs.get(`${ns}/${disk.claim}`)?.status?.capacity?.storage);
      if (!size) {
        next.push(status); // the claim reports no capacity yet
        continue;
      }
      await ensureDiskFile(layout, ns, disk.claim, size);
    } else if (step?.phase === "Ready" && disk) {
      if (!(await pluggedDisks(qmpSocket)).has(disk.name)) await plugDisk(qmpSocket, disk, volumePath(layout, ns, disk.claim));
      log(`disk ${disk.name} hot-plugged (QMP device_add ${disk.bus === "scsi" ? "scsi-hd" : "virtio-blk-pci"}, serial ${disk.serial})`);
    } else if (step?.phase === "UnMountedFromPod") {
      await unplugDisk(qmpSocket, status.name);
      log(`disk ${status.name} unplugged (QMP device_del)`);
    }
    moved ||= step !== undefined;
    next.push(step ?? status);
  }
  return moved ? next : undefined;
}
