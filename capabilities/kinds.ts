// The model each watched kind is watched with, registered with kubernetes-fluent-client from the kinds table
// (lib/cluster/kinds.ts).
import { RegisterKind, a, kind } from "pepr";
import type { GenericClass } from "kubernetes-fluent-client";
import { KINDS, WATCHED_KINDS, type WatchedKind } from "../lib/cluster/kinds";
import type { WukongSpec, WukongStatus } from "../schemas/wukong";
import type { WukongSnapshotSpec, WukongSnapshotStatus } from "../schemas/wukongsnapshot";

export class WukongResource extends a.GenericKind {
  declare spec?: WukongSpec;
  declare status?: WukongStatus;
}

export class NetworkAttachmentDefinition extends a.GenericKind {}
export class DataVolume extends a.GenericKind {}
export class VirtualMachine extends a.GenericKind {}
export class VirtualMachineInstance extends a.GenericKind {}
export class VirtualMachineInstanceMigration extends a.GenericKind {}
export class WukongSnapshotResource extends a.GenericKind {
  declare spec?: WukongSnapshotSpec;
  declare status?: WukongSnapshotStatus;
}
export class VirtualMachineSnapshot extends a.GenericKind {}
export class VirtualMachineRestore extends a.GenericKind {}

export class NodeNetworkConfigurationPolicy extends a.GenericKind {}
/** KubeVirt's own configuration (spec.configuration.developerConfiguration.featureGates). */
export class KubeVirtResource extends a.GenericKind {}

export const MODELS: Record<WatchedKind, GenericClass> = {
  Wukong: WukongResource,
  WukongSnapshot: WukongSnapshotResource,
  NodeNetworkConfigurationPolicy,
  NetworkAttachmentDefinition,
  DataVolume,
  PersistentVolumeClaim: kind.PersistentVolumeClaim,
  Secret: kind.Secret,
  VirtualMachine,
  VirtualMachineInstance,
  VirtualMachineInstanceMigration,
  VirtualMachineSnapshot,
  VirtualMachineRestore,
  KubeVirt: KubeVirtResource,
};

// Every watched kind outside the core group, with its explicit plural: RegisterKind's naive one would be
// "networkattachmentdefinitions".
for (const name of WATCHED_KINDS) {
  const { group, version, plural } = KINDS[name];
  if (group) RegisterKind(MODELS[name], { group, version, kind: name, plural });
}
