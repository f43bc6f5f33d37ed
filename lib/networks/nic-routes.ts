// Whether a bridge policy may capture its NIC's routes. nmstate 2.2 (which kubernetes-nmstate v0.86 runs as
// `nmstatectl policy`) fails a capture that matches nothing, so `routes.running.next-hop-interface=="<nic>"`
// breaks the enactment on every node where the NIC carries no route (a NIC kept for VMs), and a policy without
// it would drop the routes of the nodes where the NIC has some. The answer comes from the NodeNetworkStates of
// the nodes the policy selects.
import type { NodeInterfaces } from "./node-interfaces";
import type { BridgePort } from "./node-network-policy";

/** The reason (child error and NetworksConfigured) when the NIC carries routes on some selected nodes only. */
export const NIC_ROUTES_DIFFER = "NicRoutesDiffer";

export type NicRoutes = { capture: boolean } | { differ: { routed: string[]; unrouted: string[] } };

/**
 * `liveCaptures`: whether the policy in the cluster already captures the NIC's routes (undefined: no policy). On a
 * node where the bridge is built, the NIC's routes have moved to the bridge; there the capture resolves only from
 * the captured state the enactment holds, i.e. only if the live policy captured them. Nodes without the NIC, or
 * not known to match the selector, do not count. Nothing known: the live policy's choice, else capture.
 */
export function nicRoutes(
  port: Pick<BridgePort, "bridge" | "nic">,
  nodeSelector: Record<string, string>,
  nodes: NodeInterfaces[] | undefined,
  liveCaptures: boolean | undefined,
): NicRoutes {
  const routed: string[] = [];
  const unrouted: string[] = [];
  for (const node of nodes ?? []) {
    if (!selects(nodeSelector, node) || !node.interfaces.includes(port.nic)) continue;
    const built = node.controllers?.[port.nic] === port.bridge;
    const carries = built ? liveCaptures === true : (node.routed ?? []).includes(port.nic);
    (carries ? routed : unrouted).push(node.node);
  }
  if (routed.length > 0 && unrouted.length > 0) return { differ: { routed: routed.sort(), unrouted: unrouted.sort() } };
  if (routed.length > 0) return { capture: true };
  if (unrouted.length > 0) return { capture: false };
  return { capture: liveCaptures ?? true };
}

/** NodeNetworkConfigurationPolicy selects by labels alone; a node whose labels were not read is not known to match. */
function selects(selector: Record<string, string>, node: NodeInterfaces): boolean {
  const entries = Object.entries(selector);
  if (entries.length === 0) return true;
  return node.labels !== undefined && entries.every(([key, value]) => node.labels?.[key] === value);
}
