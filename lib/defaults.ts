// Admission defaulting: fills what the user left out so the stored Wukong shows what will be built.
// Idempotent: defaulting a defaulted spec changes nothing.
import { isPodNetworkEntry } from "../schemas/networks/attachment-rules";
import { DEFAULT_BRIDGE, RUN_STRATEGY_OF_RESTART_POLICY, type RunStrategy, type WukongSpec } from "../schemas/spec";
import { stableMac } from "./networks/mac";

export const DEFAULT_OS_DISK = { name: "system", size: "20Gi" } as const;

/** The runStrategy the other start fields imply when runStrategy itself is not given. */
export function impliedRunStrategy(spec: WukongSpec): RunStrategy {
  if (spec.startStrategy?.autoStart === false) return "Halted";
  const policy = spec.highAvailability?.restartPolicy;
  return policy ? RUN_STRATEGY_OF_RESTART_POLICY[policy] : "Always";
}

export interface DefaultingTarget {
  namespace: string;
  name: string;
  spec: WukongSpec;
  /** The stored spec on UPDATE: defaults that were derived keep following their inputs, MACs are inherited. */
  oldSpec?: WukongSpec;
}

export function withDefaults({ namespace, name, spec, oldSpec }: DefaultingTarget): WukongSpec {
  const out: WukongSpec = structuredClone(spec);
  foldPodNetworkEntry(out);
  out.podNetwork = podNetworkFor(out, oldSpec);

  const oldMacs = new Map((oldSpec?.networks ?? []).map(network => [network.name, network.macAddress]));
  for (const network of out.networks ?? []) {
    if (isPodNetworkEntry(network)) continue; // kept only when it contradicts the spec: validation says so
    network.ipConfig ??= {};
    network.ipConfig.mode ??= "dhcp";
    // An existing NAD decides its own bridge; sriov has none.
    if (network.type !== "sriov" && !network.nadName) network.bridgeName ??= DEFAULT_BRIDGE;
    network.macAddress = (network.macAddress ?? oldMacs.get(network.name) ?? stableMac(namespace, name, network.name)).toLowerCase();
  }

  if ((out.disks ?? []).length === 0 && out.osImage) out.disks = [{ ...DEFAULT_OS_DISK, boot: true }];
  const disks = out.disks ?? [];
  if (disks.length > 0 && !disks.some(disk => disk.boot === true)) disks[0].boot = true;
  for (const disk of disks) disk.boot ??= false;

  out.startStrategy = { ...out.startStrategy, runStrategy: runStrategyFor(out, oldSpec) };
  return out;
}

const impliedPodNetwork = (spec: WukongSpec) => !(spec.networks ?? []).some(network => network.primary === true);

// A primary network replaces the pod network. A podNetwork that was itself derived keeps following that.
function podNetworkFor(spec: WukongSpec, oldSpec?: WukongSpec): boolean {
  const given = spec.podNetwork;
  if (given === undefined) return impliedPodNetwork(spec);
  const wasDerived = oldSpec !== undefined && oldSpec.podNetwork === impliedPodNetwork(oldSpec);
  return wasDerived && given === oldSpec.podNetwork ? impliedPodNetwork(spec) : given;
}

/**
 * `- name: default` (no type) is the pod network written as a list entry: stored as podNetwork: true, so every
 * builder sees one spelling. An entry that contradicts podNetwork: false or a primary network stays for
 * validation to deny.
 */
function foldPodNetworkEntry(spec: WukongSpec): void {
  const networks = spec.networks ?? [];
  const entry = networks.findIndex(isPodNetworkEntry);
  if (entry < 0 || spec.podNetwork === false || networks.some(network => network.primary === true)) return;
  if (Object.keys(networks[entry]).length > 1) return;
  spec.podNetwork = true;
  spec.networks = networks.filter((_, i) => i !== entry);
  if (spec.networks.length === 0) delete spec.networks;
}

// A runStrategy that was itself derived keeps following autoStart/restartPolicy; one the user set stays.
function runStrategyFor(spec: WukongSpec, oldSpec?: WukongSpec): RunStrategy {
  const given = spec.startStrategy?.runStrategy;
  if (!given) return impliedRunStrategy(spec);
  const oldGiven = oldSpec?.startStrategy?.runStrategy;
  const wasDerived = oldSpec !== undefined && oldGiven === impliedRunStrategy(oldSpec);
  if (wasDerived && given === oldGiven && impliedRunStrategy(spec) !== impliedRunStrategy(oldSpec)) {
    return impliedRunStrategy(spec);
  }
  return given;
}
