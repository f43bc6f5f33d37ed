// spec.updates.restartWhenRequired: when KubeVirt says the running VM needs a restart for the latest spec, restart it.
// The restart is the VMI's deletion: under runStrategy Always virt-controller starts a new VMI from the current
// template and drops the VM's RestartRequired (kubevirt v1.7.4 pkg/virt-controller/watch/vm/vm.go, syncRunStrategy
// and cleanupRestartRequired). Only a condition virt-controller wrote for the VM's latest generation counts
// (status.desiredGeneration, vm.go syncGenerationInfo; observedGeneration is the generation the running VMI started
// from, older exactly when a restart is due), so a restart never acts on an older template than the one just applied.
import { findCondition } from "../status/verdict";
import { operatorRestarts } from "../status/restart";
import type { ReconcileContext } from "./context";
import { deleteChild } from "./writes";

export async function restartWhenRequired(ctx: ReconcileContext): Promise<void> {
  const spec = ctx.wukong.spec;
  if (!spec || !operatorRestarts(spec)) return;
  const vm = ctx.port.get("VirtualMachine", ctx.namespace, ctx.name) as
    | { metadata: { generation?: number }; status?: { desiredGeneration?: number; conditions?: { type?: string; status?: string; message?: string }[] } }
    | undefined;
  const vmi = ctx.port.get("VirtualMachineInstance", ctx.namespace, ctx.name);
  if (!vm || !vmi || vmi.metadata.deletionTimestamp || (vmi as { status?: { phase?: string } }).status?.phase !== "Running") return;
  if (vm.status?.desiredGeneration === undefined || vm.status.desiredGeneration !== vm.metadata.generation) return;
  const required = findCondition(vm.status.conditions, "RestartRequired");
  if (required?.status !== "True") return;
  await deleteChild(ctx, "VirtualMachineInstance", vmi, { verb: "Restarted", detail: required.message ?? "RestartRequired" });
}
