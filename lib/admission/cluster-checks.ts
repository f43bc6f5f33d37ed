// Admission checks that need the cluster. Each has a short deadline and a documented stance when the
// lookup itself fails: existence checks fail open (the reconciler reports the problem in status and
// recovers once it is fixed); address conflicts fail closed (nothing downstream would catch a clash).
import { bridgesExpectedOnNodes, type ExpectedBridge, missingBridges, nodeList } from "../networks/host-bridges";
import type { NodeInterfaces } from "../networks/node-interfaces";
import type { Problem } from "../../schemas/problems";
import { bytesOf } from "../../schemas/quantity";
import type { WukongSpec } from "../../schemas/spec";
import { type AddressClaim, addressClaims } from "../networks/segments";
import { type FeatureLookup, wukongFeatureWarnings } from "./feature-checks";
import { restoreProblems, type SnapshotLookup } from "./snapshot-checks";

export interface StorageClassInfo {
  name: string;
  allowVolumeExpansion?: boolean;
  isDefault: boolean;
}

export interface ClusterLookup extends SnapshotLookup, FeatureLookup {
  /** The StorageClasses, possibly a few seconds old; `fresh` asks the API server again. */
  storageClasses(options?: { fresh?: boolean }): Promise<StorageClassInfo[]>;
  networkAttachmentDefinitionExists(namespace: string, name: string): Promise<boolean>;
  /** The static IPs, MACs and bridge NICs every Wukong in the cluster claims (this one's stored version included). */
  addressClaims(): Promise<AddressClaim[]>;
  /** Whether the NMState API (nmstate.io/v1) is served, for networks with a physicalInterface. */
  nodeNetworkApiServed(): Promise<boolean>;
  /** Each node's interfaces from the NodeNetworkStates; undefined when NMState is not installed. */
  nodeInterfaces(): Promise<NodeInterfaces[] | undefined>;
}

export interface ClusterCheckInput {
  namespace: string;
  name: string;
  spec: WukongSpec;
  oldSpec?: WukongSpec;
}

export interface ClusterVerdict {
  problems: Problem[];
  warnings: string[];
}

export const LOOKUP_TIMEOUT_MS = 2000;

