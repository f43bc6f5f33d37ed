// The KubeVirt VirtualMachine: CPU and memory, one disk per Wukong disk plus the cloud-init disk, one interface
// per NIC, and placement. Always runStrategy, never the deprecated `running` (KubeVirt rejects both together).
import { LABELS, type WukongSpec } from "../../schemas/wukong";
import type { KubernetesObject } from "./kubernetes-object";
import { cloudInitSecretName, diskClaimName, virtualMachineName } from "../../schemas/child-names";
import type { Nic } from "../networks/nics";
import { childMetadata, ownerLabels, type Owner } from "./ownership";
import { haGroupOf, placement } from "./placement";
import { bootDisk, runStrategyOf, type SpecifiedWukong } from "./spec-defaults";
import { diskImage } from "./storage";
import { HOTPLUG_DISK_BUS } from "./hotplug";
import { attachedNadName } from "../../schemas/networks/names";
import { hasPodNetwork } from "../networks/defaults";
import { evictionOf } from "./eviction";

export const VM_API_VERSION = "kubevirt.io/v1";
export const CLOUD_INIT_DISK = "cloudinitdisk";

/**
 * `templateAnnotations`: what the VMI should carry from birth (the cloud-init digests). `hotplugged`: the disks
 * declared hot-pluggable (lib/children/hotplug.ts), which KubeVirt attaches to the running VM.
 */
export function virtualMachine(
  owner: Owner,
  wukong: SpecifiedWukong,
  nics: Nic[],
  templateAnnotations: Record<string, string>,
  hotplugged: ReadonlySet<string> = new Set(),
): KubernetesObject {
  const { spec } = wukong;
  const haGroup = haGroupOf(wukong);
  const templateLabels = { ...ownerLabels(owner), ...(haGroup !== undefined && { [LABELS.haGroup]: haGroup }) };
  return {
    apiVersion: VM_API_VERSION,
    kind: "VirtualMachine",
    metadata: childMetadata(owner, virtualMachineName(owner.name)),
    spec: {
      runStrategy: runStrategyOf(spec),
      template: {
        metadata: { labels: templateLabels, annotations: templateAnnotations },
        spec: {
          domain: domain(spec, nics, hotplugged),
          networks: nics.map(nic => network(owner, nic)),
          volumes: volumes(owner, spec, hotplugged),
          evictionStrategy: evictionOf(spec).strategy,
          ...accessCredentials(spec),
          ...placement(wukong),
        },
      },
    },
  };
}

function domain(spec: WukongSpec, nics: Nic[], hotplugged: ReadonlySet<string>) {
  const boot = bootDisk(spec);
  // A hot-plugged disk carries its name as serial: the guest finds it under /dev/disk/by-id whatever device it got
  // (KubeVirt passes `serial` to the domain, pkg/virt-launcher/virtwrap/converter/converter.go; a DNS label is a valid
  // serial, pkg/storage/admitters/disks.go).
  const disks = (spec.disks ?? []).map(disk =>
    hotplugged.has(disk.name)
      ? { name: disk.name, disk: { bus: HOTPLUG_DISK_BUS }, serial: disk.name }
      : { name: disk.name, disk: { bus: "virtio" }, ...(disk === boot && { bootOrder: 1 }) },
  );
  return {
    ...sizing(spec),
    devices: {
      // Without any interface KubeVirt would attach the pod network on its own.
      ...(!hasPodNetwork(spec) && { autoattachPodInterface: false }),
      disks: [...disks, { name: CLOUD_INIT_DISK, disk: { bus: "virtio" } }],
      interfaces: nics.map(nic => ({ name: nic.name, ...binding(nic), macAddress: nic.macAddress })),
      ...(spec.gpus?.length && { gpus: spec.gpus.map(gpu => ({ name: gpu.name, deviceName: gpu.deviceName })) }),
    },
  };
}

/**
 * CPU as sockets and memory as guest only: the two fields virt-controller v1.7.4 changes in a running VMI under
 * LiveUpdate (pkg/virt-controller/watch/vm/vm.go, syncRestartRequired copies exactly these over; any other template
 * change, a memory request included, sets RestartRequired). The launcher pod's memory request follows the guest
 * (pkg/virt-controller/services/renderresources.go, WithMemoryRequests). The headroom only when the user gives it:
 * otherwise KubeVirt derives its own (pkg/defaults/defaults.go, setupCPUHotplug/setupMemoryHotplug).
 */
function sizing(spec: WukongSpec) {
  const { maxCpu, maxMemory } = spec.limits ?? {};
  return {
    cpu: { sockets: spec.cpu, cores: 1, threads: 1, ...(maxCpu !== undefined && { maxSockets: maxCpu }) },
    memory: { guest: spec.memory, ...(maxMemory !== undefined && { maxGuest: maxMemory }) },
  };
}

/** masquerade for the pod network; bridge for Linux bridge and OVS; sriov for a VF. */
function binding(nic: Nic): Record<string, Record<string, never>> {
  if (!nic.network) return { masquerade: {} };
  return nic.network.type === "sriov" ? { sriov: {} } : { bridge: {} };
}

function network(owner: Owner, nic: Nic) {
  if (!nic.network) return { name: nic.name, pod: {} };
  const networkName = `${owner.namespace}/${attachedNadName(owner.name, nic.network)}`;
  // A primary network is Multus's default network for the launcher pod, in place of the pod network.
  return { name: nic.name, multus: { networkName, ...(nic.network.primary === true && { default: true }) } };
}

/**
 * dataVolume for imported disks, so KubeVirt waits for the import; persistentVolumeClaim for blank ones. Both take
 * `hotpluggable` (kubevirt v1.7.4 pkg/storage/types/pvc.go, IsDeclarativeHotplugVolume).
 */
function volumes(owner: Owner, spec: WukongSpec, hotplugged: ReadonlySet<string>) {
  const disks = (spec.disks ?? []).map(disk => {
    const claimName = diskClaimName(owner.name, disk.name);
    const hotpluggable = hotplugged.has(disk.name) && { hotpluggable: true };
    return diskImage(spec, disk)
      ? { name: disk.name, dataVolume: { name: claimName, ...hotpluggable } }
      : { name: disk.name, persistentVolumeClaim: { claimName, ...hotpluggable } };
  });
  const ours = cloudInitSecretName(owner.name);
  const userDataSecret = spec.cloudInit?.userDataSecretRef?.name ?? ours;
  return [...disks, { name: CLOUD_INIT_DISK, cloudInitNoCloud: { secretRef: { name: userDataSecret }, networkDataSecretRef: { name: ours } } }];
}

/** noCloud propagation puts the keys into the cloud-init meta-data, so it needs the cloudInitNoCloud volume above. */
function accessCredentials(spec: WukongSpec) {
  if (!spec.sshKeySecret) return {};
  return {
    accessCredentials: [{ sshPublicKey: { source: { secret: { secretName: spec.sshKeySecret } }, propagationMethod: { noCloud: {} } } }],
  };
}
