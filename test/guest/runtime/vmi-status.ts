// VMI status as virt-handler reports it from the domain and qemu-guest-agent: interfaces matched to the spec by MAC
// with the guest's own addresses, the guest OS info, and the Ready and AgentConnected conditions. Pure.
import type { GuestNic } from "./guest-spec";

export interface AgentInterface {
  name: string;
  "hardware-address"?: string;
  "ip-addresses"?: { "ip-address-type": "ipv4" | "ipv6"; "ip-address": string; prefix: number }[];
}

export interface AgentOsInfo {
  id?: string;
  name?: string;
  "pretty-name"?: string;
  version?: string;
  "version-id"?: string;
  "kernel-release"?: string;
  "kernel-version"?: string;
  machine?: string;
}

export interface VmiInterface {
  name: string;
  mac: string;
  interfaceName?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  infoSource: string;
}

/** One entry per spec NIC; addresses from the agent when it sees that MAC (IPv6 link-local left out, as KubeVirt does). */
export function vmiInterfaces(nics: GuestNic[], agentInterfaces: AgentInterface[] | undefined): VmiInterface[] {
  return nics.map(nic => {
    const seen = agentInterfaces?.find(i => i["hardware-address"]?.toLowerCase() === nic.mac);
    if (!seen) return { name: nic.name, mac: nic.mac, infoSource: "domain" };
    const ips = (seen["ip-addresses"] ?? []).map(a => a["ip-address"]).filter(ip => !ip.toLowerCase().startsWith("fe80:"));
    return {
      name: nic.name,
      mac: nic.mac,
      interfaceName: seen.name,
      ...(ips.length && { ipAddress: ips[0], ipAddresses: ips }),
      infoSource: "domain, guest-agent",
    };
  });
}

export function guestOsInfo(info: AgentOsInfo | undefined): Record<string, string> | undefined {
  if (!info) return undefined;
  const out: Record<string, string> = {};
  const map: [keyof AgentOsInfo, string][] = [
    ["id", "id"],
    ["name", "name"],
    ["pretty-name", "prettyName"],
    ["version", "version"],
    ["version-id", "versionId"],
    ["kernel-release", "kernelRelease"],
    ["kernel-version", "kernelVersion"],
    ["machine", "machine"],
  ];
  for (const [from, to] of map) if (info[from]) out[to] = String(info[from]);
  return out;
}
