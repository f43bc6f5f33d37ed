// status.resize: how the spec's cpu and memory reach the running VM, read from what KubeVirt v1.7.4 writes:
// - virt-controller patches the running VMI's spec (domain.cpu.sockets, domain.memory.guest) when it can apply a
//   change live, and marks it with the VMI conditions HotVCPUChange / HotMemoryChange
//   (pkg/virt-controller/watch/vm/vm.go handleCPUChangeRequest/handleMemoryHotplugRequest; watch/vmi/lifecycle.go);
// - virt-handler reports what the guest has once the hot-plug is done: status.currentCPUTopology and
//   status.memory.guestCurrent (pkg/virt-handler/migration-target.go hotplugCPU/hotplugMemory; vm.go updateMemoryInfo);
// - when it cannot, virt-controller sets RestartRequired on the VM and applies nothing more live.
import type { WukongSpec } from "../../schemas/spec";
import type { ResizePhase, ResizeStatus } from "../../schemas/resize";
import { bytesOf } from "../../schemas/quantity";
import type { LiveUpdateConfig } from "../cluster/live-update";
import type { ObservedCpu, ObservedVirtualMachine, ObservedVirtualMachineInstance } from "./observed";
import { detail, sentence } from "./text";
import { findCondition } from "./verdict";

const HOT_CONDITIONS = ["HotVCPUChange", "HotMemoryChange"];

const vcpus = (cpu: ObservedCpu | undefined): number | undefined =>
  cpu?.sockets === undefined ? undefined : cpu.sockets * (cpu.cores || 1) * (cpu.threads || 1);
const maxVcpus = (cpu: ObservedCpu | undefined): number | undefined => (cpu?.maxSockets ? cpu.maxSockets * (cpu.cores || 1) * (cpu.threads || 1) : undefined);
const sameSize = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && bytesOf(a) === bytesOf(b);

/** Absent unless the VMI runs: a stopped VM starts with whatever the spec says. */
export function resizeStatus(
  spec: WukongSpec,
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance | undefined,
  liveUpdate: LiveUpdateConfig | undefined,
): ResizeStatus | undefined {
  if (vmi?.status?.phase !== "Running" || spec.cpu === undefined || spec.memory === undefined) return undefined;
  const domain = vmi.spec?.domain;
  const currentCpu = vcpus(vmi.status.currentCPUTopology) ?? vcpus(domain?.cpu);
  const memory = vmi.status.memory;
  const currentMemory = memory?.guestCurrent ?? memory?.guestRequested ?? domain?.memory?.guest;
  const cpu = { requested: spec.cpu, ...(currentCpu !== undefined && { current: currentCpu }), ...optional("max", maxVcpus(domain?.cpu)) };
  const mem = { requested: spec.memory, ...optional("current", currentMemory), ...optional("max", domain?.memory?.maxGuest) };
  const changes = [
    ...(currentCpu !== undefined && currentCpu !== spec.cpu ? [`cpu ${currentCpu} → ${spec.cpu}`] : []),
    ...(currentMemory !== undefined && !sameSize(currentMemory, spec.memory) ? [`memory ${currentMemory} → ${spec.memory}`] : []),
  ];
  const { phase, message } = phaseOf(changes, vm, vmi, liveUpdate);
  return { phase, cpu, memory: mem, message };
}

function phaseOf(
  changes: string[],
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance,
  liveUpdate: LiveUpdateConfig | undefined,
): { phase: ResizePhase; message: string } {
  if (changes.length === 0) return { phase: "Live", message: "The running VM has the cpu and memory of the spec." };
  const what = changes.join(", ");
  const restart = findCondition(vm?.status?.conditions, "RestartRequired");
  if (restart?.status === "True") {
    const stage = liveUpdate?.rolloutStrategy === "Stage" ? "; the cluster's KubeVirt vmRolloutStrategy is Stage, so it applies no change live" : "";
    return { phase: "WaitingForRestart", message: sentence(`${what} waits for a restart: KubeVirt says ${detail(restart.message)}${stage}`) };
  }
  const hotPlugging = HOT_CONDITIONS.some(type => findCondition(vmi.status?.conditions, type)?.status === "True");
  const stuck =
    liveUpdate && !liveUpdate.liveMigrateUpdates
      ? "; KubeVirt completes a hot-plug by live-migrating the VM, and the KubeVirt CR's spec.workloadUpdateStrategy.workloadUpdateMethods has no LiveMigrate, so the change waits until you add it or restart the VM"
      : "";
  return {
    phase: "HotPlugging",
    message: sentence(
      hotPlugging
        ? `KubeVirt is hot-plugging ${what}: it migrates the VM to a launcher pod of the new size${stuck}`
        : `${what} is on its way to the running VM${stuck}`,
    ),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
