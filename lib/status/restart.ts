// Whether the running VM needs a restart: KubeVirt says so on the VM (a non-live-updatable template change), or the
// cloud-init data changed after the instance booted. KubeVirt builds the NoCloud disk once, when the VMI starts, so a
// changed cloud-init Secret never reaches a running guest.
import { CLOUD_INIT_DIGEST_ANNOTATIONS, NETWORK_DATA_KEY, USER_DATA_KEY } from "../children/cloud-init-secret";
import type { ConditionState } from "./conditions";
import type { ObservedVirtualMachine, ObservedVirtualMachineInstance } from "./observed";
import { detail, sentence } from "./text";
import { findCondition } from "./verdict";

const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

/**
 * The RestartRequired condition, or none when no restart is needed (as KubeVirt removes its own). A VMI without our
 * digest annotations started before we wrote them: unknown, so no claim either way.
 */
export function restartCondition(
  name: string,
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance | undefined,
): ConditionState | undefined {
  if (!vm || !vmi || FINAL_PHASES.has(vmi.status?.phase ?? "")) return undefined;
  const changed = changedCloudInitKeys(vm, vmi);
  if (changed.length > 0) return { type: "RestartRequired", status: "True", reason: "CloudInitChanged", message: cloudInitMessage(name, changed) };
  const kubevirt = findCondition(vm.status?.conditions, "RestartRequired");
  if (kubevirt?.status === "True") {
    const why = detail(kubevirt.message);
    return {
      type: "RestartRequired",
      status: "True",
      reason: "VirtualMachineSpecChanged",
      message: sentence(`Restart VM ${name} to apply the latest spec changes${why && `: ${why}`}`),
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
