// status.resize and the RestartRequired condition from what KubeVirt v1.7.4 writes during a resize:
// virt-controller patches the VMI's spec and sets HotVCPUChange/HotMemoryChange (pkg/virt-controller/watch/vm/vm.go,
// watch/vmi/lifecycle.go); virt-handler reports the result in status.currentCPUTopology and status.memory
// (pkg/virt-handler/migration-target.go, hotplugCPU/hotplugMemory); a change it cannot apply live gets
// RestartRequired on the VM with a message and no reason (vm.go, setRestartRequired).
import { deriveStatus } from "../../../lib/status/derive";
import type { ObservedChildren, ObservedVirtualMachineInstance } from "../../../lib/status/observed";
import type { LiveUpdateConfig } from "../../../lib/cluster/live-update";
import { cond, NAME, NOW, RUNNING_INTERFACES, running, vm, vmi, wukong } from "./fixtures";

const LIVE: LiveUpdateConfig = { rolloutStrategy: "LiveUpdate", liveMigrateUpdates: true };

/** A running VMI that booted with 2 vCPUs and 4Gi, with KubeVirt's default headroom (4×). */
function vmiSized(extra: { sockets?: number; currentSockets?: number; guest?: string; guestCurrent?: string; conditions?: ReturnType<typeof cond>[] } = {}) {
  const instance: ObservedVirtualMachineInstance = {
    spec: { domain: { cpu: { sockets: extra.sockets ?? 2, cores: 1, threads: 1, maxSockets: 8 }, memory: { guest: extra.guest ?? "4Gi", maxGuest: "16Gi" } } },
    status: {
      ...vmi("Running", { nodeName: "sim-node-1", interfaces: RUNNING_INTERFACES, conditions: extra.conditions ?? [] }).status,
      currentCPUTopology: { sockets: extra.currentSockets ?? extra.sockets ?? 2, cores: 1, threads: 1 },
      memory: { guestAtBoot: "4Gi", guestCurrent: extra.guestCurrent ?? extra.guest ?? "4Gi", guestRequested: extra.guest ?? "4Gi" },
    },
  };
  return instance;
}

const children = (instance: ObservedVirtualMachineInstance, extra: Partial<ObservedChildren> = {}) =>
  running({ virtualMachineInstance: instance, liveUpdate: LIVE, ...extra });
const restartOf = (status: ReturnType<typeof deriveStatus>) => status.conditions?.find(c => c.type === "RestartRequired");
const KUBEVIRT_TOO_MUCH_MEMORY = "memory hotplug not supported, Guest memory is greater than the configured maxGuest memory";

