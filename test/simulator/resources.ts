// The API resources the simulator reads and writes, and the loose object shape it works with.
// Objects are handled as plain JSON (not typed models) because the simulator must survive any
// object a test throws at it, including ones the real controllers would reject.

import type { KubeObject, Resource } from "../support/kube-client";

export type { KubeObject, ObjectMeta, OwnerReference, Resource } from "../support/kube-client";

export const PV: Resource = { group: "", version: "v1", plural: "persistentvolumes", kind: "PersistentVolume", namespaced: false };
export const PVC: Resource = { group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true };
export const POD: Resource = { group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true };
export const SECRET: Resource = { group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true };
export const STORAGE_CLASS: Resource = { group: "storage.k8s.io", version: "v1", plural: "storageclasses", kind: "StorageClass", namespaced: false };
export const DATA_VOLUME: Resource = { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes", kind: "DataVolume", namespaced: true };
export const VMI: Resource = { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances", kind: "VirtualMachineInstance", namespaced: true };
export const VMI_MIGRATION: Resource = {
  group: "kubevirt.io",
  version: "v1",
  plural: "virtualmachineinstancemigrations",
  kind: "VirtualMachineInstanceMigration",
  namespaced: true,
};
// The CSI snapshot API (kubernetes-csi/external-snapshotter, CRDs in test/stack/cluster/upstream/volume-snapshot-crds.yaml).
export const VOLUME_SNAPSHOT: Resource = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  plural: "volumesnapshots",
  kind: "VolumeSnapshot",
  namespaced: true,
};
export const VOLUME_SNAPSHOT_CONTENT: Resource = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  plural: "volumesnapshotcontents",
  kind: "VolumeSnapshotContent",
  namespaced: false,
};
export const VOLUME_SNAPSHOT_CLASS: Resource = {
  group: "snapshot.storage.k8s.io",
  version: "v1",
  plural: "volumesnapshotclasses",
  kind: "VolumeSnapshotClass",
  namespaced: false,
};
export const WUKONG: Resource = { group: "vm.novasphere.dev", version: "v1alpha1", plural: "wukongs", kind: "Wukong", namespaced: true };

export function apiVersionOf(res: Resource): string {
  return res.group ? `${res.group}/${res.version}` : res.version;
}

/** Every Wukong child carries this label; its value is the owning Wukong's name (same namespace). */
export const WUKONG_LABEL = "vm.novasphere.dev/wukong";

export function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ""}/${obj.metadata.name ?? ""}`;
}

export const NODE: Resource = { group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false };
export const LEASE: Resource = { group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true };
/** Where each kubelet keeps its node's heartbeat Lease. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
export const NNS: Resource = { group: "nmstate.io", version: "v1beta1", plural: "nodenetworkstates", kind: "NodeNetworkState", namespaced: false };
export const NNCP: Resource = {
  group: "nmstate.io",
  version: "v1",
  plural: "nodenetworkconfigurationpolicies",
  kind: "NodeNetworkConfigurationPolicy",
  namespaced: false,
};
export const NNCE: Resource = {
  group: "nmstate.io",
  version: "v1beta1",
  plural: "nodenetworkconfigurationenactments",
  kind: "NodeNetworkConfigurationEnactment",
  namespaced: false,
};
