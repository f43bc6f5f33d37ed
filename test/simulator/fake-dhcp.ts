// Stand-in for the addresses a real cluster would hand out (pod CNI IPAM, a DHCP server on a bridge
// network) and for the MAC libvirt would pick when the VM spec leaves it out. Deterministic: the
// same VMI always gets the same values, so tests can predict them.
import { createHash } from "node:crypto";

function hash(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

/** Host part 10..249, the same for a VMI on every network. */
function hostOctet(vmiKey: string): number {
  return 10 + (hash(vmiKey) % 240);
}

/** The pod network's address for a VMI: 10.244.0.x. */
export function podNetworkAddress(vmiKey: string): string {
  return `10.244.0.${hostOctet(vmiKey)}`;
}

/** A secondary (Multus) network's address: 172.30.<n>.x, n fixed per network name so VMIs on the same network share a subnet. */
export function multusNetworkAddress(vmiKey: string, networkName: string): string {
  return `172.30.${1 + (hash(networkName) % 254)}.${hostOctet(vmiKey)}`;
}

/** A locally administered-looking MAC in libvirt's 52:54:00 range, for interfaces without macAddress. */
export function generatedMac(vmiKey: string, interfaceName: string): string {
  const h = hash(`${vmiKey}/${interfaceName}`);
  const bytes = [(h >>> 16) & 0xff, (h >>> 8) & 0xff, h & 0xff];
  return ["52", "54", "00", ...bytes.map(b => b.toString(16).padStart(2, "0"))].join(":");
}