describe("status.resize", () => {
  it("Live: the running VM has the spec's size; current and headroom from the VMI", () => {
    const status = deriveStatus(wukong({ cpu: 2, memory: "4Gi" }), children(vmiSized()), NOW);
    expect(status.resize).toEqual({
      phase: "Live",
      cpu: { requested: 2, current: 2, max: 8 },
      memory: { requested: "4Gi", current: "4Gi", max: "16Gi" },
      message: "The running VM has the cpu and memory of the spec.",
    });
  });

  it("HotPlugging while virt-controller has patched the VMI and virt-handler has not yet reported the new topology", () => {
    const instance = vmiSized({ sockets: 4, currentSockets: 2, conditions: [cond("HotVCPUChange", "True")] });
    const status = deriveStatus(wukong({ cpu: 4, memory: "4Gi" }), children(instance), NOW);
    expect(status.resize).toMatchObject({ phase: "HotPlugging", cpu: { requested: 4, current: 2 } });
    expect(status.resize?.message).toBe("KubeVirt is hot-plugging cpu 2 → 4: it migrates the VM to a launcher pod of the new size.");
    expect(restartOf(status)).toBeUndefined();
  });

  it("Live again once virt-handler reports the new sockets, with no restart", () => {
    const status = deriveStatus(wukong({ cpu: 4, memory: "4Gi" }), children(vmiSized({ sockets: 4 })), NOW);
    expect(status.resize).toMatchObject({ phase: "Live", cpu: { requested: 4, current: 4 } });
    expect(status.restartRequired).toBe(false);
  });

  it("memory compares by size, not by spelling", () => {
    const status = deriveStatus(wukong({ cpu: 2, memory: "4096Mi" }), children(vmiSized({ guest: "4Gi" })), NOW);
    expect(status.resize?.phase).toBe("Live");
  });

  it("says a hot-plug cannot complete when the KubeVirt CR does not let virt-controller migrate for it", () => {
    const instance = vmiSized({ guest: "8Gi", guestCurrent: "4Gi", conditions: [cond("HotMemoryChange", "True")] });
    const status = deriveStatus(
      wukong({ memory: "8Gi" }),
      children(instance, { liveUpdate: { rolloutStrategy: "LiveUpdate", liveMigrateUpdates: false } }),
      NOW,
    );
    expect(status.resize?.phase).toBe("HotPlugging");
    expect(status.resize?.message).toContain("memory 4Gi → 8Gi");
    expect(status.resize?.message).toContain("workloadUpdateMethods has no LiveMigrate");
  });

  it("WaitingForRestart with KubeVirt's message when it cannot apply the change live; RestartRequired copies it", () => {
    const virtualMachine = vm("Running", [cond("Ready", "True"), cond("RestartRequired", "True", undefined, KUBEVIRT_TOO_MUCH_MEMORY)]);
    const status = deriveStatus(wukong({ memory: "32Gi" }), children(vmiSized(), { virtualMachine }), NOW);
    expect(status.resize).toMatchObject({ phase: "WaitingForRestart", memory: { requested: "32Gi", current: "4Gi", max: "16Gi" } });
    expect(status.resize?.message).toBe(`memory 4Gi → 32Gi waits for a restart: KubeVirt says ${KUBEVIRT_TOO_MUCH_MEMORY}.`);
    expect(restartOf(status)).toMatchObject({
      status: "True",
      reason: "VirtualMachineSpecChanged",
      message: `Restart VM ${NAME} to apply the latest spec changes: ${KUBEVIRT_TOO_MUCH_MEMORY}.`,
    });
  });

  it("a reason KubeVirt gives is kept as the condition's reason", () => {
    const virtualMachine = vm("Running", [cond("RestartRequired", "True", "MemoryHotplugUnavailable", "memory hotplug not supported")]);
    expect(restartOf(deriveStatus(wukong(), children(vmiSized(), { virtualMachine }), NOW))?.reason).toBe("MemoryHotplugUnavailable");
  });

  it("under vmRolloutStrategy Stage both the phase and the condition say that no change is applied live", () => {
    const virtualMachine = vm("Running", [cond("RestartRequired", "True", "", "a non-live-updatable field was changed in the template spec")]);
    const status = deriveStatus(
      wukong({ cpu: 4 }),
      children(vmiSized(), { virtualMachine, liveUpdate: { rolloutStrategy: "Stage", liveMigrateUpdates: true } }),
      NOW,
    );
    expect(status.resize?.message).toContain("vmRolloutStrategy is Stage");
    expect(restartOf(status)?.message).toContain("vmRolloutStrategy is Stage, so every change needs a restart");
  });

  it("with spec.updates.restartWhenRequired under runStrategy Always the condition says the operator restarts", () => {
    const virtualMachine = vm("Running", [cond("RestartRequired", "True", "", KUBEVIRT_TOO_MUCH_MEMORY)]);
    const automatic = deriveStatus(wukong({ memory: "32Gi", updates: { restartWhenRequired: true } }), children(vmiSized(), { virtualMachine }), NOW);
    expect(restartOf(automatic)?.message).toMatch(new RegExp(`^The operator restarts VM ${NAME} \\(spec.updates.restartWhenRequired\\)`));
    const rerun = wukong({ memory: "32Gi", updates: { restartWhenRequired: true }, startStrategy: { runStrategy: "RerunOnFailure" } });
    expect(restartOf(deriveStatus(rerun, children(vmiSized(), { virtualMachine }), NOW))?.message).toMatch(/^Restart VM /);
  });

  it("absent while the VM does not run", () => {
    expect(deriveStatus(wukong(), running({ virtualMachineInstance: undefined }), NOW).resize).toBeUndefined();
    expect(deriveStatus(wukong(), children({ ...vmiSized(), status: { ...vmiSized().status, phase: "Succeeded" } }), NOW).resize).toBeUndefined();
  });
});
