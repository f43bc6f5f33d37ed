// The NMState NodeNetworkConfigurationPolicy that builds a host bridge with a node NIC as its port, for the
// bridge and ovs networks that name a physicalInterface. One policy per bridge, shared by every Wukong on it:
// it is cluster-scoped, so it carries no ownerReference, and Wukong never deletes it (removing a bridge can cut
// a node off). Each node's own address moves from the NIC to the bridge through NMState's capture, which
// reads the NIC's current state on that node: static stays static, DHCP stays DHCP, routes follow (where it has any).
import { nodeNetworkPolicyName } from "../../schemas/networks/names";
import { LABELS, MANAGER, type WukongSpec } from "../../schemas/wukong";
import type { KubernetesObject } from "../children/kubernetes-object";
import { bridgeOf } from "../../schemas/networks/network";
import { secondaryNetworks } from "./defaults";

export const NNCP_API_VERSION = "nmstate.io/v1";
export const NODE_NETWORK_LABEL = "vm.novasphere.dev/node-network";
export const BRIDGE_ANNOTATION = "vm.novasphere.dev/bridge";
export const PHYSICAL_INTERFACE_ANNOTATION = "vm.novasphere.dev/physical-interface";
export const NIC_ROUTES_CAPTURE = "nic-routes";

/** A host bridge and the node NIC that is its port, as one Wukong asks for it. */
export interface BridgePort {
  bridge: string;
  nic: string;
  type: "bridge" | "ovs";
}

/** What one Wukong needs of a shared bridge: where its VM may run. */
export interface BridgeUse {
  nodeSelector?: Record<string, string>;
}

/** The bridges (with their NIC) a Wukong's networks ask NMState to build. */
export function bridgePortsOf(spec: WukongSpec): (BridgePort & BridgeUse)[] {
  const byBridge = new Map<string, BridgePort & BridgeUse>();
  for (const network of secondaryNetworks(spec)) {
    if (!network.physicalInterface || network.nadName || network.type === "sriov") continue;
    const bridge = bridgeOf(network);
    if (!byBridge.has(bridge))
      byBridge.set(bridge, { bridge, nic: network.physicalInterface, type: network.type, nodeSelector: spec.highAvailability?.nodeSelector });
  }
  return [...byBridge.values()];
}

/**
 * `nicRoutes`: whether the NIC's routes move to the bridge. nmstate 2.2 fails a capture that matches nothing
 * ("route with 'next-hop-interface=<nic>' not found"), so a NIC that carries no route on the selected nodes gets a
 * policy without the route captures (./nic-routes.ts decides).
 */
export function nodeNetworkPolicy(port: BridgePort, uses: BridgeUse[], nicRoutes = true): KubernetesObject {
  const nodeSelector = policyNodeSelector(uses);
  return {
    apiVersion: NNCP_API_VERSION,
    kind: "NodeNetworkConfigurationPolicy",
    metadata: {
      name: nodeNetworkPolicyName(port),
      labels: { [LABELS.managedBy]: MANAGER, [NODE_NETWORK_LABEL]: "bridge" },
      annotations: { [BRIDGE_ANNOTATION]: port.bridge, [PHYSICAL_INTERFACE_ANNOTATION]: port.nic },
    },
    spec: {
      ...(Object.keys(nodeSelector).length > 0 && { nodeSelector }),
      // One node at a time: a policy that fails stops before it reaches a second node.
      maxUnavailable: 1,
      capture: {
        nic: `interfaces.name=="${port.nic}"`,
        ...(nicRoutes && {
          [NIC_ROUTES_CAPTURE]: `routes.running.next-hop-interface=="${port.nic}"`,
          "bridge-routes": `capture.${NIC_ROUTES_CAPTURE} | routes.running.next-hop-interface:="${port.bridge}"`,
        }),
      },
      desiredState: {
        interfaces: port.type === "ovs" ? ovsInterfaces(port) : linuxBridgeInterfaces(port),
        ...(nicRoutes && { routes: { config: "{{ capture.bridge-routes.routes.running }}" } }),
      },
    },
  };
}

/** The NIC's addresses and MAC, as captured on each node: the same DHCP lease, the same static address. */
const capturedAddressing = {
  "mac-address": "{{ capture.nic.interfaces.0.mac-address }}",
  ipv4: "{{ capture.nic.interfaces.0.ipv4 }}",
  ipv6: "{{ capture.nic.interfaces.0.ipv6 }}",
};

const releasedNic = (nic: string) => ({ name: nic, type: "ethernet", state: "up", ipv4: { enabled: false }, ipv6: { enabled: false } });

// VLAN filtering: the bridge CNI tags each VM port. The NIC port has no `vlan` block, so kubernetes-nmstate makes it
// a trunk of VLANs 2-4094 with VLAN 1 native (untagged) for the node's own address and untagged networks: every
// VLAN reaches the uplink, whoever plugs it (a Wukong without physicalInterface, a user's own NAD), and a new VLAN
// needs no change to the policy.
function linuxBridgeInterfaces(port: BridgePort) {
  return [
    {
      name: port.bridge,
      type: "linux-bridge",
      state: "up",
      ...capturedAddressing,
      bridge: { options: { stp: { enabled: false } }, port: [{ name: port.nic }] },
    },
    releasedNic(port.nic),
  ];
}

// Open vSwitch ports trunk every VLAN unless told otherwise, and the OVS CNI tags each VM port: the NIC port
// needs no VLAN list. The node's address moves to the bridge's internal interface of the same name.
function ovsInterfaces(port: BridgePort) {
  return [
    { name: port.bridge, type: "ovs-interface", state: "up", ...capturedAddressing },
    {
      name: port.bridge,
      type: "ovs-bridge",
      state: "up",
      bridge: { options: { stp: { enabled: false } }, port: [{ name: port.nic }, { name: port.bridge }] },
    },
    releasedNic(port.nic),
  ];
}

/**
 * Whether the users all select nodes yet share no label: the policy could only target every node, those without
 * the NIC too (NNCP selects by labels alone), which admission's nodeSelector rule exists to prevent.
 */
export function selectorsDisjoint(uses: BridgeUse[]): boolean {
  const selects = (use: BridgeUse) => Object.keys(use.nodeSelector ?? {}).length > 0;
  return uses.length > 0 && uses.every(selects) && Object.keys(policyNodeSelector(uses)).length === 0;
}

/**
 * The labels every using Wukong's nodeSelector shares: a selector that picks every node any of those VMs may
 * run on. A Wukong without a nodeSelector (stored before admission required one) may run anywhere, so the
 * policy then targets all nodes.
 */
export function policyNodeSelector(uses: BridgeUse[]): Record<string, string> {
  if (uses.length === 0 || uses.some(use => !use.nodeSelector)) return {};
  const [first, ...rest] = uses.map(use => use.nodeSelector ?? {});
  const common = Object.entries(first).filter(([key, value]) => rest.every(selector => selector[key] === value));
  return Object.fromEntries(common.sort(([a], [b]) => a.localeCompare(b)));
}
