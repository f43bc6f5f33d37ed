// The custom kinds Wukong reads and writes, registered with kubernetes-fluent-client, and the model
// each watched kind is watched with.
import { RegisterKind, a, kind } from "pepr";
import type { GenericClass } from "kubernetes-fluent-client";
import type { ChildKind } from "../lib/cluster/kinds";
import { KINDS } from "../lib/cluster/kinds";
import type { WukongSpec, WukongStatus } from "../schemas/wukong";
import { API } from "../schemas/wukong";

export class WukongResource extends a.GenericKind {
  declare spec?: WukongSpec;
  declare status?: WukongStatus;
}

export class NetworkAttachmentDefinition extends a.GenericKind {}
export class DataVolume extends a.GenericKind {}
export class VirtualMachine extends a.GenericKind {}
export class VirtualMachineInstance extends a.GenericKind {}
export class NodeNetworkConfigurationPolicy extends a.GenericKind {}

type RegisteredKind = "Wukong" | "NetworkAttachmentDefinition" | "DataVolume" | "VirtualMachine" | "VirtualMachineInstance" | "NodeNetworkConfigurationPolicy";
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
register(NodeNetworkConfigurationPolicy, "NodeNetworkConfigurationPolicy");

export const CHILD_MODELS: Record<ChildKind, GenericClass> = {
  NetworkAttachmentDefinition,
  DataVolume,
  PersistentVolumeClaim: kind.PersistentVolumeClaim,
  Secret: kind.Secret,
  VirtualMachine,
  VirtualMachineInstance,
  NodeNetworkConfigurationPolicy,
};
