// Stand-in for virt-handler on the simulated nodes.
// virt-controller creates the launcher pod, and once the pod is Ready it hands the VMI to the node: phase
// Scheduled, status.nodeName set (kubevirt v1.7.4 pkg/virt-controller/watch/vmi/lifecycle.go, updateStatus). From
// there virt-handler owns the VMI's status; this plays its part:
//   - Scheduled -> Running, with the guest's interfaces (addresses from its cloud-init network data or fake DHCP),
//     guest OS info and the conditions virt-handler reports for a booted guest without a guest agent;
//   - a VMI being deleted, or a Running one whose launcher pod is gone, shuts down: Succeeded (its pod then exits,
//     see kubelet.ts, and virt-controller removes its finalizer).
// VMIs of Wukongs labelled for a real guest (sim.novasphere.dev/runtime: qemu) are left to test/guest/runtime.
import { Plan, planEach } from "./plan";
import { Condition, ConditionSpec, mergeConditions, nowTimestamp } from "./conditions";
import { resolveNetworkData } from "./network-data";
import { guestInterfaces } from "./guest-interfaces";
import { KubeObject, keyOf, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import { wantsRealGuest } from "./node-runtime";
import { statusOps } from "./vmi-status";
import { liveMigratable } from "./virt-handler-migration";

// No AgentConnected: a simulated guest runs no qemu-guest-agent. With it, virt-controller freezes the guest through
// virt-api's subresource API before a snapshot (kubevirt v1.7.4 pkg/storage/snapshot/source.go, Freeze), which needs
// virt-handler's own server on the node; without it, it snapshots unfrozen, as for any guest without an agent.
const running = (vmi: KubeObject): ConditionSpec[] => [{ type: "Ready", status: "True" }, liveMigratable(vmi)];

/** The conditions other controllers set (virt-controller's), kept beside the ones this reports. */
function others(current: unknown, mine: ConditionSpec[]): Condition[] {
  return (Array.isArray(current) ? (current as Condition[]) : []).filter(c => !mine.some(m => m.type === c?.type));
}

/** Whether the VMI's virt-launcher pod (label kubevirt.io/created-by: the VMI's uid) runs and is not being deleted. */
export function launcherPodRuns(vmi: KubeObject, snap: Pick<Snapshot, "pods">): boolean {
  return [...snap.pods.values()].some(
    pod =>
      pod.metadata.namespace === vmi.metadata.namespace &&
      pod.metadata.labels?.["kubevirt.io/created-by"] === vmi.metadata.uid &&
      pod.status?.phase === "Running" &&
      !pod.metadata.deletionTimestamp,
  );
}

export function planVirtHandler(vmi: KubeObject, snap: Pick<Snapshot, "pods" | "nodes" | "secrets">): Plan {
  const node = vmi.status?.nodeName;
  if (!node || !snap.nodes.has(`/${node}`)) return [];
  const key = keyOf(vmi);
  const ns = vmi.metadata.namespace ?? "";
  const name = vmi.metadata.name ?? "";
  const phase: string = vmi.status?.phase ?? "";
  const transition = (to: string) => [...(vmi.status?.phaseTransitionTimestamps ?? []), { phase: to, phaseTransitionTimestamp: nowTimestamp() }];

  if (phase === "Running" && (vmi.metadata.deletionTimestamp || !launcherPodRuns(vmi, snap))) {
    const why = vmi.metadata.deletionTimestamp ? "deleted" : "its launcher pod is gone";
    const ready: ConditionSpec[] = [{ type: "Ready", status: "False", reason: "PodTerminating" }];
    const conditions = [...others(vmi.status?.conditions, ready), ...mergeConditions(vmi.status?.conditions, ready, { probeTime: true })];
    const status = { phase: "Succeeded", phaseTransitionTimestamps: transition("Succeeded"), conditions };
    return [
      { type: "jsonPatch", res: VMI, namespace: ns, name, ops: statusOps(status), log: `[virt-handler] ${key} guest shut down (${why}): Running -> Succeeded` },
    ];
  }
  if (phase !== "Scheduled" || vmi.metadata.deletionTimestamp) return [];

  const networkData = resolveNetworkData(vmi.spec?.volumes, secretName => snap.secrets.get(`${ns}/${secretName}`));
  const interfaces = guestInterfaces(vmi, networkData);
  const status = {
    phase: "Running",
    phaseTransitionTimestamps: transition("Running"),
    interfaces,
    guestOSInfo: { id: "simulated", name: "Simulated guest", prettyName: "Simulated guest (wukong-vm-runtime-simulator)" },
    // The launcher's SELinux context, "none" on a node without SELinux (kubevirt v1.7.4 pkg/virt-handler/vm.go,
    // updateSELinuxContext); virt-controller renders neither a hot-plug attachment pod
    // (pkg/virt-controller/services/template.go, matchSELinuxLevelOfVMI) nor a migration's target pod
    // (watch/migration/migration.go, setTargetPodSELinuxLevel) without it.
    selinuxContext: "none",
    conditions: [...others(vmi.status?.conditions, running(vmi)), ...mergeConditions(vmi.status?.conditions, running(vmi), { probeTime: true })],
  };
  const ifaces = interfaces.map(i => `${i.name}=${i.ipAddress ?? "-"}(${i.mac})`).join(" ");
  return [
    {
      type: "jsonPatch",
      res: VMI,
      namespace: ns,
      name,
      ops: statusOps(status),
      log: `[virt-handler] ${key} Scheduled -> Running on ${node}; interfaces ${ifaces || "none"}`,
    },
  ];
}

export function planVirtHandlers(snap: Snapshot): Plan[] {
  const simulated = [...snap.vmis.values()].filter(vmi => !wantsRealGuest(vmi, snap.wukongs));
  return planEach(simulated, "virtualmachineinstances", vmi => planVirtHandler(vmi, snap));
}
