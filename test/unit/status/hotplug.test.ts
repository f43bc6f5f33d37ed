// status.hotpluggedDisks from the VMI's volumeStatus, with the phases KubeVirt v1.7.4 writes:
// pkg/virt-controller/watch/vmi/storage.go (updateVolumeStatus: Bound from the claim, AttachedToNode with the
// attachment pod, Detaching while a removed volume's pod remains), pkg/virt-handler/vm.go (updateHotplugVolumeStatus:
// MountedToPod, Ready with `target`, UnMountedFromPod), staging/src/kubevirt.io/api/core/v1/types.go (the VolumePhase
// names) and pkg/virt-controller/watch/vm/vm.go (Failure, reason HotPlugVolumeError).
import { hotpluggedDiskStatuses } from "../../../lib/status/hotplug";
import type { ObservedVirtualMachine, ObservedVirtualMachineInstance, ObservedVolumeStatus } from "../../../lib/status/observed";
import type { WukongSpec } from "../../../schemas/spec";

const spec: WukongSpec = {
  cpu: 1,
  memory: "1Gi",
  disks: [
    { name: "system", size: "10Gi", boot: true },
    { name: "data", size: "2Gi" },
  ],
};

const hotplugVm = (conditions: ObservedVirtualMachine["status"] = {}): ObservedVirtualMachine => ({
  spec: {
    template: {
      spec: {
        volumes: [
          { name: "system", persistentVolumeClaim: {} },
          { name: "data", persistentVolumeClaim: { hotpluggable: true } },
        ],
      },
    },
  },
  status: conditions,
});

const vmi = (volumes: string[], volumeStatus: ObservedVolumeStatus[] = [], phase = "Running"): ObservedVirtualMachineInstance => ({
  spec: { volumes: volumes.map(name => ({ name, persistentVolumeClaim: { hotpluggable: name === "data" } })) },
  status: { phase, volumeStatus },
});

describe("status.hotpluggedDisks (lib/status/hotplug.ts)", () => {
  it("Pending while virt-controller has not added the disk to the VMI, saying why when a gate keeps it out", () => {
    expect(hotpluggedDiskStatuses(spec, hotplugVm(), vmi(["system"]))).toEqual([
      { name: "data", state: "Pending", message: "Waiting for KubeVirt to add disk data to the running VM." },
    ]);
    const [gated] = hotpluggedDiskStatuses(spec, hotplugVm(), vmi(["system"]), "KubeVirt's DeclarativeHotplugVolumes feature gate is not enabled");
    expect(gated.message).toBe("Waiting for KubeVirt to add disk data to the running VM: KubeVirt's DeclarativeHotplugVolumes feature gate is not enabled.");
  });

  it.each(["Bound", "AttachedToNode", "MountedToPod"])("Pending through KubeVirt's phase %s, naming it", phase => {
    const [status] = hotpluggedDiskStatuses(
      spec,
      hotplugVm(),
      vmi(["system", "data"], [{ name: "data", phase, message: "Created hotplug attachment pod hp-volume-x, for volume data", hotplugVolume: {} }]),
    );
    expect(status).toEqual({
      name: "data",
      state: "Pending",
      phase,
      message: `KubeVirt is attaching disk data (${phase}: Created hotplug attachment pod hp-volume-x, for volume data).`,
    });
  });

  it("Plugged once virt-handler reports Ready, with the guest device", () => {
    const ready = { name: "data", phase: "Ready", target: "sda", hotplugVolume: { attachPodName: "hp-volume-x" } };
    expect(hotpluggedDiskStatuses(spec, hotplugVm(), vmi(["system", "data"], [ready]))).toEqual([
      { name: "data", state: "Plugged", phase: "Ready", target: "sda", message: "Disk data is attached to the running VM as sda." },
    ]);
  });

  it("Failed when virt-controller reports a hot-plug error on the VM", () => {
    const failing = hotplugVm({
      conditions: [
        { type: "Failure", status: "True", reason: "HotPlugVolumeError", message: "Error encountered while handling declarative hotplug volumes: boom" },
      ],
    });
    expect(hotpluggedDiskStatuses(spec, failing, vmi(["system"]))).toEqual([
      { name: "data", state: "Failed", message: "KubeVirt could not hot-plug disk data: Error encountered while handling declarative hotplug volumes: boom." },
    ]);
  });

  it("Unplugging while a removed disk is still in the VMI or has a hot-plug volume status; gone once KubeVirt drops it", () => {
    const removed: WukongSpec = { ...spec, disks: [spec.disks![0]] };
    const vm: ObservedVirtualMachine = { spec: { template: { spec: { volumes: [{ name: "system", persistentVolumeClaim: {} }] } } } };
    expect(hotpluggedDiskStatuses(removed, vm, vmi(["system", "data"], [{ name: "data", phase: "Ready", hotplugVolume: {} }]))).toEqual([
      { name: "data", state: "Unplugging", phase: "Ready", message: "KubeVirt is detaching disk data from the running VM (Ready)." },
    ]);
    expect(hotpluggedDiskStatuses(removed, vm, vmi(["system"], [{ name: "data", phase: "Detaching", hotplugVolume: {} }]))).toEqual([
      { name: "data", state: "Unplugging", phase: "Detaching", message: "KubeVirt is detaching disk data from the running VM (Detaching)." },
    ]);
    expect(hotpluggedDiskStatuses(removed, vm, vmi(["system"], [{ name: "system", phase: "Ready" }]))).toEqual([]);
  });

  it("nothing while no VMI runs, nor for disks the VM booted with", () => {
    expect(hotpluggedDiskStatuses(spec, hotplugVm(), undefined)).toEqual([]);
    expect(hotpluggedDiskStatuses(spec, hotplugVm(), vmi(["system", "data"], [], "Succeeded"))).toEqual([]);
    const plain: ObservedVirtualMachine = { spec: { template: { spec: { volumes: [{ name: "system" }, { name: "data", persistentVolumeClaim: {} }] } } } };
    const booted: ObservedVirtualMachineInstance = {
      spec: { volumes: [{ name: "system" }, { name: "data", persistentVolumeClaim: {} }] },
      status: { phase: "Running" },
    };
    expect(hotpluggedDiskStatuses(spec, plain, booted)).toEqual([]);
  });
});