export async function clusterChecks(input: ClusterCheckInput, lookup: ClusterLookup, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<ClusterVerdict> {
  // The other Wukongs' claims serve two checks: read once.
  let read: Promise<AddressClaim[]> | undefined;
  const claims = () => (read ??= lookup.addressClaims());
  const verdicts = await Promise.all([
    failOpen("StorageClasses", () => storageProblems(input, lookup), timeoutMs),
    failOpen("NetworkAttachmentDefinitions", () => nadProblems(input, lookup), timeoutMs),
    failClosed(() => conflictProblems(input, claims), timeoutMs),
    failOpen("WukongSnapshots", () => restoreProblems(input, lookup), timeoutMs),
    nodeNetworkWarnings(input, lookup, timeoutMs),
    hostBridgeWarnings(input, lookup, claims, timeoutMs),
    featureWarnings(input, lookup, timeoutMs),
  ]);
  return { problems: verdicts.flatMap(v => v.problems), warnings: verdicts.flatMap(v => v.warnings) };
}

/**
 * A StorageClass made a moment before its Wukong (`kubectl apply -f dir/`, GitOps) may be missing from a recent
 * list: a miss is only believed once a fresh list confirms it.
 */
async function storageProblems(input: ClusterCheckInput, lookup: ClusterLookup): Promise<Problem[]> {
  let problems = storageProblemsAmong(input, await lookup.storageClasses());
  if (problems.some(problem => problem.missing)) problems = storageProblemsAmong(input, await lookup.storageClasses({ fresh: true }));
  return problems.map(({ path, message }) => ({ path, message }));
}

function storageProblemsAmong({ spec, oldSpec }: ClusterCheckInput, classes: StorageClassInfo[]): (Problem & { missing?: true })[] {
  const byName = new Map(classes.map(sc => [sc.name, sc]));
  const fallback = classes.find(sc => sc.isDefault);
  const oldDisks = new Map((oldSpec?.disks ?? []).map(disk => [disk.name, disk]));
  const problems: (Problem & { missing?: true })[] = [];
  (spec.disks ?? []).forEach((disk, i) => {
    const old = oldDisks.get(disk.name);
    const at = `spec.disks[${i}]`;
    const sc = disk.storageClassName ? byName.get(disk.storageClassName) : fallback;
    if (!old) {
      if (disk.storageClassName && !sc)
        problems.push({ path: `${at}.storageClassName`, message: `StorageClass "${disk.storageClassName}" does not exist`, missing: true });
      if (!disk.storageClassName && !fallback)
        problems.push({ path: `${at}.storageClassName`, message: "is required: the cluster has no default StorageClass", missing: true });
      return;
    }
    const grows = (bytesOf(disk.size) ?? 0n) > (bytesOf(old.size) ?? 0n);
    if (grows && sc && !sc.allowVolumeExpansion) {
      problems.push({
        path: `${at}.size`,
        message: `cannot grow: StorageClass "${sc.name}" does not allow volume expansion (allowVolumeExpansion is not true)`,
      });
    }
  });
  return problems;
}

async function nadProblems({ namespace, spec, oldSpec }: ClusterCheckInput, lookup: ClusterLookup): Promise<Problem[]> {
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

async function conflictProblems({ namespace, name, spec }: ClusterCheckInput, claims: () => Promise<AddressClaim[]>): Promise<Problem[]> {
  const mine = addressClaims(namespace, name, spec);
  if (mine.length === 0) return [];
  const self = `${namespace}/${name}`;
  const others = (await claims()).filter(claim => claim.owner !== self);
  // Two NICs of this very Wukong on one segment clash just the same; each pair is reported once.
  return mine.flatMap((claim, i) => [...clashes(claim, mine.slice(0, i), "this Wukong"), ...clashes(claim, others, "Wukong")]);
}

function clashes(claim: AddressClaim, others: AddressClaim[], whose: string): Problem[] {
  const problems: Problem[] = [];
  for (const other of others) {
    const guest = other.heldByGuest ? "; its running guest still holds it, whatever its spec asks for until it restarts" : "";
    const by = whose === "Wukong" ? `Wukong ${other.owner} (${other.path}${guest})` : `${other.path} of this Wukong`;
    const [mine, theirs] = [claim.bridgePort, other.bridgePort];
    // Within this Wukong the same rule is a cross-field rule already.
    if (whose === "Wukong" && mine && theirs && mine.bridge === theirs.bridge && (mine.nic !== theirs.nic || mine.type !== theirs.type)) {
      problems.push({
        path: `${claim.path}.physicalInterface`,
        message: `bridge ${mine.bridge} is already built on ${theirs.nic} (${theirs.type}) by ${by}: a bridge has one physical port`,
      });
    }
    if (other.segment !== claim.segment) continue;
    if (claim.ip && claim.ip === other.ip) {
      problems.push({ path: `${claim.path}.ipConfig.address`, message: `${claim.ip} is already used by ${by} on the same segment (${claim.segment})` });
    }
    if (claim.mac && claim.mac === other.mac) {
      problems.push({ path: `${claim.path}.macAddress`, message: `${claim.mac} is already used by ${by} on the same segment (${claim.segment})` });
    }
  }
  return problems;
}

/** Admitted without NMState all the same: the operator reports NMStateMissing until it is installed. */
async function nodeNetworkWarnings({ spec }: ClusterCheckInput, lookup: ClusterLookup, timeoutMs: number): Promise<ClusterVerdict> {
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
async function hostBridgeWarnings(
  { spec }: ClusterCheckInput,
  lookup: ClusterLookup,
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

/** Warnings only: a lookup that fails or is slow adds none. */
async function featureWarnings({ spec, oldSpec }: ClusterCheckInput, lookup: ClusterLookup, timeoutMs: number): Promise<ClusterVerdict> {
  const features = await withDeadline(lookup.clusterFeatures(), timeoutMs).catch(() => undefined);
  return { problems: [], warnings: features ? wukongFeatureWarnings(spec, oldSpec, features) : [] };
}

export async function failOpen(what: string, check: () => Promise<Problem[]>, timeoutMs: number): Promise<ClusterVerdict> {
  try {
    return { problems: await withDeadline(check(), timeoutMs), warnings: [] };
  } catch (error) {
    return { problems: [], warnings: [`could not look up ${what} (${reason(error)}); admitted without that check`] };
  }
}

async function failClosed(check: () => Promise<Problem[]>, timeoutMs: number): Promise<ClusterVerdict> {
  try {
    return { problems: await withDeadline(check(), timeoutMs), warnings: [] };
  } catch (error) {
    return {
      problems: [{ path: "spec.networks", message: `could not check static IPs and MACs against other Wukongs (${reason(error)}); retry` }],
      warnings: [],
    };
  }
}

export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Client libraries throw Errors or plain `{status, data: {message}}` objects; either way, say something useful. */
function reason(error: unknown): string {
  const e = error as { message?: unknown; status?: unknown; data?: { message?: unknown } } | undefined;
  const text = e?.data?.message ?? e?.message ?? (e?.status !== undefined ? `HTTP ${e.status}` : String(error));
  return String(text).slice(0, 200);
}
