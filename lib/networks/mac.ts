// Stable, locally administered unicast MACs: the same Wukong and NIC always get the same address,
// so cloud-init networkData (matched by MAC) stays valid across re-creation and re-defaulting.
import { createHash } from "node:crypto";

export function stableMac(namespace: string, wukong: string, nic: string): string {
  const digest = createHash("sha256").update(`${namespace}/${wukong}/${nic}`).digest();
  // 0x02: locally administered, unicast.
  const octets = [0x02, digest[0], digest[1], digest[2], digest[3], digest[4]];
  return octets.map(octet => octet.toString(16).padStart(2, "0")).join(":");
}
