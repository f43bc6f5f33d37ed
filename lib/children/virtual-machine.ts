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
import { attachedNadName } from "../../schemas/networks/names";
import { hasPodNetwork } from "../networks/defaults";
import { evictionOf } from "./eviction";

export const VM_API_VERSION = "kubevirt.io/v1";
export const CLOUD_INIT_DISK = "cloudinitdisk";

/** `templateAnnotations`: what the VMI should carry from birth (the cloud-init digests). */
export function virtualMachine(owner: Owner, wukong: SpecifiedWukong, nics: Nic[], templateAnnotations: Record<string, string>): KubernetesObject {
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
          domain: domain(spec, nics),
          networks: nics.map(nic => network(owner, nic)),
          volumes: volumes(owner, spec),
          evictionStrategy: evictionOf(spec).strategy,
          ...accessCredentials(spec),
          ...placement(wukong),
        },
      },
    },
  };
}

function domain(spec: WukongSpec, nics: Nic[]) {
  const boot = bootDisk(spec);
  const disks = (spec.disks ?? []).map(disk => ({ name: disk.name, disk: { bus: "virtio" }, ...(disk === boot && { bootOrder: 1 }) }));
  return {
    cpu: { cores: spec.cpu, sockets: 1, threads: 1 },
    memory: { guest: spec.memory },
    resources: { requests: { memory: spec.memory } },
    devices: {
      // Without any interface KubeVirt would attach the pod network on its own.
      ...(!hasPodNetwork(spec) && { autoattachPodInterface: false }),
      disks: [...disks, { name: CLOUD_INIT_DISK, disk: { bus: "virtio" } }],
      interfaces: nics.map(nic => ({ name: nic.name, ...binding(nic), macAddress: nic.macAddress })),
      ...(spec.gpus?.length && { gpus: spec.gpus.map(gpu => ({ name: gpu.name, deviceName: gpu.deviceName })) }),
    },
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

/** dataVolume for imported disks, so KubeVirt waits for the import; persistentVolumeClaim for blank ones. */
function volumes(owner: Owner, spec: WukongSpec) {
  const disks = (spec.disks ?? []).map(disk => {
    const claimName = diskClaimName(owner.name, disk.name);
    return diskImage(spec, disk) ? { name: disk.name, dataVolume: { name: claimName } } : { name: disk.name, persistentVolumeClaim: { claimName } };
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
