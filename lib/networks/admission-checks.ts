// Admission's network checks that need the cluster: the user's NADs exist, no static IP, MAC or bridge NIC clashes
// with another Wukong's on the same segment, and warnings where NMState or a host bridge is missing. Composed with
// the other subjects' by lib/admission/cluster-checks.ts.
import type { Problem } from "../../schemas/problems";
import type { WukongSpec } from "../../schemas/spec";
import { type ClusterVerdict, reason, withDeadline } from "../admission/deadline";
import { bridgesExpectedOnNodes, type ExpectedBridge, missingBridges, nodeList } from "./host-bridges";
import type { NodeInterfaces } from "./node-interfaces";
import { type AddressClaim, conflictProblems } from "./segments";

export interface NetworkLookup {
  networkAttachmentDefinitionExists(namespace: string, name: string): Promise<boolean>;
  /** The static IPs, MACs and bridge NICs every Wukong in the cluster claims (this one's stored version included). */
  addressClaims(): Promise<AddressClaim[]>;
  /** Whether the NMState API (nmstate.io/v1) is served, for networks with a physicalInterface. */
  nodeNetworkApiServed(): Promise<boolean>;
  /** Each node's interfaces from the NodeNetworkStates; undefined when NMState is not installed. */
  nodeInterfaces(): Promise<NodeInterfaces[] | undefined>;
}

export interface NetworkCheckInput {
  namespace: string;
  name: string;
  spec: WukongSpec;
  oldSpec?: WukongSpec;
}

/** A nadName new to this Wukong must name an existing NetworkAttachmentDefinition. */
export async function nadProblems({ namespace, spec, oldSpec }: NetworkCheckInput, lookup: NetworkLookup): Promise<Problem[]> {
  const known = new Set((oldSpec?.networks ?? []).map(network => `${network.name}/${network.nadName}`));
  const checks = (spec.networks ?? []).map(async (network, i): Promise<Problem[]> => {
    if (!network.nadName || known.has(`${network.name}/${network.nadName}`)) return [];
    const exists = await lookup.networkAttachmentDefinitionExists(namespace, network.nadName);
    return exists
      ? []
      : [{ path: `spec.networks[${i}].nadName`, message: `NetworkAttachmentDefinition "${network.nadName}" does not exist in namespace ${namespace}` }];
  });
  return (await Promise.all(checks)).flat();
}

/**
 * Static IPs, MACs and bridge NICs against every other Wukong's: fails closed, since nothing downstream would catch a
 * clash. The other Wukongs' claims are read once for this and the host-bridge warnings.
 */
export async function addressConflicts(input: NetworkCheckInput, claims: () => Promise<AddressClaim[]>, timeoutMs: number): Promise<ClusterVerdict> {
  try {
    return { problems: await withDeadline(conflictProblems(input, claims), timeoutMs), warnings: [] };
  } catch (error) {
    return {
      problems: [{ path: "spec.networks", message: `could not check static IPs and MACs against other Wukongs (${reason(error)}); retry` }],
      warnings: [],
    };
  }
}

/** Admitted without NMState all the same: the operator reports NMStateMissing until it is installed. */
export async function nodeNetworkWarnings({ spec }: NetworkCheckInput, lookup: NetworkLookup, timeoutMs: number): Promise<ClusterVerdict> {
  const bridged = (spec.networks ?? []).findIndex(network => network.physicalInterface !== undefined);
  if (bridged < 0) return { problems: [], warnings: [] };
  const served = await withDeadline(lookup.nodeNetworkApiServed(), timeoutMs).catch(() => undefined);
  if (served !== false) return { problems: [], warnings: [] };
  return {
    problems: [],
    warnings: [
      `spec.networks[${bridged}].physicalInterface: NMState is not installed (nmstate.io/v1 NodeNetworkConfigurationPolicy is not served): the bridge cannot be built and the VM will not start until it is`,
    ],
  };
}

const UPLINKLESS = "the bridge CNI plugin creates a missing bridge with no uplink, so a VM there reaches only VMs on the same node";

/**
 * A bridge network that no physicalInterface builds (here or in another Wukong) expects its bridge on the nodes.
 * Admitted either way; the operator reports BridgeMissing on the Wukong where NMState shows nodes without it.
 */
export async function hostBridgeWarnings(
  { spec }: NetworkCheckInput,
  lookup: NetworkLookup,
  claims: () => Promise<AddressClaim[]>,
  timeoutMs: number,
): Promise<ClusterVerdict> {
  if (bridgesExpectedOnNodes(spec).length === 0) return { problems: [], warnings: [] };
  try {
    // Other Wukongs unreadable: the conflict check already denies; here they only narrow the warnings.
    const others = withDeadline(claims(), timeoutMs).catch((): AddressClaim[] => []);
    const nodes = await withDeadline(lookup.nodeInterfaces(), timeoutMs);
    const builtByWukongs = new Set((await others).flatMap(claim => (claim.bridgePort ? [claim.bridgePort.bridge] : [])));
    const expected = bridgesExpectedOnNodes(spec, builtByWukongs);
    const at = (bridge: ExpectedBridge) => `spec.networks[${bridge.index}]`;
    if (!nodes) {
      const warnings = expected.map(
        bridge =>
          `${at(bridge)}: bridge ${bridge.bridge} must already exist on the nodes: nothing builds it (no physicalInterface), and without NMState Wukong cannot check that it does; ${UPLINKLESS}`,
      );
      return { problems: [], warnings };
    }
    const warnings = missingBridges(expected, nodes).map(
      missing =>
        `${at(missing)}: bridge ${missing.bridge} does not exist on node${missing.nodes.length > 1 ? "s" : ""} ${nodeList(missing.nodes)} (NodeNetworkState); ${UPLINKLESS}`,
    );
    return { problems: [], warnings };
  } catch (error) {
    return { problems: [], warnings: [`could not look up NodeNetworkStates (${reason(error)}); admitted without checking that the bridges exist`] };
  }
}
