// The Linux bridges a Wukong's networks plug into that nothing of Wukong builds. The bridge CNI plugin creates a
// bridge that is missing on the node (containernetworking/plugins plugins/main/bridge/bridge.go, ensureBridge),
// with no uplink: the VM then reaches only VMs on the same node. So such a bridge must already exist.
import type { NodeInterfaces } from "./node-interfaces";
import type { WukongSpec } from "../../schemas/spec";
import { bridgePortsOf } from "./node-network-policy";
import { bridgeOf } from "../../schemas/networks/network";

export interface ExpectedBridge {
  bridge: string;
  /** The first network that plugs into it, and its index in spec.networks. */
  network: string;
  index: number;
}

export interface MissingBridge extends ExpectedBridge {
  /** The nodes whose NodeNetworkState lacks the bridge, sorted. */
  nodes: string[];
  /** How many nodes NMState reports on. */
  ofNodes: number;
}

/**
 * Bridges of bridge networks without nadName (a user's NAD is theirs) and without physicalInterface, unless this
 * spec builds them from a physicalInterface or `builtByPolicies` (the bridges of NMState policies) has them.
 */
export function bridgesExpectedOnNodes(spec: WukongSpec, builtByPolicies: ReadonlySet<string> = new Set()): ExpectedBridge[] {
  const built = new Set([...builtByPolicies, ...bridgePortsOf(spec).map(port => port.bridge)]);
  const expected = new Map<string, ExpectedBridge>();
  (spec.networks ?? []).forEach((network, index) => {
    if (network.type !== "bridge" || network.nadName || network.physicalInterface) return;
    const bridge = bridgeOf(network);
    if (!built.has(bridge) && !expected.has(bridge)) expected.set(bridge, { bridge, network: network.name, index });
  });
  return [...expected.values()];
}

/** The expected bridges some node lacks, by what NMState reports of each node. */
export function missingBridges(expected: ExpectedBridge[], nodes: NodeInterfaces[]): MissingBridge[] {
  return expected
    .map(want => ({
      ...want,
      nodes: nodes
        .filter(node => !node.interfaces.includes(want.bridge))
        .map(node => node.node)
        .sort(),
      ofNodes: nodes.length,
    }))
    .filter(missing => missing.nodes.length > 0);
}

/** Node names for a message: the first five, then how many more. */
export function nodeList(nodes: string[]): string {
  return nodes.length > 5 ? `${nodes.slice(0, 5).join(", ")} and ${nodes.length - 5} more` : nodes.join(", ");
}
