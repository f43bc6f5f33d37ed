// The simulated virt-handler's hot-plug steps, as kubevirt v1.7.4 pkg/virt-handler/vm.go (updateHotplugVolumeStatus,
// canUpdateToMounted, canUpdateToUnmounted) and pkg/virt-handler/controller.go (the reasons) take them.
import { KubeObject } from "./resources";
import { obj, snapshotWith } from "./test-helpers";
import { planVolumeHotplug, planVolumeHotplugs, targetOf, type VolumeStatus } from "./virt-handler-hotplug";

const disks = [
  { name: "system", disk: { bus: "virtio" } },
  { name: "cloudinitdisk", disk: { bus: "virtio" } },
  { name: "data", disk: { bus: "scsi" } },
];
const volumes = [{ name: "system" }, { name: "cloudinitdisk" }, { name: "data", persistentVolumeClaim: { claimName: "vm-data", hotpluggable: true } }];

const vmi = (volumeStatus: VolumeStatus[], specVolumes = volumes, phase = "Running") =>
  obj("VirtualMachineInstance", "vm", {
    metadata: { uid: "vmi-uid", resourceVersion: "42" },
    spec: { domain: { devices: { disks: disks.filter(disk => specVolumes.some(volume => volume.name === disk.name)) } }, volumes: specVolumes },
    status: { phase, nodeName: "sim-node-1", volumeStatus },
  });
const attachmentPod = (phase: string) => obj("Pod", "hp-volume-abcde", { metadata: { uid: "pod-uid" }, status: { phase } });
const snap = (...pods: KubeObject[]) => {
  const s = snapshotWith({});
  s.nodes.set("/sim-node-1", obj("Node", "sim-node-1", {}, ""));
  pods.forEach(p => s.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p));
  return s;
};
const hotplug = (phase: string, attachPodUID = "pod-uid", extra: Partial<VolumeStatus> = {}): VolumeStatus => ({
  name: "data",
  phase,
  hotplugVolume: { attachPodName: "hp-volume-abcde", attachPodUID },
  ...extra,
});

/** The volumeStatus the plan writes, or undefined when it writes nothing. */
const written = (plan: ReturnType<typeof planVolumeHotplug>) =>
  (plan[0] as { patch: { metadata: { resourceVersion: string }; status: { volumeStatus: VolumeStatus[] } } } | undefined)?.patch;

describe("the simulated virt-handler's hot-plug steps", () => {
  it("mounts a volume into the launcher pod once its attachment pod runs: AttachedToNode -> MountedToPod", () => {
    const patch = written(planVolumeHotplug(vmi([{ name: "system", phase: "Ready" }, hotplug("AttachedToNode")]), snap(attachmentPod("Running"))));
    expect(patch?.metadata.resourceVersion).toBe("42");
    expect(patch?.status.volumeStatus).toEqual([
      { name: "system", phase: "Ready" },
      { ...hotplug("MountedToPod"), reason: "VolumeMountedToPod", message: "Volume data has been mounted in virt-launcher pod" },
    ]);
  });

  it("waits while the attachment pod is not ready (no uid from virt-controller) or not running", () => {
    expect(planVolumeHotplug(vmi([hotplug("AttachedToNode", "")]), snap(attachmentPod("Running")))).toEqual([]);
    expect(planVolumeHotplug(vmi([hotplug("AttachedToNode")]), snap(attachmentPod("Pending")))).toEqual([]);
    expect(planVolumeHotplug(vmi([hotplug("AttachedToNode")]), snap())).toEqual([]);
  });

  it("then attaches it to the domain: MountedToPod -> Ready with the guest device of its bus", () => {
    expect(written(planVolumeHotplug(vmi([hotplug("MountedToPod")]), snap(attachmentPod("Running"))))?.status.volumeStatus).toEqual([
      { ...hotplug("Ready"), target: "sda", reason: "VolumeReady", message: "Successfully attach hotplugged volume data to VM" },
    ]);
  });

  // The VMI CRD requires volumeStatus[].target (kubevirt.io/v1 VolumeStatus: `json:"target"`): absent, the API server
  // answered 422 "status.volumeStatus[1].target: Required value" and the volume was never unplugged.
  it("unmounts a volume gone from the VMI spec: Ready -> UnMountedFromPod, its device gone (target empty, not absent)", () => {
    const removed = vmi([hotplug("Ready", "pod-uid", { target: "sda" })], volumes.slice(0, 2));
    expect(written(planVolumeHotplug(removed, snap(attachmentPod("Running"))))?.status.volumeStatus).toEqual([
      { ...hotplug("UnMountedFromPod"), target: "", reason: "VolumeUnMountedFromPod", message: "Volume data has been unmounted from virt-launcher pod" },
    ]);
  });

  it("leaves what is virt-controller's: Detaching, Ready volumes still wanted, volumes that are not hot-plugged, VMIs not running", () => {
    expect(planVolumeHotplug(vmi([hotplug("Detaching")], volumes.slice(0, 2)), snap())).toEqual([]);
    expect(planVolumeHotplug(vmi([hotplug("Ready", "pod-uid", { target: "sda" })]), snap(attachmentPod("Running")))).toEqual([]);
    expect(planVolumeHotplug(vmi([{ name: "system", phase: "Bound" }]), snap())).toEqual([]);
    expect(planVolumeHotplug(vmi([hotplug("AttachedToNode")], volumes, "Scheduled"), snap(attachmentPod("Running")))).toEqual([]);
  });

  it("names devices per bus, in the VMI's disk order", () => {
    const two = obj("VirtualMachineInstance", "vm", { spec: { domain: { devices: { disks: [...disks, { name: "logs", disk: { bus: "scsi" } }] } } } });
    expect([targetOf(two, "system"), targetOf(two, "cloudinitdisk"), targetOf(two, "data"), targetOf(two, "logs"), targetOf(two, "none")]).toEqual([
      "vda",
      "vdb",
      "sda",
      "sdb",
      undefined,
    ]);
  });

  it("leaves real guests to their runtime", () => {
    const s = snap(attachmentPod("Running"));
    const guest = vmi([hotplug("AttachedToNode")]);
    guest.metadata.labels = { "vm.novasphere.dev/wukong": "vm" };
    s.vmis.set("ns1/vm", guest);
    expect(planVolumeHotplugs(s).flat()).toHaveLength(1);
    s.wukongs.set("ns1/vm", obj("Wukong", "vm", { metadata: { labels: { "sim.novasphere.dev/runtime": "qemu" } } }));
    expect(planVolumeHotplugs(s).flat()).toEqual([]);
  });
});
