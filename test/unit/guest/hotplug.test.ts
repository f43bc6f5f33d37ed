// What the real-guest runtime reads of a VMI's hot-plug volumes, and the QMP it sends for them. The VM is what the
// operator builds for a disk added to a running Wukong (lib/children/hotplug.ts); virt-controller copies its volume and
// disk into the VMI (kubevirt v1.7.4 pkg/storage/hotplug/hotplug.go). Hot-plug volumes are never boot disks: KubeVirt
// leaves them out of the launcher pod and attaches them afterwards (pkg/virt-controller/services/rendervolumes.go,
// hotplugVolumes).
import { desiredChildren } from "../../../lib/children";
import { hotplugContext } from "../../../lib/children/hotplug";
import { guestSpec, type Lookup } from "../../guest/runtime/guest-spec";
import { hotplugDisksOf, plugCommands } from "../../guest/runtime/hotplug";
import type { KubeObject } from "../../simulator/resources";
import { wukong } from "../children/fixtures";

const runningWithSystemOnly = { spec: { volumes: [{ name: "system" }, { name: "cloudinitdisk" }] }, status: { phase: "Running" } };
const vm = desiredChildren(
  wukong("box", {
    cpu: 1,
    memory: "1Gi",
    disks: [
      { name: "system", size: "4Gi", boot: true },
      { name: "data", size: "1Gi" },
    ],
  }),
  { hotplug: hotplugContext(undefined, runningWithSystemOnly) },
).virtualMachine as KubeObject;
const vmi: KubeObject = { metadata: { name: "box", namespace: "default", uid: "vmi-1" }, spec: vm.spec.template.spec };

describe("the real-guest runtime's hot-plug disks (test/guest/runtime/hotplug.ts)", () => {
  it("reads the VMI's hot-plug disk: its claim, scsi bus and the serial the operator gave it", () => {
    expect(hotplugDisksOf(vmi)).toEqual([{ name: "data", claim: "box-data", bus: "scsi", serial: "data" }]);
  });

  it("boots without it: hot-plug volumes are attached after start", () => {
    const bound: KubeObject = { metadata: {}, status: { phase: "Bound", capacity: { storage: "4Gi" } } };
    const lookup: Lookup = {
      secret: () => ({ metadata: { name: "s" }, data: { userdata: "", networkdata: "" } }),
      pvc: () => bound,
      dataVolume: () => undefined,
      nad: () => undefined,
    };
    expect(guestSpec(vmi, lookup).disks.map(disk => disk.name)).toEqual(["system"]);
  });

  it("attaches it as scsi-hd on the virtio-scsi controller, with its serial; a virtio disk as virtio-blk-pci", () => {
    expect(plugCommands({ name: "data", claim: "box-data", bus: "scsi", serial: "data" }, "/v/default_box-data.qcow2")).toEqual([
      {
        execute: "blockdev-add",
        arguments: { driver: "qcow2", "node-name": "drive-hotplug-data", file: { driver: "file", filename: "/v/default_box-data.qcow2" } },
      },
      { execute: "device_add", arguments: { driver: "scsi-hd", bus: "scsi0.0", drive: "drive-hotplug-data", id: "hotplug-data", serial: "data" } },
    ]);
    expect(plugCommands({ name: "logs", claim: "box-logs", bus: "virtio", serial: "logs" }, "/f")[1]).toEqual({
      execute: "device_add",
      arguments: { driver: "virtio-blk-pci", drive: "drive-hotplug-logs", id: "hotplug-logs", serial: "logs" },
    });
  });

  it("ignores volumes that are not hot-plugged, and a hot-plug volume whose disk is not there yet", () => {
    const partial: KubeObject = {
      metadata: { name: "box" },
      spec: {
        domain: { devices: { disks: [] } },
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "box-data", hotpluggable: true } }, { name: "system" }],
      },
    };
    expect(hotplugDisksOf(partial)).toEqual([]);
  });
});
