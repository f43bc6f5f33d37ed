// The names of the networks' children, part of the API: admission checks the 63-character limit of the NADs'
// before anything is created, and the NMState policy is found by its name.
import { createHash } from "node:crypto";
import type { Network } from "./network";

/** The NetworkAttachmentDefinition Wukong generates for a network without nadName. */
export function generatedNadName(wukong: string, network: string): string {
  return `${wukong}-${network}`;
}

/** The NAD a network attaches to: the user's nadName, else the generated one. */
export function attachedNadName(wukong: string, network: Pick<Network, "name" | "nadName">): string {
  return network.nadName ?? generatedNadName(wukong, network.name);
}

/** The NodeNetworkConfigurationPolicy of a host bridge: wukong-<bridge>-<nic>, lower-cased; a short hash keeps names apart when lower-casing merged two. */
export function nodeNetworkPolicyName({ bridge, nic }: { bridge: string; nic: string }): string {
  const plain = `wukong-${bridge}-${nic}`;
  const name = plain.toLowerCase().replace(/[^a-z0-9.-]/g, "-");
  if (name === plain) return name;
  return `${name}-${createHash("sha256").update(`${bridge}/${nic}`).digest("hex").slice(0, 6)}`;
}
