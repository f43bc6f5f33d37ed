// What the pure builders produce from a defaulted Wukong, and what they need to know about the cluster.
import type { HotplugContext } from "./hotplug";
import type { KubernetesObject } from "./kubernetes-object";

export interface BuildContext {
  /** The cluster's default StorageClass name, used when a disk names none; undefined leaves storageClassName unset. */
  defaultStorageClass?: string;
  /** The live VM and VMI, to tell disks added to a running VM (hot-plugged) from those it boots with; undefined: none. */
  hotplug?: HotplugContext;
}

/** Every object a Wukong owns, in the order they are applied: networks → storage → cloud-init → VM. */
export interface DesiredChildren {
  networkAttachmentDefinitions: KubernetesObject[];
  dataVolumes: KubernetesObject[];
  persistentVolumeClaims: KubernetesObject[];
  cloudInitSecret: KubernetesObject;
  virtualMachine: KubernetesObject;
}
