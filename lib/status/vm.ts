// The VirtualMachine and its instance: running, stopped, on its way, or stuck.
import type { RunStrategy } from "../../schemas/spec";
import type { ChildError, ObservedVirtualMachine, ObservedVirtualMachineInstance } from "./observed";
import { camelReason, detail, sentence } from "./text";
import { childErrorVerdict, findCondition, type Verdict } from "./verdict";

// printableStatus values KubeVirt uses for a VM that will not start without someone fixing something. Not
// ErrorPvcNotFound: every claim a Wukong's VM uses is one of its disks, made by the operator or by CDI for its
// DataVolume, and virt-controller reports it while the claim is still to come or not yet in its cache (kubevirt
// v1.7.4 pkg/virt-controller/watch/vm/vm.go, isVirtualMachineStatusPvcNotFound, from the VMI's Synchronized
// condition). A claim that cannot be made is the volumes' error.
const ERROR_STATUSES: Record<string, string> = {
  ErrorUnschedulable: "cannot be scheduled",
  CrashLoopBackOff: "keeps failing to start",
  ErrImagePull: "cannot pull its launcher or container disk image",
  ImagePullBackOff: "cannot pull its launcher or container disk image",
  DataVolumeError: "has a failed DataVolume",
};
// kube-scheduler's reason for a pod whose claims are not bound yet (k8s v1.36.3
// pkg/scheduler/framework/plugins/volumebinding/volume_binding.go, PreFilter), which virt-controller mirrors on the
// VMI's PodScheduled condition and as printableStatus ErrorUnschedulable.
const UNBOUND_CLAIMS = "pod has unbound immediate PersistentVolumeClaims";
// Under these strategies KubeVirt does not start a failed VMI again.
const NO_RESTART_ON_FAILURE = new Set<RunStrategy>(["Once", "Manual"]);
// Under these KubeVirt starts the VMI itself: printableStatus "Stopped" with no VMI is the moment before it does
// (kubevirt v1.7.4 pkg/virt-controller/watch/vm/vm.go, isVirtualMachineStatusStopped: no VMI and no start expected yet).
const STARTED_BY_KUBEVIRT = new Set<RunStrategy>(["Always", "RerunOnFailure"]);
const FINAL_PHASES = new Set(["Succeeded", "Failed"]);

export interface VmInput {
  name: string;
  runStrategy: RunStrategy;
  vm?: ObservedVirtualMachine;
  vmi?: ObservedVirtualMachineInstance;
  errors: ChildError[];
}

export function vmVerdict({ name, runStrategy, vm, vmi, errors }: VmInput): Verdict {
  if (errors.length > 0) return childErrorVerdict(errors[0]);
  const failure = vmFailure(name, runStrategy, vm, vmi);
  if (failure) return failure;
  if (!vm) return { state: "waiting", reason: "Starting", message: `Waiting for VM ${name} to be created.` };

  const printable = vm.status?.printableStatus;
  const phase = vmi?.status?.phase;
  const active = vmi !== undefined && !FINAL_PHASES.has(phase ?? "");
  if (runStrategy === "Halted" && active) return { state: "stopped", reason: "Stopping", message: `VM ${name} is stopping (runStrategy Halted).` };
  const stoppedByKubeVirt = printable === "Stopped" && !STARTED_BY_KUBEVIRT.has(runStrategy);
  if (runStrategy === "Halted" || (!active && (runStrategy === "Manual" || stoppedByKubeVirt || phase === "Succeeded"))) {
    return { state: "stopped", reason: "Stopped", message: `VM ${name} is stopped (runStrategy ${runStrategy}).` };
  }

  const node = vmi?.status?.nodeName;
  if (printable === "ErrorPvcNotFound" && phase !== "Running")
    return { state: "waiting", reason: "Starting", message: `VM ${name} is waiting for virt-controller to find its claims (ErrorPvcNotFound).` };
  if (phase === "Running") {
    const restart = restartRequired(vm) ? "; restart it to apply the latest spec changes" : "";
    return { state: "ok", reason: "VirtualMachineRunning", message: `VM ${name} is running${node ? ` on node ${node}` : ""}${restart}.` };
  }
  if (phase === "Scheduled") return { state: "waiting", reason: "Starting", message: `VM ${name} is starting on node ${node ?? "(unknown)"}.` };
  if (active) return { state: "waiting", reason: "Starting", message: `VM ${name} is being scheduled (${phase ?? "Pending"}).` };
  const shown = printable && printable !== "Stopped" ? ` (${printable})` : "";
  return { state: "waiting", reason: "Starting", message: `VM ${name} is starting${shown}.` };
}

export function restartRequired(vm: ObservedVirtualMachine | undefined): boolean {
  return findCondition(vm?.status?.conditions, "RestartRequired")?.status === "True";
}

function vmFailure(
  name: string,
  runStrategy: RunStrategy,
  vm: ObservedVirtualMachine | undefined,
  vmi: ObservedVirtualMachineInstance | undefined,
): Verdict | undefined {
  const failed = findCondition(vm?.status?.conditions, "Failure");
  const scheduled = findCondition(vmi?.status?.conditions, "PodScheduled");
  const unschedulable = scheduled?.status === "False" && scheduled.reason === "Unschedulable";
  const printable = vm?.status?.printableStatus ?? "";
  // Not bound yet is no failure: kube-scheduler retries the pod once its claims bind (the volumes' verdict says so).
  if (unschedulable && scheduled.message?.includes(UNBOUND_CLAIMS)) return undefined;
  // The VM's ErrorUnschedulable only mirrors its VMI's PodScheduled (kubevirt v1.7.4 pkg/virt-controller/watch/vm/vm.go,
  // isVirtualMachineStatusUnschedulable); a VMI seen since without it has been scheduled, and the VM's status lags.
  if (printable === "ErrorUnschedulable" && vmi?.status && !unschedulable) return undefined;

  if (Object.hasOwn(ERROR_STATUSES, printable)) {
    // The scheduler's reason first: a Failure condition beside it can be a stale one from before the pod was made
    // (virt-controller's "PVC … does not exist, waiting for it to appear").
    const why = detail(unschedulable ? scheduled.message : failed?.status === "True" ? failed.message : undefined);
    return { state: "error", reason: printable, message: sentence(`VM ${name} ${ERROR_STATUSES[printable]} (${printable})${why && `: ${why}`}`) };
  }
  if (unschedulable) {
    return {
      state: "error",
      reason: "ErrorUnschedulable",
      message: sentence(`VM ${name} cannot be scheduled: ${detail(scheduled.message) || "no node fits"}`),
    };
  }
  if (failed?.status === "True") {
    return {
      state: "error",
      reason: camelReason(failed.reason, "Failure"),
      message: sentence(`VM ${name} failed to start: ${detail(failed.message) || failed.reason || "no reason given"}`),
    };
  }
  if (vmi?.status?.phase === "Failed" && NO_RESTART_ON_FAILURE.has(runStrategy)) {
    const why = detail(vmi.status.reason);
    return {
      state: "error",
      reason: "VirtualMachineFailed",
      message: sentence(`VM ${name} failed and runStrategy ${runStrategy} does not restart it${why && `: ${why}`}`),
    };
  }
  return undefined;
}
