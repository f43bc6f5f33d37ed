// Which L2 segment a NIC sits on, the static IPs, MACs and bridge NICs Wukongs claim there, and when two claims clash.
import ipaddr from "ipaddr.js";
import type { Problem } from "../../schemas/problems";
import type { WukongSpec } from "../../schemas/spec";
import type { Wukong } from "../../schemas/wukong";
import { bridgeOf, type Network } from "../../schemas/networks/network";

export interface AddressClaim {
  /** namespace/name of the claiming Wukong. */
  owner: string;
  /** Field path of the claim in its own Wukong. */
  path: string;
  segment: string;
  ip?: string;
  mac?: string;
  /** The host bridge this network asks NMState to build on a node NIC (physicalInterface). */
  bridgePort?: { bridge: string; nic: string; type: string };
  /** An address the running guest reports (status), not the one its spec asks for from the next boot. */
  heldByGuest?: boolean;
}

/** Same NAD, or same host bridge (or SR-IOV resource) and VLAN: host bridges span namespaces. */
export function segmentOf(namespace: string, network: Network): string {
  if (network.nadName) return `nad ${namespace}/${network.nadName}`;
  const vlan = network.vlanId ?? 0;
  if (network.type === "sriov") return `sriov ${network.resourceName} vlan ${vlan}`;
  return `${network.type} ${bridgeOf(network)} vlan ${vlan}`;
}

export function addressClaims(namespace: string, name: string, spec: WukongSpec): AddressClaim[] {
  return (spec.networks ?? []).map((network, i) => ({
    owner: `${namespace}/${name}`,
    path: `spec.networks[${i}]`,
    segment: segmentOf(namespace, network),
    ip: network.ipConfig?.mode === "static" ? canonicalIp(network.ipConfig.address?.split("/")[0]) : undefined,
    mac: network.macAddress?.toLowerCase(),
    ...(network.physicalInterface &&
      network.type &&
      !network.nadName && { bridgePort: { bridge: bridgeOf(network), nic: network.physicalInterface, type: network.type } }),
  }));
}

/**
 * The claims of stored Wukongs (a Wukong without a spec claims nothing): what the spec asks for, and what the guest
 * still holds. A changed address reaches the guest only when it boots again (cloud-init applies network config at
 * boot; KubeVirt builds the NoCloud disk at VMI start), so until then the status address stays taken.
 */
export function claimsOfWukong(wukong: Wukong): AddressClaim[] {
  const { namespace = "", name = "" } = wukong.metadata ?? {};
  if (!wukong.spec) return [];
  const claims = addressClaims(namespace, name, wukong.spec);
  const reported = wukong.status?.networks ?? [];
  const held = claims.flatMap((claim, i) => {
    const ip = canonicalIp(reported.find(nic => nic.name === wukong.spec?.networks?.[i].name)?.ipAddress);
    return ip && ip !== claim.ip ? [{ owner: claim.owner, path: claim.path, segment: claim.segment, ip, heldByGuest: true }] : [];
  });
  return [...claims, ...held];
}

/** This Wukong's claims that clash with another's on the same segment, or with another of its own. */
export async function conflictProblems(
  { namespace, name, spec }: { namespace: string; name: string; spec: WukongSpec },
  claims: () => Promise<AddressClaim[]>,
): Promise<Problem[]> {
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

/** One spelling per address, so 2001:db8::10 and 2001:DB8:0::10 are seen as the same IP. */
function canonicalIp(ip: string | undefined): string | undefined {
  if (ip === undefined) return undefined;
  try {
    return ipaddr.parse(ip).toString();
  } catch {
    return ip;
  }
}
