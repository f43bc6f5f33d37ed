// The kinds Wukong reads or writes, with their REST coordinates: one table for the real client, the
// watch-fed view and the in-memory test port.
import { API } from "../../schemas/wukong";
import { SNAPSHOT_API } from "../../schemas/wukongsnapshot";

export interface KindInfo {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
}

export const KINDS = {
  Wukong: { group: API.group, version: API.version, plural: API.plural, namespaced: true },
  NetworkAttachmentDefinition: { group: "k8s.cni.cncf.io", version: "v1", plural: "network-attachment-definitions", namespaced: true },
  DataVolume: { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes", namespaced: true },
  PersistentVolumeClaim: { group: "", version: "v1", plural: "persistentvolumeclaims", namespaced: true },
  Secret: { group: "", version: "v1", plural: "secrets", namespaced: true },
  VirtualMachine: { group: "kubevirt.io", version: "v1", plural: "virtualmachines", namespaced: true },
  VirtualMachineInstance: { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances", namespaced: true },
  WukongSnapshot: { group: SNAPSHOT_API.group, version: SNAPSHOT_API.version, plural: SNAPSHOT_API.plural, namespaced: true },
  VirtualMachineSnapshot: { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinesnapshots", namespaced: true },
  VirtualMachineRestore: { group: "snapshot.kubevirt.io", version: "v1beta1", plural: "virtualmachinerestores", namespaced: true },
  NodeNetworkConfigurationPolicy: { group: "nmstate.io", version: "v1", plural: "nodenetworkconfigurationpolicies", namespaced: false },
  NodeNetworkState: { group: "nmstate.io", version: "v1beta1", plural: "nodenetworkstates", namespaced: false },
  KubeVirt: { group: "kubevirt.io", version: "v1", plural: "kubevirts", namespaced: true },
  Node: { group: "", version: "v1", plural: "nodes", namespaced: false },
  StorageClass: { group: "storage.k8s.io", version: "v1", plural: "storageclasses", namespaced: false },
  Event: { group: "", version: "v1", plural: "events", namespaced: true },
} as const satisfies Record<string, KindInfo>;

export type KindName = keyof typeof KINDS;

/** Kinds the controller's watches feed into the view: the Wukong, every child kind it reads, and KubeVirt's configuration. */
export const WATCHED_KINDS = [
  "Wukong",
  "NetworkAttachmentDefinition",
  "DataVolume",
  "PersistentVolumeClaim",
  "Secret",
  "VirtualMachine",
  "VirtualMachineInstance",
  "WukongSnapshot",
  "VirtualMachineSnapshot",
  "VirtualMachineRestore",
  "NodeNetworkConfigurationPolicy",
  "KubeVirt",
] as const satisfies readonly KindName[];

export type WatchedKind = (typeof WATCHED_KINDS)[number];

/** The children kinds: watched with the Wukong label selector, except the shared, cluster-scoped policy. */
export type ChildKind = Exclude<WatchedKind, "Wukong" | "KubeVirt">;

export function apiVersionOf(kind: KindName): string {
  const { group, version } = KINDS[kind];
  return group ? `${group}/${version}` : version;
}

/** The REST path of a collection, or of one object when `name` is given. */
export function resourcePath(kind: KindName, namespace: string | undefined, name?: string): string {
  const { group, version, plural, namespaced } = KINDS[kind];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const scope = namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${scope}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
