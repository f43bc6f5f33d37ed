// Cross-field rules: what one field alone cannot say. They read the raw spec defensively, so a spec with
// structural errors still gets every cross-field problem reported in the same denial. Those that are also CEL rules
// in spec.ts are held to the same verdicts by test/unit/schemas/cel-parity.test.ts.
import ipaddr from "ipaddr.js";
// Child names are the builders' own: the limit is checked on exactly what will be created.
import { cloudInitSecretName, diskClaimName, generatedNadName } from "./child-names";
import { parseCustomUserData } from "./cloud-config";
import { attachmentProblems } from "./network-rules";
import type { Problem } from "./problems";
import { LIMITS, RESTART_POLICIES, RUN_STRATEGY_OF_RESTART_POLICY, type RestartPolicy, STARTING_RUN_STRATEGIES } from "./spec";

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);
// A list over its bound is already denied by the schema; cross-field rules skip it rather than flood the denial.
const records = (value: unknown, bound: number): [Raw, number][] =>
  Array.isArray(value) && value.length <= bound
    ? value.map((item, index) => [item, index] as [unknown, number]).filter((pair): pair is [Raw, number] => isRecord(pair[0]))
    : [];
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

export const RESERVED_NETWORK_NAMES = ["pod"];
export const RESERVED_DISK_NAMES = ["cloudinitdisk"];
const MAX_NAME = 63;

/** All cross-field problems of a Wukong named `name`, after defaulting. */
export function crossFieldProblems(name: string, spec: unknown): Problem[] {
  if (!isRecord(spec)) return [];
  return [
    ...nameProblems(name, spec),
    ...networkProblems(spec),
    ...attachmentProblems(spec),
    ...diskProblems(spec),
    ...cloudInitProblems(spec),
    ...placementProblems(spec),
    ...startProblems(spec),
  ];
}

function nameProblems(name: string, spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const tooLong = (childName: string) => childName.length > MAX_NAME;
  if (tooLong(name)) problems.push({ path: "metadata.name", message: `must be at most ${MAX_NAME} characters: it names the VirtualMachine` });
  else if (tooLong(cloudInitSecretName(name))) {
    problems.push({ path: "metadata.name", message: `is too long: the cloud-init Secret "${cloudInitSecretName(name)}" would exceed ${MAX_NAME} characters` });
  }
  for (const [network, i] of records(spec.networks, LIMITS.maxNetworks)) {
    const child = text(network.name);
    if (child && !network.nadName && tooLong(generatedNadName(name, child))) {
      problems.push({
        path: `spec.networks[${i}].name`,
        message: `makes the NetworkAttachmentDefinition name "${generatedNadName(name, child)}" longer than ${MAX_NAME} characters: shorten it or the Wukong name`,
      });
    }
  }
  for (const [disk, i] of records(spec.disks, LIMITS.maxDisks)) {
    const child = text(disk.name);
    if (child && tooLong(diskClaimName(name, child))) {
      problems.push({
        path: `spec.disks[${i}].name`,
        message: `makes the volume name "${diskClaimName(name, child)}" longer than ${MAX_NAME} characters: shorten it or the Wukong name`,
      });
    }
  }
  return problems;
}

function duplicateNames(items: [Raw, number][], list: string, reserved: string[], reservedWhy: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  for (const [item, i] of items) {
    const name = text(item.name);
    if (name === undefined) continue;
    if (reserved.includes(name)) problems.push({ path: `spec.${list}[${i}].name`, message: `"${name}" is reserved for ${reservedWhy}` });
    const first = seen.get(name);
    if (first !== undefined)
      problems.push({ path: `spec.${list}[${i}].name`, message: `duplicates spec.${list}[${first}].name "${name}": names must be unique` });
    else seen.set(name, i);
  }
  return problems;
}

