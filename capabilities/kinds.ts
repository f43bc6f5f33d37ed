// The custom kinds Wukong reads and writes, registered with kubernetes-fluent-client, and the model
// each watched kind is watched with.
import { RegisterKind, a, kind } from "pepr";
import type { GenericClass } from "kubernetes-fluent-client";
import type { ChildKind } from "../lib/cluster/kinds";
import { KINDS } from "../lib/cluster/kinds";
import type { WukongSpec, WukongStatus } from "../schemas/wukong";
import { API } from "../schemas/wukong";
import type { WukongSnapshotSpec, WukongSnapshotStatus } from "../schemas/wukongsnapshot";

export class WukongResource extends a.GenericKind {
  declare spec?: WukongSpec;
  declare status?: WukongStatus;
}

export class NetworkAttachmentDefinition extends a.GenericKind {}
export class DataVolume extends a.GenericKind {}
export class VirtualMachine extends a.GenericKind {}
export class VirtualMachineInstance extends a.GenericKind {}
export class WukongSnapshotResource extends a.GenericKind {
  declare spec?: WukongSnapshotSpec;
  declare status?: WukongSnapshotStatus;
}
export class VirtualMachineSnapshot extends a.GenericKind {}
export class VirtualMachineRestore extends a.GenericKind {}

export class NodeNetworkConfigurationPolicy extends a.GenericKind {}
/** KubeVirt's own configuration (spec.configuration.developerConfiguration.featureGates). */
export class KubeVirtResource extends a.GenericKind {}

type RegisteredKind =
  | "Wukong"
  | "NetworkAttachmentDefinition"
  | "DataVolume"
  | "VirtualMachine"
  | "VirtualMachineInstance"
  | "NodeNetworkConfigurationPolicy"
  | "WukongSnapshot"
  | "VirtualMachineSnapshot"
  | "VirtualMachineRestore"
  | "KubeVirt";
const register = (model: GenericClass, name: RegisteredKind) => {
  const { group, version, plural } = KINDS[name];
  // Explicit plurals: RegisterKind's naive one would be "networkattachmentdefinitions".
  RegisterKind(model, { group, version, kind: name === "Wukong" ? API.kind : name, plural });
};
register(WukongResource, "Wukong");
register(NetworkAttachmentDefinition, "NetworkAttachmentDefinition");
register(DataVolume, "DataVolume");
register(VirtualMachine, "VirtualMachine");
register(VirtualMachineInstance, "VirtualMachineInstance");
register(WukongSnapshotResource, "WukongSnapshot");
register(VirtualMachineSnapshot, "VirtualMachineSnapshot");
register(VirtualMachineRestore, "VirtualMachineRestore");
register(NodeNetworkConfigurationPolicy, "NodeNetworkConfigurationPolicy");
register(KubeVirtResource, "KubeVirt");

export const CHILD_MODELS: Record<ChildKind, GenericClass> = {
  NetworkAttachmentDefinition,
  DataVolume,
  PersistentVolumeClaim: kind.PersistentVolumeClaim,
  Secret: kind.Secret,
  VirtualMachine,
  VirtualMachineInstance,
  WukongSnapshot: WukongSnapshotResource,
  VirtualMachineSnapshot,
  VirtualMachineRestore,
  NodeNetworkConfigurationPolicy,
};
