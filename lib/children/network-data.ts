// cloud-init networkData (netplan version 2): one entry per NIC, matched by MAC because guest interface names are
// unpredictable, and renamed to the NIC's name. Every NIC is listed, pod NIC included: once network config exists,
// cloud-init no longer falls back to DHCP on the first NIC.
import { stringify } from "yaml";
import type { Network, WukongSpec } from "../../schemas/spec";
import type { Nic } from "./nics";
import { isStatic } from "./spec-defaults";

export function networkData(spec: WukongSpec, nics: Nic[]): string {
  // One default route: when a static network has a gateway, DHCP NICs (the pod NIC too) must not install theirs.
  const staticGateway = (spec.networks ?? []).some(network => isStatic(network) && network.ipConfig?.gateway);
  const ethernets = Object.fromEntries(nics.map(nic => [nic.name, ethernet(nic, staticGateway)]));
  // Quoted strings: a MAC or address must never be read as a number (YAML 1.1 sexagesimals).
  return stringify({ version: 2, ethernets }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 });
}

function ethernet(nic: Nic, staticGateway: boolean): Record<string, unknown> {
  const identity = { match: { macaddress: nic.macAddress }, "set-name": nic.name };
  if (nic.network && isStatic(nic.network)) return { ...identity, ...staticAddressing(nic.network) };
  return { ...identity, dhcp4: true, ...(staticGateway && { "dhcp4-overrides": { "use-routes": false } }) };
}

/**
 * routes, not the deprecated gateway4. The destination is spelled out (0.0.0.0/0, ::/0): cloud-init 22.4 (Debian 12)
 * rejects netplan's `to: default` with "Address default is not a valid ip address" and applies no network config.
 */
function staticAddressing(network: Network): Record<string, unknown> {
  const { address, gateway, dnsServers } = network.ipConfig ?? {};
  return {
    addresses: address ? [address] : [],
    ...(gateway && { routes: [{ to: gateway.includes(":") ? "::/0" : "0.0.0.0/0", via: gateway }] }),
    ...(dnsServers?.length && { nameservers: { addresses: dnsServers } }),
  };
}