function networkProblems(spec: Raw): Problem[] {
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

function diskProblems(spec: Raw): Problem[] {
  const disks = records(spec.disks, LIMITS.maxDisks);
  const problems = duplicateNames(disks, "disks", RESERVED_DISK_NAMES, "the cloud-init disk");
  if (!Array.isArray(spec.disks) || spec.disks.length === 0) {
    problems.push({ path: "spec.disks", message: "at least one disk is required (or set spec.osImage to get a 20Gi boot disk)" });
    return problems;
  }
  const bootDisks = disks.filter(([disk]) => disk.boot === true).map(([, i]) => i);
  if (bootDisks.length === 0) problems.push({ path: "spec.disks", message: "exactly one disk must have boot: true" });
  for (const i of bootDisks.slice(1)) {
    problems.push({ path: `spec.disks[${i}].boot`, message: `spec.disks[${bootDisks[0]}] is already the boot disk: exactly one disk boots` });
  }
  return problems;
}

function cloudInitProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const user = spec.cloudInitUser;
  if (isRecord(user) && user.password !== undefined && user.passwordHash !== undefined) {
    problems.push({ path: "spec.cloudInitUser.password", message: "set either password or passwordHash, not both" });
  }
  const cloudInit = spec.cloudInit;
  if (!isRecord(cloudInit)) return problems;
  if (cloudInit.userData !== undefined && cloudInit.userDataSecretRef !== undefined) {
    problems.push({ path: "spec.cloudInit.userDataSecretRef", message: "userData and userDataSecretRef are mutually exclusive" });
  }
  const userData = text(cloudInit.userData);
  if (userData !== undefined) {
    const problem = userDataProblem(userData);
    if (problem) problems.push({ path: "spec.cloudInit.userData", message: problem });
  }
  return problems;
}

/** Custom user data must be a cloud-config mapping, so it can be merged with the generated one. */
export function userDataProblem(userData: string): string | undefined {
  const parsed = parseCustomUserData(userData);
  return "error" in parsed ? parsed.error : undefined;
}

function placementProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const ha = spec.highAvailability;
  if (!isRecord(ha)) return problems;
  for (const [toleration, i] of records(ha.tolerations, LIMITS.maxTolerations)) {
    const at = `spec.highAvailability.tolerations[${i}]`;
    const operator = toleration.operator ?? "Equal";
    if (operator === "Exists" && toleration.value !== undefined && toleration.value !== "") {
      problems.push({ path: `${at}.value`, message: "must be empty when operator is Exists" });
    }
    if (operator === "Equal" && (toleration.key === undefined || toleration.key === "")) {
      problems.push({ path: `${at}.key`, message: "is required unless operator is Exists" });
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== "NoExecute") {
      problems.push({ path: `${at}.tolerationSeconds`, message: "applies only with effect NoExecute" });
    }
  }
  return problems;
}

function startProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const start = isRecord(spec.startStrategy) ? spec.startStrategy : {};
  const runStrategy = text(start.runStrategy);
  if (!runStrategy) return problems;
  const starts = STARTING_RUN_STRATEGIES.includes(runStrategy);
  if (start.autoStart === false && starts) {
    problems.push({
      path: "spec.startStrategy.autoStart",
      message: `false contradicts runStrategy ${runStrategy}, which starts the VM: use runStrategy Halted or Manual, or drop autoStart`,
    });
  }
  if (start.autoStart === true && !starts) {
    problems.push({ path: "spec.startStrategy.autoStart", message: `true contradicts runStrategy ${runStrategy}, which does not start the VM` });
  }
  const policy = isRecord(spec.highAvailability) ? text(spec.highAvailability.restartPolicy) : undefined;
  if (policy && starts && (RESTART_POLICIES as readonly string[]).includes(policy)) {
    const expected = RUN_STRATEGY_OF_RESTART_POLICY[policy as RestartPolicy];
    if (expected !== runStrategy) {
      problems.push({
        path: "spec.highAvailability.restartPolicy",
        message: `${policy} means runStrategy ${expected}, which contradicts spec.startStrategy.runStrategy ${runStrategy}`,
      });
    }
  }
  return problems;
}
