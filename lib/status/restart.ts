// Whether the running VM needs a restart: KubeVirt says so on the VM (a non-live-updatable template change), or the
// cloud-init data changed after the instance booted. KubeVirt builds the NoCloud disk once, when the VMI starts, so a
// changed cloud-init Secret never reaches a running guest.
import { CLOUD_INIT_DIGEST_ANNOTATIONS, NETWORK_DATA_KEY, USER_DATA_KEY } from "../children/cloud-init-secret";
import type { WukongSpec } from "../../schemas/spec";
import { runStrategyOf } from "../children/spec-defaults";
import type { ConditionState } from "./conditions";
import type { ObservedVirtualMachine, ObservedVirtualMachineInstance } from "./observed";
import { camelReason, detail, sentence } from "./text";
import { findCondition } from "./verdict";

const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

/**
 * Whether the operator restarts the VM itself: asked for, and under runStrategy Always, the one strategy under which
 * virt-controller starts a new VMI for a deleted one (pkg/virt-controller/watch/vm/vm.go, syncRunStrategy); under
 * RerunOnFailure a deleted VMI stays gone, and the restart subresource is virt-api's, not ours.
 */
export const operatorRestarts = (spec: WukongSpec): boolean => spec.updates?.restartWhenRequired === true && runStrategyOf(spec) === "Always";

/** What the Wukong adds to KubeVirt's word: who restarts, and whether the cluster applies anything live. */
export interface RestartContext {
  /** spec.updates.restartWhenRequired under a run strategy that brings a deleted VMI back (lib/reconcile/restart-when-required.ts). */
  operatorRestarts?: boolean;
  /** The cluster's KubeVirt vmRolloutStrategy is Stage. */
  stage?: boolean;
}

/**
 * The RestartRequired condition, or none when no restart is needed (as KubeVirt removes its own). A VMI without our
 * digest annotations started before we wrote them: unknown, so no claim either way.
 */
export function restartCondition(
  name: string,
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance | undefined,
  context: RestartContext = {},
): ConditionState | undefined {
  if (!vm || !vmi || FINAL_PHASES.has(vmi.status?.phase ?? "")) return undefined;
  const changed = changedCloudInitKeys(vm, vmi);
  if (changed.length > 0) return { type: "RestartRequired", status: "True", reason: "CloudInitChanged", message: cloudInitMessage(name, changed) };
  const kubevirt = findCondition(vm.status?.conditions, "RestartRequired");
  if (kubevirt?.status === "True") {
    // KubeVirt v1.7.4 gives its RestartRequired no reason, only a message (vm.go, setRestartRequired): copied as it is.
    const why = detail(kubevirt.message);
    const who = context.operatorRestarts ? `The operator restarts VM ${name} (spec.updates.restartWhenRequired)` : `Restart VM ${name}`;
    const stage = context.stage ? "; the cluster's KubeVirt vmRolloutStrategy is Stage, so every change needs a restart" : "";
    return {
      type: "RestartRequired",
      status: "True",
      reason: camelReason(kubevirt.reason, "VirtualMachineSpecChanged"),
      message: sentence(`${who} to apply the latest spec changes${why && `: ${why}`}${stage}`),
    };
  }
  return undefined;
}

function changedCloudInitKeys(vm: ObservedVirtualMachine, vmi: ObservedVirtualMachineInstance): string[] {
  const wanted = vm.spec?.template?.metadata?.annotations ?? {};
  const booted = vmi.metadata?.annotations ?? {};
  return Object.entries(CLOUD_INIT_DIGEST_ANNOTATIONS)
    .filter(([, annotation]) => booted[annotation] !== undefined && wanted[annotation] !== undefined && booted[annotation] !== wanted[annotation])
    .map(([key]) => key);
}

/** Says what a restart brings: network config yes; per-instance user data no, since the instance-id stays. */
function cloudInitMessage(name: string, changed: string[]): string {
  const parts: string[] = [];
  if (changed.includes(NETWORK_DATA_KEY)) parts.push("the network config changed; cloud-init applies it at the next boot");
  if (changed.includes(USER_DATA_KEY)) {
    parts.push(
      "the user data changed; at the next boot cloud-init runs only its per-boot parts (bootcmd, per-boot scripts): users, write_files and runcmd run once per instance, and KubeVirt keeps this VM's instance-id",
    );
  }
  return sentence(`VM ${name} booted with older cloud-init data; restart it: ${parts.join("; ")}`);
}
