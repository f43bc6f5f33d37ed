// Readers for fields admission defaults. desiredChildren re-applies lib/defaults first, so these fallbacks only
// matter to a builder called on its own; they mirror lib/defaults.
import { DEFAULT_BRIDGE, type Disk, type Network, type NetworkType, type RunStrategy, type WukongSpec } from "../../schemas/spec";
import type { Wukong } from "../../schemas/wukong";
import { impliedRunStrategy } from "../defaults";

export type SpecifiedWukong = Wukong & { spec: WukongSpec };

export function hasPodNetwork(spec: WukongSpec): boolean {
  return spec.podNetwork !== false;
}

/** A Multus network of the VM: every list entry with a type (the pod network entry `default` has none). */
export type SecondaryNetwork = Network & { type: NetworkType };

export function secondaryNetworks(spec: WukongSpec): SecondaryNetwork[] {
  return (spec.networks ?? []).filter((network): network is SecondaryNetwork => network.type !== undefined);
}

export function isStatic(network: Network): boolean {
  return network.ipConfig?.mode === "static";
}

export function bridgeOf(network: Network): string {
  return network.bridgeName ?? DEFAULT_BRIDGE;
}

/** The disk marked boot, else the first one. */
export function bootDisk(spec: WukongSpec): Disk | undefined {
  return spec.disks?.find(disk => disk.boot) ?? spec.disks?.[0];
}

export function runStrategyOf(spec: WukongSpec): RunStrategy {
  return spec.startStrategy?.runStrategy ?? impliedRunStrategy(spec);
}
