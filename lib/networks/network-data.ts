// cloud-init networkData (netplan version 2): one entry per NIC, matched by MAC because guest interface names are
// unpredictable, and renamed to the NIC's name. Every NIC is listed, pod NIC included: once network config exists,
// cloud-init no longer falls back to DHCP on the first NIC.
import { stringify } from "yaml";
import type { WukongSpec } from "../../schemas/spec";
import type { Nic } from "./nics";
import type { Network } from "../../schemas/networks/network";
import { isStatic } from "./defaults";

/**
 * The guest's fixed address behind KubeVirt masquerade: the second address of the VM network CIDR, 10.0.2.0/24 by
 * default (`DefaultVMCIDR`, pkg/virt-launcher/virtwrap/api/defaults.go; `getMasqueradeGwAndHostAddressesFromCIDR`,
 * pkg/network/link/address.go, KubeVirt v1.7.4). We never set `pod.vmNetworkCIDR`, so it is always this one.
 */
export const MASQUERADE_GUEST_ADDRESS = "10.0.2.2/24";

export function networkData(spec: WukongSpec, nics: Nic[]): string {
  // One default route: when a static network has a gateway, no other NIC may install one.
  const staticGateway = (spec.networks ?? []).some(network => isStatic(network) && network.ipConfig?.gateway);
  const ethernets = Object.fromEntries(nics.map(nic => [nic.name, ethernet(nic, staticGateway)]));
  // Quoted strings: a MAC or address must never be read as a number (YAML 1.1 sexagesimals).
  return stringify({ version: 2, ethernets }, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: "PLAIN", lineWidth: 0 });
}

/**
 * `dhcp4-overrides` reaches only netplan (v2 passthrough) and networkd: cloud-init's v2 → v1 conversion
 * (`_v2_to_v1_ipcfg`, cloudinit/net/network_state.py, 22.4–25.1) keeps just `route-metric`, so ENI and
 * NetworkManager render a plain DHCP client whose lease installs its default route (sysconfig too, since the gateway
 * is a gateway4: see staticAddressing). The pod NIC's address is known, so with a static gateway it gets it
 * statically, without a gateway; other DHCP networks keep the override (admission warns).
 */
function ethernet(nic: Nic, staticGateway: boolean): Record<string, unknown> {
  const identity = { match: { macaddress: nic.macAddress }, "set-name": nic.name };
  if (nic.network && isStatic(nic.network)) return { ...identity, ...staticAddressing(nic.network) };
  if (!nic.network && staticGateway) return { ...identity, addresses: [MASQUERADE_GUEST_ADDRESS] };
  return { ...identity, dhcp4: true, ...(staticGateway && { "dhcp4-overrides": { "use-routes": false } }) };
}

/**
 * gateway4/gateway6, not a default entry in `routes`: cloud-init's ENI renderer writes routes as `post-up route add
 * … || true` (`_render_route`, cloudinit/net/eni.py, 22.4–25.1), and `route` is net-tools, which cloud-init does not
 * depend on and Debian's minimal images lack, so the default route silently never appears. A gateway becomes
 * ifupdown's own `gateway` line (iproute2), sysconfig's GATEWAY, NetworkManager's gateway and networkd's [Route]
 * Gateway. netplan calls gateway4 deprecated and warns, but still applies it.
 */
function staticAddressing(network: Network): Record<string, unknown> {
  const { address, gateway, dnsServers } = network.ipConfig ?? {};
  return {
    addresses: address ? [address] : [],
    ...(gateway && { [gateway.includes(":") ? "gateway6" : "gateway4"]: gateway }),
    ...(dnsServers?.length && { nameservers: { addresses: dnsServers } }),
  };
}
