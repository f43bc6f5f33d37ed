// Builders get a Wukong defaulted at admission, but tolerate a missing default by applying the same one here,
// so an object admitted before a defaulting change still yields a complete, valid set of children.
import { DEFAULT_BRIDGE, type Disk, type IpConfig, type Network, type RunStrategy, type WukongSpec } from "../../schemas/spec";
import type { Wukong } from "../../schemas/wukong";

export type SpecifiedWukong = Wukong & { spec: WukongSpec };

export function hasPodNetwork(spec: WukongSpec): boolean {
  return spec.podNetwork !== false;
}

/** An address without a mode can only be static: dhcp forbids one. */
export function ipMode(network: Network): NonNullable<IpConfig["mode"]> {
  return network.ipConfig?.mode ?? (network.ipConfig?.address ? "static" : "dhcp");
}

export function bridgeOf(network: Network): string {
  return network.bridgeName ?? DEFAULT_BRIDGE;
}

/** The disk marked boot, else the first one. */
export function bootDisk(spec: WukongSpec): Disk | undefined {
  return spec.disks?.find(disk => disk.boot) ?? spec.disks?.[0];
}

const RESTART_POLICY_RUN_STRATEGY = { Always: "Always", OnFailure: "RerunOnFailure", Never: "Once" } as const;

/** As documented on startStrategy.runStrategy: Halted when autoStart is false, else from restartPolicy, else Always. */
export function runStrategyOf(spec: WukongSpec): RunStrategy {
  if (spec.startStrategy?.runStrategy) return spec.startStrategy.runStrategy;
  if (spec.startStrategy?.autoStart === false) return "Halted";
  const restartPolicy = spec.highAvailability?.restartPolicy;
  return restartPolicy ? RESTART_POLICY_RUN_STRATEGY[restartPolicy] : "Always";
}
