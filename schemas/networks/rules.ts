// The networks' cross-field and update rules: what one field alone cannot say, and what may not change.
// How a network attaches (the pod network entry, physicalInterface, primary) is in ./attachment-rules.ts.
import ipaddr from "ipaddr.js";
import { LIMITS } from "../limits";
import { type Problem, shown } from "../problems";
import { duplicateNames, isRecord, type Raw, records, text } from "../raw";
import type { WukongSpec } from "../spec";
import { attachmentProblems } from "./attachment-rules";
import { generatedNadName } from "./names";
import { type Network, POD_NIC } from "./network";

export const RESERVED_NETWORK_NAMES = [POD_NIC];
const IMMUTABLE_NETWORK_FIELDS = ["type", "bridgeName", "vlanId", "nadName", "macAddress", "physicalInterface"] as const satisfies readonly (keyof Network)[];

/** Each generated NAD's name (the builders' own function) must fit in 63 characters. */
export function nadNameProblems(name: string, spec: Raw, maxName: number): Problem[] {
  const problems: Problem[] = [];
  for (const [network, i] of records(spec.networks, LIMITS.maxNetworks)) {
    const child = text(network.name);
    if (child && !network.nadName && generatedNadName(name, child).length > maxName) {
      problems.push({
        path: `spec.networks[${i}].name`,
        message: `makes the NetworkAttachmentDefinition name "${generatedNadName(name, child)}" longer than ${maxName} characters: shorten it or the Wukong name`,
      });
    }
  }
  return problems;
}

/** The cross-field problems of spec.networks and spec.podNetwork. */
export function networkProblems(spec: Raw): Problem[] {
  return [...networkListProblems(spec), ...attachmentProblems(spec)];
}

function networkListProblems(spec: Raw): Problem[] {
  const networks = records(spec.networks, LIMITS.maxNetworks);
  const problems = duplicateNames(networks, "networks", RESERVED_NETWORK_NAMES, "the pod network");
  const macs = new Map<string, number>();
  const gateways: number[] = [];
  for (const [network, i] of networks) {
    const at = `spec.networks[${i}]`;
    const type = text(network.type);
    if (type === "sriov" && network.resourceName === undefined && network.nadName === undefined) {
      problems.push({
        path: `${at}.resourceName`,
        message: "is required for sriov networks (the SR-IOV device-plugin resource, e.g. intel.com/sriov_netdevice)",
      });
    }
    if (type !== "sriov" && network.resourceName !== undefined && network.nadName === undefined) {
      problems.push({ path: `${at}.resourceName`, message: "applies only to sriov networks" });
    }
    if (type === "sriov" && network.bridgeName !== undefined) {
      problems.push({ path: `${at}.bridgeName`, message: "does not apply to sriov networks (a VF is not attached to a host bridge)" });
    }
    if (network.nadName !== undefined) {
      for (const field of ["vlanId", "bridgeName", "resourceName"] as const) {
        if (network[field] !== undefined) {
          problems.push({ path: `${at}.${field}`, message: "cannot be combined with nadName: the existing NetworkAttachmentDefinition decides it" });
        }
      }
    }
    const mac = text(network.macAddress)?.toLowerCase();
    if (mac) {
      const first = macs.get(mac);
      if (first !== undefined) problems.push({ path: `${at}.macAddress`, message: `duplicates spec.networks[${first}].macAddress ${mac}` });
      else macs.set(mac, i);
    }
    if (isRecord(network.ipConfig)) {
      problems.push(...ipConfigProblems(network.ipConfig, `${at}.ipConfig`));
      if (network.ipConfig.gateway !== undefined) gateways.push(i);
    }
  }
  for (const i of gateways.slice(1)) {
    problems.push({
      path: `spec.networks[${i}].ipConfig.gateway`,
      message: `spec.networks[${gateways[0]}] already sets the default gateway: only one network may set one`,
    });
  }
  return problems;
}

function ipConfigProblems(ipConfig: Raw, at: string): Problem[] {
  const problems: Problem[] = [];
  const mode = ipConfig.mode ?? "dhcp";
  const address = text(ipConfig.address);
  const gateway = text(ipConfig.gateway);
  if (mode === "static" && ipConfig.address === undefined) {
    problems.push({ path: `${at}.address`, message: "is required for static mode: a host address in CIDR form such as 192.168.100.10/24" });
  }
  if (mode === "dhcp") {
    if (ipConfig.address !== undefined)
      problems.push({ path: `${at}.address`, message: "is forbidden with dhcp mode: set mode: static to use a fixed address" });
    if (ipConfig.gateway !== undefined) problems.push({ path: `${at}.gateway`, message: "is forbidden with dhcp mode: the DHCP server provides the gateway" });
  }
  if (mode === "static" && address && gateway && ipaddr.isValid(gateway)) {
    let subnet: [ipaddr.IPv4 | ipaddr.IPv6, number] | undefined;
    try {
      subnet = ipaddr.parseCIDR(address);
    } catch {
      subnet = undefined; // the address itself is reported by its own field rule
    }
    if (subnet) {
      const gatewayIp = ipaddr.parse(gateway);
      if (gatewayIp.kind() !== subnet[0].kind()) {
        problems.push({
          path: `${at}.gateway`,
          message: `${gateway} is ${gatewayIp.kind()} but the address ${address} is ${subnet[0].kind()}: use the same family`,
        });
      } else if (!gatewayIp.match(subnet)) {
        problems.push({ path: `${at}.gateway`, message: `${gateway} is outside the subnet of ${address}` });
      } else if (gatewayIp.toString() === subnet[0].toString()) {
        problems.push({ path: `${at}.gateway`, message: `${gateway} is the VM's own address` });
      }
    }
  }
  return problems;
}

/** On UPDATE: a network's identity fields stay; change them by removing the network and adding a new one. */
export function networkUpdateProblems(oldSpec: WukongSpec, newSpec: WukongSpec): Problem[] {
  const problems: Problem[] = [];
  const oldByName = new Map((oldSpec.networks ?? []).map(network => [network.name, network]));
  (newSpec.networks ?? []).forEach((network, i) => {
    const old = oldByName.get(network.name);
    if (!old) return;
    for (const field of IMMUTABLE_NETWORK_FIELDS) {
      const [before, after] = field === "macAddress" ? [old.macAddress?.toLowerCase(), network.macAddress?.toLowerCase()] : [old[field], network[field]];
      if (before !== after)
        problems.push({ path: `spec.networks[${i}].${field}`, message: `is immutable (was ${shown(before)}): remove the network and add a new one instead` });
    }
  });
  return problems;
}
