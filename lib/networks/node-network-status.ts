// Node networks: whether NMState has built every host bridge the Wukong's networks need on the nodes.
// The policy's own words explain a wait or a failure; the VM is not started until every policy is Available.
import { type MissingBridge, nodeList } from "./host-bridges";
import { NIC_ROUTES_DIFFER } from "./nic-routes";
import type { ChildError, ObservedNodeNetwork } from "../status/observed";
import { detail, sentence } from "../status/text";
import { childErrorVerdict, findCondition, type Verdict } from "../status/verdict";

export const NODE_NETWORK_KIND = "NodeNetworkConfigurationPolicy";

export function nodeNetworksVerdict(nodeNetworks: ObservedNodeNetwork[] | undefined, errors: ChildError[]): Verdict | undefined {
  const missingApi = errors.find(error => error.reason === "NotFound");
  if (missingApi) {
    return {
      state: "error",
      reason: "NMStateMissing",
      message: `NMState is not installed: the ${NODE_NETWORK_KIND} API (nmstate.io/v1) is not served, so no host bridge can be built from a physicalInterface.`,
    };
  }
  const routesDiffer = errors.find(error => error.reason === NIC_ROUTES_DIFFER);
  if (routesDiffer) {
    return {
      state: "error",
      reason: NIC_ROUTES_DIFFER,
      message: sentence(`${NODE_NETWORK_KIND} ${routesDiffer.name} is not written: ${routesDiffer.message}`),
    };
  }
  if (errors.length > 0) return childErrorVerdict(errors[0]);
  for (const network of nodeNetworks ?? []) {
    const degraded = findCondition(network.conditions, "Degraded");
    if (degraded?.status === "True") {
      return {
        state: "error",
        reason: "NodeNetworkDegraded",
        message: sentence(
          `${NODE_NETWORK_KIND} ${network.policy} (bridge ${network.bridge} on ${network.nic}) is degraded: ${detail(degraded.message) || degraded.reason || "no reason given"}`,
        ),
      };
    }
  }
  const pending = (nodeNetworks ?? []).find(network => !isAvailable(network));
  if (pending) {
    const progress = detail(findCondition(pending.conditions, "Progressing")?.message ?? findCondition(pending.conditions, "Available")?.message);
    return {
      state: "waiting",
      reason: "NodeNetworkPending",
      message: sentence(`Waiting for ${NODE_NETWORK_KIND} ${pending.policy} to build bridge ${pending.bridge} on ${pending.nic}${progress && `: ${progress}`}`),
    };
  }
  return undefined;
}

export function isAvailable(network: ObservedNodeNetwork): boolean {
  return findCondition(network.conditions, "Available")?.status === "True";
}

/** Said when every bridge is there: the policies stay when the Wukongs go (removing a bridge can cut a node off). */
export function nodeNetworksSummary(nodeNetworks: ObservedNodeNetwork[] | undefined): string {
  if (!nodeNetworks?.length) return "";
  const policies = nodeNetworks.map(network => `${network.policy} (bridge ${network.bridge} on ${network.nic})`).join(", ");
  return ` ${NODE_NETWORK_KIND} ${policies} available; never removed automatically.`;
}

/**
 * A bridge the networks expect on the nodes (no physicalInterface builds it) that NMState reports missing on some:
 * there the bridge CNI plugin would create one with no uplink. A notice, not an error: which of those nodes the VM
 * may land on is not known here (nodes are not matched against its nodeSelector), so the VM is not held back.
 */
export function hostBridgesVerdict(missing: MissingBridge[] | undefined): Verdict | undefined {
  const first = missing?.find(bridge => bridge.nodes.length === bridge.ofNodes) ?? missing?.[0];
  if (!first) return undefined;
  const where = first.nodes.length === first.ofNodes ? "any node" : `node${first.nodes.length > 1 ? "s" : ""} ${nodeList(first.nodes)}`;
  return {
    state: "notice",
    reason: "BridgeMissing",
    message: sentence(
      `Bridge ${first.bridge} (network ${first.network}) does not exist on ${where} (NodeNetworkState): the bridge CNI plugin would create it there with no uplink, reaching only VMs on that node. Create the bridge on the nodes, or set physicalInterface on the network so that NMState builds it`,
    ),
  };
}
