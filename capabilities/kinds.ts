// The custom kinds Wukong reads and writes, registered with kubernetes-fluent-client.
import { RegisterKind, a } from "pepr";
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

RegisterKind(WukongResource, { group: API.group, version: API.version, kind: API.kind, plural: API.plural });
// RegisterKind's naive plural would be "networkattachmentdefinitions".
RegisterKind(NetworkAttachmentDefinition, {
  group: "k8s.cni.cncf.io",
  version: "v1",
  kind: "NetworkAttachmentDefinition",
  plural: "network-attachment-definitions",
});
RegisterKind(DataVolume, { group: "cdi.kubevirt.io", version: "v1beta1", kind: "DataVolume", plural: "datavolumes" });
RegisterKind(VirtualMachine, { group: "kubevirt.io", version: "v1", kind: "VirtualMachine", plural: "virtualmachines" });
RegisterKind(VirtualMachineInstance, { group: "kubevirt.io", version: "v1", kind: "VirtualMachineInstance", plural: "virtualmachineinstances" });
