// Stand-in for virt-handler finishing a CPU or memory hot-plug, after kubevirt v1.7.4
// pkg/virt-handler/migration-target.go: finalizeMigration → hotplugCPU, hotplugMemory.
//
// The real sequence: virt-controller patches the running VMI's spec (domain.cpu.sockets, domain.memory.guest) and
// marks it HotVCPUChange / HotMemoryChange (watch/vm/vm.go, watch/vmi/lifecycle.go); its workload updater then
// creates a VirtualMachineInstanceMigration (annotation kubevirt.io/workloadUpdateMigration) to move the VM into a
// launcher pod of the new size; on that migration's target, virt-handler hot-plugs into the domain and reports the
// result: status.currentCPUTopology = the spec's topology, the HotVCPUChange condition removed; status.memory
// guestRequested (and, read back from the domain, guestCurrent, pkg/virt-handler/vm.go updateMemoryInfo) = the
// spec's guest, HotMemoryChange removed; the pod-size labels the migration controller set on the VMI dropped.
//
// What is played here: that report, once virt-controller's workload updater has asked for the migration (so the
// cluster configuration the real path needs, LiveMigrate among the KubeVirt CR's workloadUpdateMethods and a
// LiveMigratable VMI, is exercised). The hand-over itself (target pod, the two handlers' handshake) is not played:
// the VM stays on its node, and once no hot-plug is pending the workload updater deletes its now needless
// migration (workload-updater.go, shouldAbortMigration). A simulated migration target should call
// `hotplugStatus` when it finalizes instead.
import { Plan, planEach } from "./plan";
import { findCondition } from "./conditions";
import { KubeObject, keyOf, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import { wantsRealGuest } from "./node-runtime";
import { removeLabelOps, statusOps } from "./vmi-status";

const CPU_CHANGE = "HotVCPUChange";
const MEMORY_CHANGE = "HotMemoryChange";
const WORKLOAD_UPDATE_ANNOTATION = "kubevirt.io/workloadUpdateMigration";
// Labels the migration controller puts on the VMI for the target's checks (migration.go), removed by hotplugCPU/Memory.
const POD_SIZE_LABELS = [
  "kubevirt.io/vmi-pod-cpu-resource-limits",
  "kubevirt.io/vmi-pod-memory-resource-requests",
  "kubevirt.io/memory-hotplug-overhead-ratio",
];

interface Topology {
  sockets?: number;
  cores?: number;
  threads?: number;
}

/** The status (and label) changes virt-handler's hotplugCPU and hotplugMemory make; undefined when none is pending. */
export function hotplugStatus(vmi: KubeObject): { status: Record<string, unknown>; removedLabels: string[] } | undefined {
  const conditions: { type?: string; status?: string }[] = Array.isArray(vmi.status?.conditions) ? vmi.status.conditions : [];
  const cpu = findCondition(conditions, CPU_CHANGE) !== undefined;
  const memory = findCondition(conditions, MEMORY_CHANGE)?.status === "True";
  if (!cpu && !memory) return undefined;
  const status: Record<string, unknown> = { conditions: conditions.filter(c => c.type !== CPU_CHANGE && (!memory || c.type !== MEMORY_CHANGE)) };
  const domain = vmi.spec?.domain ?? {};
  if (cpu) {
    const { sockets, cores, threads } = (domain.cpu ?? {}) as Topology;
    status.currentCPUTopology = { sockets, cores, threads };
  }
  if (memory && domain.memory?.guest) {
    status.memory = { ...(vmi.status?.memory ?? {}), guestRequested: domain.memory.guest, guestCurrent: domain.memory.guest };
  }
  return { status, removedLabels: POD_SIZE_LABELS.filter(label => vmi.metadata.labels?.[label] !== undefined) };
}

function workloadUpdateMigrationFor(vmi: KubeObject, snap: Pick<Snapshot, "vmiMigrations">): KubeObject | undefined {
  return [...snap.vmiMigrations.values()].find(
    migration =>
      migration.metadata.namespace === vmi.metadata.namespace &&
      migration.spec?.vmiName === vmi.metadata.name &&
      migration.metadata.annotations?.[WORKLOAD_UPDATE_ANNOTATION] !== undefined &&
      !migration.metadata.deletionTimestamp,
  );
}

export function planHotplug(vmi: KubeObject, snap: Pick<Snapshot, "nodes" | "vmiMigrations">): Plan {
  const node = vmi.status?.nodeName;
  if (vmi.status?.phase !== "Running" || vmi.metadata.deletionTimestamp || !node || !snap.nodes.has(`/${node}`)) return [];
  const change = hotplugStatus(vmi);
  if (!change) return [];
  const migration = workloadUpdateMigrationFor(vmi, snap);
  if (!migration) return [];
  const cpu = change.status.currentCPUTopology as Topology | undefined;
  const memory = change.status.memory as { guestCurrent?: string } | undefined;
  const what = [cpu && `${cpu.sockets} sockets`, memory && `memory ${memory.guestCurrent}`].filter(Boolean).join(", ");
  return [
    {
      type: "jsonPatch",
      res: VMI,
      namespace: vmi.metadata.namespace ?? "",
      name: vmi.metadata.name ?? "",
      ops: [...removeLabelOps(vmi.metadata.labels, change.removedLabels), ...statusOps(change.status)],
      log: `[virt-handler] ${keyOf(vmi)} hot-plugged ${what} on ${node} (virt-controller's migration ${migration.metadata.name}; hand-over not simulated)`,
    },
  ];
}

export function planHotplugs(snap: Snapshot): Plan[] {
  const simulated = [...snap.vmis.values()].filter(vmi => !wantsRealGuest(vmi, snap.wukongs));
  return planEach(simulated, "virtualmachineinstances", vmi => planHotplug(vmi, snap));
}
