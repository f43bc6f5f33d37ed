// The guest's NICs as virt-handler reports them in a VMI's status.interfaces once the guest runs: one per spec
// interface the domain has, addresses from the cloud-init network data when it assigns static ones to that MAC,
// else from fake DHCP.
import { generatedMac, multusNetworkAddress, podNetworkAddress } from "./fake-dhcp";
import { parseNetworkConfig, staticAddressesFor } from "./network-data";
import { KubeObject, keyOf } from "./resources";

export interface VmiInterfaceStatus {
  name: string;
  mac: string;
  interfaceName: string;
  infoSource: string;
  ipAddress?: string;
  ipAddresses?: string[];
}

interface SpecInterface {
  name?: unknown;
  macAddress?: unknown;
  state?: unknown;
}
interface SpecNetwork {
  name?: unknown;
  pod?: object;
  multus?: { networkName?: unknown };
}

const listOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);

/**
 * One entry per spec interface, in order (eth0, eth1, ...). A VMI that declares neither interfaces nor networks
 * gets KubeVirt's default masquerade NIC on the pod network.
 */
export function guestInterfaces(vmi: KubeObject, networkDataText: string | undefined): VmiInterfaceStatus[] {
  const spec = vmi.spec ?? {};
  const vmiKey = keyOf(vmi);
  let interfaces = listOf<SpecInterface>(spec.domain?.devices?.interfaces);
  let networks = listOf<SpecNetwork>(spec.networks);
  if (interfaces.length === 0 && networks.length === 0 && spec.domain?.devices?.autoattachPodInterface !== false) {
    interfaces = [{ name: "default" }];
    networks = [{ name: "default", pod: {} }];
  }
  // The domain has no NIC marked absent (kubevirt v1.7.4 pkg/virt-launcher/virtwrap/converter/network.go).
  interfaces = interfaces.filter(iface => iface?.state !== "absent");
  const config = parseNetworkConfig(networkDataText);
  return interfaces.map((iface, i) => {
    const name = String(iface?.name ?? `nic${i}`);
    const guestName = `eth${i}`;
    const mac = (typeof iface?.macAddress === "string" && iface.macAddress ? iface.macAddress : generatedMac(vmiKey, name)).toLowerCase();
    const network = networks.find(n => n?.name === name);
    let addresses = staticAddressesFor(config, mac, guestName);
    if (addresses.length === 0) {
      if (network?.pod) addresses = [podNetworkAddress(vmiKey)];
      else if (typeof network?.multus?.networkName === "string") addresses = [multusNetworkAddress(vmiKey, network.multus.networkName)];
    }
    const status: VmiInterfaceStatus = { name, mac, interfaceName: guestName, infoSource: "domain, guest-agent" };
    if (addresses.length) {
      status.ipAddress = addresses[0];
      status.ipAddresses = addresses;
    }
    return status;
  });
}
