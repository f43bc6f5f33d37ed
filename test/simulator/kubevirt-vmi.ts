// Stand-in for virt-controller + virt-handler + the guest: moves each VirtualMachineInstance through
// Pending -> Scheduling -> Scheduled -> Running on a fake node and, at "boot", reports the guest's
// interfaces with the addresses its cloud-init network config (or fake DHCP) gives them.
// The VMI CRD has no status subresource, so status is merge-patched through the main resource.
import { Action, Plan, planEach } from "./plan";
import type { SimConfig } from "./config";
import { ConditionSpec, findCondition, mergeConditions, nowTimestamp } from "./conditions";
import { Faults, faultsFor } from "./faults";
import { generatedMac, multusNetworkAddress, podNetworkAddress } from "./fake-dhcp";
import { parseNetworkConfig, resolveNetworkData, staticAddressesFor } from "./network-data";
import { KubeObject, keyOf, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { replacePatch } from "./status-diff";
import { wantsRealGuest } from "./node-runtime";

export interface VmiInterfaceStatus {
  name: string;
  mac: string;
  interfaceName: string;
  infoSource: string;
  ipAddress?: string;
  ipAddresses?: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any;

/**
 * The guest's NICs as KubeVirt reports them: one per spec interface, in order (eth0, eth1, ...),
 * addresses from the network config when it assigns static ones to that MAC, else from fake DHCP.
 */
export function guestInterfaces(vmi: KubeObject, networkDataText: string | undefined): VmiInterfaceStatus[] {
  const spec = vmi.spec ?? {};
  const vmiKey = keyOf(vmi);
  let interfaces: Any[] = Array.isArray(spec.domain?.devices?.interfaces) ? spec.domain.devices.interfaces : [];
  let networks: Any[] = Array.isArray(spec.networks) ? spec.networks : [];
  if (interfaces.length === 0 && networks.length === 0 && spec.domain?.devices?.autoattachPodInterface !== false) {
    // KubeVirt adds a default masquerade NIC on the pod network when none is declared.
    interfaces = [{ name: "default", masquerade: {} }];
    networks = [{ name: "default", pod: {} }];
  }
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

export interface VmiStep {
  phase: string;
  nodeName?: string;
  conditions: ConditionSpec[];
  bootNow: boolean; // compute interfaces (only on the step into Running: network config applies at first boot)
}

export const notRunning: ConditionSpec = { type: "Ready", status: "False", reason: "GuestNotRunning", message: "Guest VM is not reported as running" };
const scheduledTrue: ConditionSpec = { type: "PodScheduled", status: "True" };
export const UNSCHEDULABLE_MESSAGE =
  "0/1 nodes are available: 1 Insufficient devices.kubevirt.io/kvm. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";

/**
 * The scheduler's answer when no node offers every GPU the VMI asks for (KubeVirt requests each deviceName as
 * an extended resource of the launcher pod), or undefined when one does.
 */
export function gpuShortage(vmi: KubeObject, nodes: Iterable<KubeObject>): string | undefined {
  const gpus: Any[] = Array.isArray(vmi.spec?.domain?.devices?.gpus) ? vmi.spec.domain.devices.gpus : [];
  const wanted = new Map<string, number>();
  for (const gpu of gpus) if (typeof gpu?.deviceName === "string") wanted.set(gpu.deviceName, (wanted.get(gpu.deviceName) ?? 0) + 1);
  if (wanted.size === 0) return undefined;
  const all = [...nodes];
  const offers = (node: KubeObject, resource: string, count: number) => Number(node.status?.allocatable?.[resource] ?? 0) >= count;
  if (all.some(node => [...wanted].every(([resource, count]) => offers(node, resource, count)))) return undefined;
  const short = [...wanted]
    .filter(([resource, count]) => all.some(node => !offers(node, resource, count)))
    .map(([resource]) => `${all.length} Insufficient ${resource}`);
  return `0/${all.length} nodes are available: ${short.join(", ")}. preemption: 0/${all.length} nodes are available: ${all.length} No preemption victims found for incoming pod.`;
}

/** The VMI's next phase given faults and how long it has been in its current phase. */
export function nextVmiStep(vmi: KubeObject, faults: Faults, elapsedInPhase: number, cfg: SimConfig, unschedulableMessage = UNSCHEDULABLE_MESSAGE): VmiStep {
  const unschedulable: ConditionSpec = { type: "PodScheduled", status: "False", reason: "Unschedulable", message: unschedulableMessage };
  const phase: string = vmi.status?.phase ?? "";
  const stepDone = elapsedInPhase >= cfg.vmiStepMs;
  switch (phase) {
    case "":
      return { phase: "Pending", conditions: [notRunning], bootNow: false };
    case "Pending":
      if (!stepDone) return { phase, conditions: [notRunning], bootNow: false };
      return { phase: "Scheduling", conditions: faults.unschedulable ? [notRunning, unschedulable] : [notRunning], bootNow: false };
    case "Scheduling":
      if (faults.unschedulable) return { phase, conditions: [notRunning, unschedulable], bootNow: false };
      return stepDone
        ? { phase: "Scheduled", nodeName: cfg.nodeName, conditions: [notRunning, scheduledTrue], bootNow: false }
        : { phase, conditions: [notRunning], bootNow: false };
    case "Scheduled":
      return stepDone
        ? { phase: "Running", nodeName: cfg.nodeName, conditions: [{ type: "Ready", status: "True" }, scheduledTrue], bootNow: true }
        : { phase, nodeName: cfg.nodeName, conditions: [notRunning, scheduledTrue], bootNow: false };
    default: // Running, Succeeded, Failed, Unknown: nothing more happens on its own
      return { phase, nodeName: vmi.status?.nodeName, conditions: (vmi.status?.conditions ?? []) as ConditionSpec[], bootNow: false };
  }
}

export function planVmi(vmi: KubeObject, snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan {
  if (vmi.metadata.deletionTimestamp) return [];
  const key = keyOf(vmi);
  const ns = vmi.metadata.namespace ?? "";
  const name = vmi.metadata.name ?? "";
  const ctrl = (vmi.metadata.ownerReferences ?? []).find(r => r.controller);
  const vm = ctrl?.kind === "VirtualMachine" ? snap.vms.get(key) : undefined;

  if (ctrl?.kind === "VirtualMachine" && (!vm || vm.metadata.uid !== ctrl.uid)) {
    // Its VM is gone: the garbage collector would remove it (but rediscovers CRDs only every 30 s).
    return [{ type: "delete", res: VMI, namespace: ns, name, uid: vmi.metadata.uid, log: `[kubevirt] ${key} deleted VMI: its VirtualMachine is gone` }];
  }

  const current = vmi.status ?? {};
  const phase: string = current.phase ?? "";
  const shortage = gpuShortage(vmi, snap.nodes.values());
  const faults = { ...faultsFor([vmi, vm], snap.wukongs), ...(shortage && { unschedulable: true }) };
  if (!["", "Pending", "Scheduling", "Scheduled"].includes(phase)) return []; // booted (or finished): the guest owns its status now
  const step = nextVmiStep(
    vmi,
    faults,
    elapsed(`vmi:${vmi.metadata.uid ?? key}`, phase === "Scheduling" && faults.unschedulable ? "Scheduling:unschedulable" : phase),
    cfg,
    shortage,
  );

  const desired: Record<string, unknown> = { ...current, phase: step.phase, conditions: mergeConditions(current.conditions, step.conditions) };
  if (step.nodeName) desired.nodeName = step.nodeName;
  if (step.phase !== phase) {
    const history = Array.isArray(current.phaseTransitionTimestamps) ? current.phaseTransitionTimestamps : [];
    desired.phaseTransitionTimestamps = [...history, { phase: step.phase, phaseTransitionTimestamp: nowTimestamp() }];
  }
  if (step.bootNow) {
    const text = resolveNetworkData(vmi.spec?.volumes, secretName => snap.secrets.get(`${ns}/${secretName}`));
    desired.interfaces = guestInterfaces(vmi, text);
    desired.guestOSInfo = { id: "simulated", name: "Simulated guest", prettyName: "Simulated guest (wukong-vm-runtime-simulator)" };
  }
  const statusDiff = replacePatch(current, desired);
  if (!statusDiff) return [];

  const patch: Record<string, unknown> = { status: statusDiff };
  if (step.nodeName && vmi.metadata.labels?.["kubevirt.io/nodeName"] !== step.nodeName) patch.metadata = { labels: { "kubevirt.io/nodeName": step.nodeName } };
  let log = step.phase !== phase ? `[kubevirt] ${key} VMI phase ${phase || "<none>"} -> ${step.phase}` : `[kubevirt] ${key} VMI conditions updated`;
  if (step.phase === "Scheduling" && faults.unschedulable && findCondition(current.conditions, "PodScheduled")?.reason !== "Unschedulable")
    log += shortage ? ` (unschedulable: ${shortage})` : " (unschedulable: simulated fault)";
  if (step.bootNow) {
    const ifaces = (desired.interfaces as VmiInterfaceStatus[]).map(i => `${i.name}=${i.ipAddress ?? "-"}(${i.mac})`).join(" ");
    log += ` on ${step.nodeName}; interfaces ${ifaces || "none"}`;
  }
  const action: Action = { type: "patch", res: VMI, namespace: ns, name, patch, log };
  return [action];
}

/** Every VMI except those of Wukongs labelled for a real guest: test/guest/runtime owns those. */
export function planKubevirtVmis(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  const simulated = [...snap.vmis.values()].filter(vmi => !wantsRealGuest(vmi, snap.wukongs));
  return planEach(simulated, "virtualmachineinstances", vmi => planVmi(vmi, snap, elapsed, cfg));
}
