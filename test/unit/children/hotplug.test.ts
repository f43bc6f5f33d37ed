// Disks added to a running Wukong become declarative hot-plug volumes of its VM. What KubeVirt v1.7.4 reads:
// pkg/storage/types/pvc.go (IsDeclarativeHotplugVolume: `hotpluggable` on a persistentVolumeClaim or dataVolume
// volume), pkg/storage/hotplug/hotplug.go (HandleDeclarativeVolumes: such a VM volume the running VMI lacks is added
// to it, with its disk; one gone from the VM is removed), pkg/virt-controller/watch/vm/vm.go (validLiveUpdateVolumes:
// a hot-plug volume added or removed is no RestartRequired) and pkg/storage/admitters/storagehotplug.go
// (ValidateHotplugDiskConfiguration: a hot-plugged disk's bus is scsi or virtio). Its `serial` (the disk's name)
// reaches the domain (pkg/virt-launcher/virtwrap/converter/converter.go, Convert_v1_Disk_To_api_Disk), and virt-api
// admits a DNS label as one (pkg/storage/admitters/disks.go, validateSerialNumValue/validateSerialNumLength:
// [A-Za-z0-9_.+-], at most 256 characters).
import { desiredChildren } from "../../../lib/children";
import { HOTPLUG_DISK_BUS, hotplugContext, hotplugDisks } from "../../../lib/children/hotplug";
import type { WukongSpec } from "../../../schemas/spec";
import { vmTemplateSpec, wukong } from "./fixtures";
import { strictProblems } from "./strict-schema";

const spec: WukongSpec = {
  cpu: 1,
  memory: "1Gi",
  disks: [
    { name: "system", size: "10Gi", boot: true, image: "http://images.example/debian.qcow2" },
    { name: "data", size: "2Gi" },
    { name: "scratch", size: "1Gi", image: "http://images.example/blank.qcow2" },
  ],
};

type Volume = { name: string; persistentVolumeClaim?: { claimName: string; hotpluggable?: boolean }; dataVolume?: { name: string; hotpluggable?: boolean } };
type Disk = { name: string; disk: { bus: string }; bootOrder?: number };

function vmOf(hotplug: ReturnType<typeof hotplugContext> | undefined) {
  const template = vmTemplateSpec(desiredChildren(wukong("db", spec), { hotplug }).virtualMachine) as {
    volumes: Volume[];
    domain: { devices: { disks: Disk[] } };
  };
  return { volumes: template.volumes, disks: template.domain.devices.disks };
}

const runningVmi = (volumes: string[], phase = "Running") => ({ spec: { volumes: volumes.map(name => ({ name })) }, status: { phase } });

describe("hot-plug disks (lib/children/hotplug.ts)", () => {
  it("a VM that is not running boots with every disk: nothing hot-pluggable", () => {
    expect(hotplugDisks(spec, hotplugContext(undefined, undefined))).toEqual(new Set());
    expect(hotplugDisks(spec, undefined)).toEqual(new Set());
    const { volumes, disks } = vmOf(hotplugContext(undefined, undefined));
    expect(volumes.filter(volume => volume.persistentVolumeClaim?.hotpluggable || volume.dataVolume?.hotpluggable)).toEqual([]);
    expect(disks.map(disk => disk.disk.bus)).toEqual(["virtio", "virtio", "virtio", "virtio"]);
  });

  it("disks the running VMI lacks are declared hot-pluggable on the scsi bus, blank (PVC) and imported (DataVolume) alike", () => {
    const context = hotplugContext(undefined, runningVmi(["system", "cloudinitdisk"]));
    expect(hotplugDisks(spec, context)).toEqual(new Set(["data", "scratch"]));
    const { volumes, disks } = vmOf(context);
    expect(volumes).toEqual([
      { name: "system", dataVolume: { name: "db-system" } },
      { name: "data", persistentVolumeClaim: { claimName: "db-data", hotpluggable: true } },
      { name: "scratch", dataVolume: { name: "db-scratch", hotpluggable: true } },
      expect.objectContaining({ name: "cloudinitdisk" }),
    ]);
    expect(disks).toEqual([
      { name: "system", disk: { bus: "virtio" }, bootOrder: 1 },
      { name: "data", disk: { bus: HOTPLUG_DISK_BUS }, serial: "data" },
      { name: "scratch", disk: { bus: HOTPLUG_DISK_BUS }, serial: "scratch" },
      { name: "cloudinitdisk", disk: { bus: "virtio" } },
    ]);
    expect(HOTPLUG_DISK_BUS).toBe("scsi");
  });

  it("disks the VMI booted with stay plain: changing them would need a restart", () => {
    expect(hotplugDisks(spec, hotplugContext(undefined, runningVmi(["system", "data", "scratch", "cloudinitdisk"])))).toEqual(new Set());
  });

  it("a disk the VM already hot-plugs stays hot-pluggable, running or stopped (KubeVirt unplugs a changed hot-plug volume)", () => {
    const vm = { spec: { template: { spec: { volumes: [{ name: "data", persistentVolumeClaim: { claimName: "db-data", hotpluggable: true } }] } } } };
    expect(hotplugDisks(spec, hotplugContext(vm, undefined))).toEqual(new Set(["data"]));
    expect(hotplugDisks(spec, hotplugContext(vm, runningVmi(["system", "data", "scratch", "cloudinitdisk"])))).toEqual(new Set(["data"]));
  });

  it("a VMI that is starting counts as running; a finished or deleted one does not", () => {
    expect(hotplugDisks(spec, hotplugContext(undefined, runningVmi(["system"], "Scheduling")))).toEqual(new Set(["data", "scratch"]));
    expect(hotplugDisks(spec, hotplugContext(undefined, runningVmi(["system"], "Succeeded")))).toEqual(new Set());
    const deleted = { ...runningVmi(["system"]), metadata: { deletionTimestamp: "2026-12-07T23:00:00Z" } };
    expect(hotplugDisks(spec, hotplugContext(undefined, deleted))).toEqual(new Set());
  });

  it("a VMI read without its volumes tells nothing: no disk is taken for new", () => {
    expect(hotplugDisks(spec, hotplugContext(undefined, { status: { phase: "Running" } }))).toEqual(new Set());
  });

  it("never the boot disk, which must be there when the VM boots", () => {
    expect(hotplugDisks(spec, hotplugContext(undefined, runningVmi(["cloudinitdisk"])))).toEqual(new Set(["data", "scratch"]));
  });

  it("the hot-plug VM passes KubeVirt's CRD schema, newest and oldest supported", () => {
    const vm = desiredChildren(wukong("db", spec), { hotplug: hotplugContext(undefined, runningVmi(["system"])) }).virtualMachine;
    expect(strictProblems(vm, "newest")).toEqual([]);
    expect(strictProblems(vm, "oldest")).toEqual([]);
  });
});
