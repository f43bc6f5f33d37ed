// The networks' defaults: what admission fills into a network the user left incomplete (so the stored Wukong
// shows what will be built), and the readers that builders called on an undefaulted spec fall back on.
// Idempotent: defaulting a defaulted spec changes nothing. The bridge default itself is bridgeOf's
// (schemas/networks/network.ts).
import { bridgeOf, isPodNetworkEntry, type Network, type NetworkType } from "../../schemas/networks/network";
import type { WukongSpec } from "../../schemas/spec";
import { stableMac } from "./mac";

export interface NetworkDefaultingTarget {
  namespace: string;
  name: string;
  /** The stored spec on UPDATE: a derived podNetwork keeps following its inputs, MACs are inherited. */
  oldSpec?: WukongSpec;
}

/** Fills spec.podNetwork and each network's ipConfig.mode, bridgeName and macAddress, in place. */
export function defaultNetworks(spec: WukongSpec, { namespace, name, oldSpec }: NetworkDefaultingTarget): void {
  foldPodNetworkEntry(spec);
  spec.podNetwork = podNetworkFor(spec, oldSpec);

  const oldMacs = new Map((oldSpec?.networks ?? []).map(network => [network.name, network.macAddress]));
  for (const network of spec.networks ?? []) {
    if (isPodNetworkEntry(network)) continue; // kept only when it contradicts the spec: validation says so
    network.ipConfig ??= {};
    network.ipConfig.mode ??= "dhcp";
    // An existing NAD decides its own bridge; sriov has none.
    if (network.type !== "sriov" && !network.nadName) network.bridgeName = bridgeOf(network);
    network.macAddress = (network.macAddress ?? oldMacs.get(network.name) ?? stableMac(namespace, name, network.name)).toLowerCase();
  }
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
