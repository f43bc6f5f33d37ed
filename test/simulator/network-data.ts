// Finds a VM's cloud-init network config and reads which addresses it gives each NIC, so the
// simulated guest reports the static IPs the operator configured (as a real guest would after boot).
import { parse } from "yaml";
import { KubeObject } from "./resources";

export interface NicConfig {
  addresses: string[]; // without prefix length, in the order configured
  dhcp: boolean;
}

export interface NetworkConfig {
  byMac: Map<string, NicConfig>; // lower-case MAC
  byName: Map<string, NicConfig>; // guest interface name (netplan id without match, or match.name)
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Volume = any;

const SECRET_KEYS = ["networkdata", "networkData"];

function cloudInitOf(volume: Volume): Record<string, unknown> | undefined {
  const src = volume?.cloudInitNoCloud ?? volume?.cloudInitConfigDrive;
  return src && typeof src === "object" ? src : undefined;
}

/** Secret names that hold network data for these volumes (so they can be fetched beforehand). */
export function networkDataSecretNames(volumes: unknown): string[] {
  const names: string[] = [];
  for (const v of Array.isArray(volumes) ? volumes : []) {
    const ci = cloudInitOf(v) as Volume;
    if (!ci) continue;
    if (typeof ci.networkDataSecretRef?.name === "string") names.push(ci.networkDataSecretRef.name);
    if (typeof ci.secretRef?.name === "string") names.push(ci.secretRef.name);
  }
  return [...new Set(names)];
}

function secretValue(secret: KubeObject | undefined): string | undefined {
  for (const key of SECRET_KEYS) {
    const b64 = secret?.data?.[key];
    if (typeof b64 === "string") return Buffer.from(b64, "base64").toString("utf8");
    const plain = (secret as Volume)?.stringData?.[key];
    if (typeof plain === "string") return plain;
  }
  return undefined;
}

/**
 * The network-config text of the first cloud-init volume, looked up in KubeVirt's order: the
 * dedicated Secret, base64, inline, then a `networkdata` key in the user-data Secret.
 */
export function resolveNetworkData(volumes: unknown, secretByName: (name: string) => KubeObject | undefined): string | undefined {
  for (const v of Array.isArray(volumes) ? volumes : []) {
    const ci = cloudInitOf(v) as Volume;
    if (!ci) continue;
    if (typeof ci.networkDataSecretRef?.name === "string") return secretValue(secretByName(ci.networkDataSecretRef.name));
    if (typeof ci.networkDataBase64 === "string") return Buffer.from(ci.networkDataBase64, "base64").toString("utf8");
    if (typeof ci.networkData === "string") return ci.networkData;
    if (typeof ci.secretRef?.name === "string") return secretValue(secretByName(ci.secretRef.name));
    return undefined;
  }
  return undefined;
}

const stripPrefix = (cidr: string) => cidr.split("/")[0].trim();

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function addressList(value: any): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map(a => (typeof a === "string" ? a : a && typeof a === "object" ? Object.keys(a)[0] : undefined)) // netplan allows {addr: {lifetime..}}
    .filter((a): a is string => typeof a === "string" && a.length > 0)
    .map(stripPrefix);
}

const normMac = (mac: unknown) => (typeof mac === "string" ? mac.trim().toLowerCase() : undefined);

/** Parses netplan v2 (`ethernets`) or cloud-init v1 (`config:` list) network config, with or without a top-level `network:` key. */
export function parseNetworkConfig(text: string | undefined): NetworkConfig {
  const result: NetworkConfig = { byMac: new Map(), byName: new Map() };
  if (!text) return result;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  try {
    doc = parse(text);
  } catch {
    return result; // a real guest would ignore unparsable network config too
  }
  if (doc && typeof doc === "object" && doc.network && typeof doc.network === "object") doc = doc.network;
  if (!doc || typeof doc !== "object") return result;

  if (doc.ethernets && typeof doc.ethernets === "object") {
    for (const [id, eth] of Object.entries<Volume>(doc.ethernets)) {
      if (!eth || typeof eth !== "object") continue;
      const nic: NicConfig = { addresses: addressList(eth.addresses), dhcp: eth.dhcp4 === true || eth.dhcp6 === true };
      const mac = normMac(eth.match?.macaddress);
      if (mac) result.byMac.set(mac, nic);
      // Without a `match`, the netplan id is the guest interface name itself.
      const name = eth.match ? eth.match.name : id;
      if (typeof name === "string" && !result.byName.has(name)) result.byName.set(name, nic);
    }
  } else if (Array.isArray(doc.config)) {
    for (const entry of doc.config) {
      if (!entry || entry.type !== "physical") continue;
      const subnets = Array.isArray(entry.subnets) ? entry.subnets : [];
      const nic: NicConfig = {
        addresses: subnets.filter((s: Volume) => typeof s?.address === "string").map((s: Volume) => stripPrefix(s.address)),
        dhcp: subnets.some((s: Volume) => typeof s?.type === "string" && s.type.startsWith("dhcp")),
      };
      const mac = normMac(entry.mac_address);
      if (mac) result.byMac.set(mac, nic);
      if (typeof entry.name === "string") result.byName.set(entry.name, nic);
    }
  }
  return result;
}

/** Static addresses configured for a NIC, matched by MAC first, then by guest interface name. */
export function staticAddressesFor(config: NetworkConfig, mac: string | undefined, guestName: string): string[] {
  const byMac = mac ? config.byMac.get(mac.toLowerCase()) : undefined;
  const nic = byMac ?? config.byName.get(guestName);
  return nic?.addresses ?? [];
}
