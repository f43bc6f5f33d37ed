// Cross-field rules of how the VM attaches: the pod network entry `- name: default`, node bridge ports
// (physicalInterface) and a primary network. Like ./rules.ts they read the raw spec defensively (../raw.ts).
import { LIMITS } from "../limits";
import type { Problem } from "../problems";
import { isRecord, type Raw, records, text } from "../raw";
import { BRIDGED_NETWORK_TYPES, bridgeOf, isPodNetworkEntry, POD_NETWORK_ENTRY } from "./network";

export function attachmentProblems(spec: Raw): Problem[] {
  const networks = records(spec.networks, LIMITS.maxNetworks);
  return [...podEntryProblems(spec, networks), ...physicalInterfaceProblems(networks), ...primaryProblems(spec, networks)];
}

function podEntryProblems(spec: Raw, networks: [Raw, number][]): Problem[] {
  const problems: Problem[] = [];
  for (const [network, i] of networks) {
    if (network.type === undefined && network.name !== POD_NETWORK_ENTRY) {
      problems.push({ path: `spec.networks[${i}].type`, message: `is required (only the pod network entry "${POD_NETWORK_ENTRY}" has no type)` });
    }
    if (!isPodNetworkEntry(network)) continue;
    const extra = Object.keys(network).filter(key => key !== "name");
    if (extra.length > 0) {
      problems.push({
        path: `spec.networks[${i}]`,
        message: `the pod network entry "${POD_NETWORK_ENTRY}" takes no other field (got ${extra.join(", ")}): give it a type to make it a secondary network`,
      });
    }
    if (spec.podNetwork === false) {
      problems.push({ path: `spec.networks[${i}]`, message: `the pod network entry "${POD_NETWORK_ENTRY}" contradicts podNetwork: false` });
    }
  }
  return problems;
}

function physicalInterfaceProblems(networks: [Raw, number][]): Problem[] {
  const problems: Problem[] = [];
  const nicOfBridge = new Map<string, { nic: string; at: number }>();
  for (const [network, i] of networks) {
    const nic = text(network.physicalInterface);
    if (nic === undefined) continue;
    const type = text(network.type);
    if (type === undefined || !BRIDGED_NETWORK_TYPES.includes(type)) {
      problems.push({ path: `spec.networks[${i}].physicalInterface`, message: "applies only to bridge and ovs networks (NMState builds their host bridge)" });
      continue;
    }
    if (network.nadName !== undefined) {
      problems.push({
        path: `spec.networks[${i}].physicalInterface`,
        message: "cannot be combined with nadName: the existing NetworkAttachmentDefinition decides the bridge",
      });
      continue;
    }
    const bridge = bridgeOf({ bridgeName: text(network.bridgeName) });
    if (nic === bridge) problems.push({ path: `spec.networks[${i}].physicalInterface`, message: `cannot be the bridge ${bridge} itself` });
    const first = nicOfBridge.get(bridge);
    if (first && first.nic !== nic) {
      problems.push({
        path: `spec.networks[${i}].physicalInterface`,
        message: `${nic} differs from ${first.nic}, which spec.networks[${first.at}] already puts on bridge ${bridge}: a bridge has one physical port`,
      });
    } else if (!first) nicOfBridge.set(bridge, { nic, at: i });
  }
  return problems;
}

/**
 * A network with a physicalInterface needs highAvailability.nodeSelector: the NMState policy targets the nodes
 * it picks, and on a node without the NIC the policy's capture finds nothing and the whole policy goes Degraded
 * (kubernetes-nmstate v0.86.0 with nmpolicy: "Failed to find index 0 from interfaces"). A Wukong stored before
 * this rule keeps working: on UPDATE only a nodeSelector removed is denied.
 */
export function nodeSelectorProblems(spec: Raw, oldSpec?: Raw): Problem[] {
  const bridged = records(spec.networks, LIMITS.maxNetworks).find(([network]) => text(network.physicalInterface) !== undefined);
  if (!bridged || hasNodeSelector(spec)) return [];
  const grandfathered = oldSpec && !hasNodeSelector(oldSpec) && records(oldSpec.networks, LIMITS.maxNetworks).some(([network]) => network.physicalInterface);
  if (grandfathered) return [];
  const [network, i] = bridged;
  const nic = String(network.physicalInterface);
  return [
    {
      path: "spec.highAvailability.nodeSelector",
      message: `is required with spec.networks[${i}].physicalInterface: NMState builds the bridge on every node it selects, and a node without ${nic} fails the whole policy; select the nodes that have ${nic}`,
    },
  ];
}

const hasNodeSelector = (spec: Raw): boolean => {
  const selector = isRecord(spec.highAvailability) ? spec.highAvailability.nodeSelector : undefined;
  return isRecord(selector) && Object.keys(selector).length > 0;
};

function primaryProblems(spec: Raw, networks: [Raw, number][]): Problem[] {
  const primaries = networks.filter(([network]) => network.primary === true).map(([, i]) => i);
  const problems: Problem[] = primaries.slice(1).map(i => ({
    path: `spec.networks[${i}].primary`,
    message: `spec.networks[${primaries[0]}] is already the primary network: at most one network may be primary`,
  }));
  if (primaries.length === 0) return problems;
  if (spec.podNetwork === true) {
    problems.push({ path: "spec.podNetwork", message: `true contradicts spec.networks[${primaries[0]}].primary: a primary network replaces the pod network` });
  }
  for (const [network, i] of networks) {
    if (isPodNetworkEntry(network)) {
      problems.push({
        path: `spec.networks[${i}]`,
        message: `the pod network entry contradicts spec.networks[${primaries[0]}].primary: a primary network replaces the pod network`,
      });
    }
  }
  return problems;
}
