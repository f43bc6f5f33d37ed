// Stand-in for KubeVirt's VirtualMachine controller: starts a VirtualMachineInstance (same name,
// controller-owned by the VM) when the run strategy asks for one and the VM's volumes are ready,
// stops it for Halted, creates DataVolumes from dataVolumeTemplates, and reports VM status
// (printableStatus, ready, created, conditions) through the status subresource.
import { Action, Plan, planEach } from "./plan";
import { ConditionSpec, findCondition, mergeConditions, nowTimestamp } from "./conditions";
import { Faults, faultsFor } from "./faults";
import { DATA_VOLUME, KubeObject, keyOf, ownerRefTo, VM, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import { replacePatch } from "./status-diff";
import { notRunning } from "./kubevirt-vmi";

export type RunStrategy = "Always" | "RerunOnFailure" | "Once" | "Manual" | "Halted" | "WaitAsReceiver";

export function runStrategyOf(vm: KubeObject): RunStrategy {
  const rs = vm.spec?.runStrategy;
  if (typeof rs === "string") return rs as RunStrategy;
  return vm.spec?.running === true ? "Always" : "Halted"; // deprecated spec.running
}

export interface VolumeGate {
  ready: boolean;
  /** printableStatus while not ready, in KubeVirt's precedence order. */
  waitingStatus?: "Provisioning" | "WaitingForVolumeBinding" | "ErrorPvcNotFound" | "DataVolumeError";
  message?: string;
  hasDataVolumes: boolean;
  dataVolumesReady: boolean;
}

/**
 * Whether the VM's disks allow a start: every DataVolume (named by a dataVolume volume, or owning a
 * persistentVolumeClaim volume's claim) has Succeeded, and every plain PVC exists and is Bound.
 */
export function volumeGate(vm: KubeObject, snap: Pick<Snapshot, "dataVolumes" | "pvcs">): VolumeGate {
  const ns = vm.metadata.namespace;
  const volumes: unknown[] = Array.isArray(vm.spec?.template?.spec?.volumes) ? vm.spec.template.spec.volumes : [];
  const provisioning: string[] = [];
  const unbound: string[] = [];
  const missing: string[] = [];
  const failed: string[] = [];
  let hasDataVolumes = false;

  const checkDv = (name: string, dv: KubeObject | undefined) => {
    hasDataVolumes = true;
    const phase = dv?.status?.phase;
    if (phase === "Succeeded") return;
    const running = findCondition(dv?.status?.conditions, "Running");
    if (phase === "Failed" || (running?.status === "False" && running.reason === "Error")) failed.push(name);
    else provisioning.push(name);
  };

  for (const raw of volumes) {
    const vol = raw as { dataVolume?: { name?: string }; persistentVolumeClaim?: { claimName?: string } };
    if (vol?.dataVolume?.name) {
      checkDv(vol.dataVolume.name, snap.dataVolumes.get(`${ns}/${vol.dataVolume.name}`));
    } else if (vol?.persistentVolumeClaim?.claimName) {
      const claim = vol.persistentVolumeClaim.claimName;
      const pvc = snap.pvcs.get(`${ns}/${claim}`);
      const dv = snap.dataVolumes.get(`${ns}/${claim}`);
      // A claim populated by a DataVolume is only usable once the import finished, as KubeVirt checks.
      if (dv && (!pvc || (pvc.metadata.ownerReferences ?? []).some(r => r.uid === dv.metadata.uid))) checkDv(claim, dv);
      else if (!pvc) missing.push(claim);
      else if (pvc.status?.phase !== "Bound") unbound.push(claim);
    }
  }
  const dataVolumesReady = provisioning.length === 0 && failed.length === 0;
  const base = { hasDataVolumes, dataVolumesReady };
  if (provisioning.length) return { ...base, ready: false, waitingStatus: "Provisioning", message: `DataVolume(s) not ready: ${provisioning.join(", ")}` };
  if (unbound.length) return { ...base, ready: false, waitingStatus: "WaitingForVolumeBinding", message: `PVC(s) not bound: ${unbound.join(", ")}` };
  if (missing.length) return { ...base, ready: false, waitingStatus: "ErrorPvcNotFound", message: `PVC(s) not found: ${missing.join(", ")}` };
  if (failed.length) return { ...base, ready: false, waitingStatus: "DataVolumeError", message: `DataVolume(s) failed: ${failed.join(", ")}` };
  return { ...base, ready: true };
}

/** The VMI KubeVirt would create from the VM's template. */
export function desiredVmi(vm: KubeObject, now = nowTimestamp()): KubeObject {
  const meta = vm.spec?.template?.metadata ?? {};
  const metadata: KubeObject["metadata"] = {
    name: vm.metadata.name,
    namespace: vm.metadata.namespace,
    ownerReferences: [ownerRefTo(VM, vm)],
  };
  if (meta.labels && typeof meta.labels === "object") metadata.labels = { ...meta.labels };
  if (meta.annotations && typeof meta.annotations === "object") metadata.annotations = { ...meta.annotations };
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata,
    spec: structuredClone(vm.spec?.template?.spec ?? {}),
    // No status subresource on VMIs: the initial status is accepted on create.
    status: {
      phase: "Pending",
      conditions: mergeConditions(undefined, [notRunning], { now }),
      phaseTransitionTimestamps: [{ phase: "Pending", phaseTransitionTimestamp: now }],
    },
  };
}

/** DataVolumes declared in spec.dataVolumeTemplates that do not exist yet. */
export function missingTemplateDataVolumes(vm: KubeObject, snap: Pick<Snapshot, "dataVolumes">): KubeObject[] {
  const templates: unknown[] = Array.isArray(vm.spec?.dataVolumeTemplates) ? vm.spec.dataVolumeTemplates : [];
  const out: KubeObject[] = [];
  for (const raw of templates) {
    const t = raw as { metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: unknown };
    const name = t?.metadata?.name;
    if (!name || snap.dataVolumes.has(`${vm.metadata.namespace}/${name}`)) continue;
    out.push({
      apiVersion: "cdi.kubevirt.io/v1beta1",
      kind: "DataVolume",
      metadata: {
        name,
        namespace: vm.metadata.namespace,
        labels: t.metadata?.labels,
        annotations: t.metadata?.annotations,
        ownerReferences: [ownerRefTo(VM, vm)],
      },
      spec: structuredClone(t.spec ?? {}),
    });
  }
  return out;
}

export interface VmDecision {
  action: "none" | "create-vmi" | "delete-vmi";
  printableStatus: string;
  created: boolean; // a VMI exists once the action is done
  ready: boolean;
  reason?: string; // for the Ready condition
  message?: string;
}

/** What KubeVirt would do with this VM now, and how it would print its state. */
export function decideVm(vm: KubeObject, vmi: KubeObject | undefined, gate: VolumeGate, faults: Faults): VmDecision {
  const strategy = runStrategyOf(vm);
  const vmiPhase: string | undefined = vmi?.status?.phase;
  const notExists = { reason: "VMINotExists", message: "VMI does not exist" };

  const wantsRunning = strategy === "Always" || strategy === "RerunOnFailure" || strategy === "Once" || (strategy === "Manual" && vmi !== undefined);
  if (!wantsRunning) {
    return vmi
      ? { action: "delete-vmi", printableStatus: "Stopping", created: false, ready: false, ...notExists }
      : { action: "none", printableStatus: "Stopped", created: false, ready: false, ...notExists };
  }
  if (faults.crashLoop) {
    // The guest keeps dying right after start: no VMI survives, KubeVirt backs off.
    return {
      action: vmi ? "delete-vmi" : "none",
      printableStatus: "CrashLoopBackOff",
      created: false,
      ready: false,
      reason: "VMINotExists",
      message: "VMI does not exist: virt-launcher crashed repeatedly (simulated)",
    };
  }
  if (vmi) {
    const finished = vmiPhase === "Succeeded" || vmiPhase === "Failed";
    if (finished && (strategy === "Always" || (strategy === "RerunOnFailure" && vmiPhase === "Failed"))) {
      return { action: "delete-vmi", printableStatus: "Starting", created: false, ready: false, ...notExists }; // restarted next loop
    }
    if (vmiPhase === "Running") return { action: "none", printableStatus: "Running", created: true, ready: true };
    if (finished)
      return {
        action: "none",
        printableStatus: vmiPhase === "Succeeded" ? "Succeeded" : "Failed",
        created: true,
        ready: false,
        reason: "GuestNotRunning",
        message: "Guest VM is not reported as running",
      };
    const scheduled = findCondition(vmi.status?.conditions, "PodScheduled");
    if (scheduled?.status === "False" && scheduled.reason === "Unschedulable") {
      return { action: "none", printableStatus: "ErrorUnschedulable", created: true, ready: false, reason: "Unschedulable", message: scheduled.message };
    }
    return {
      action: "none",
      printableStatus: "Starting",
      created: true,
      ready: false,
      reason: "GuestNotRunning",
      message: "Guest VM is not reported as running",
    };
  }
  if (!gate.ready)
    return {
      action: "none",
      printableStatus: gate.waitingStatus ?? "Provisioning",
      created: false,
      ready: false,
      reason: "VMINotExists",
      message: gate.message,
    };
  return {
    action: "create-vmi",
    printableStatus: "Starting",
    created: true,
    ready: false,
    reason: "GuestNotRunning",
    message: "Guest VM is not reported as running",
  };
}

export function vmStatus(vm: KubeObject, vmi: KubeObject | undefined, decision: VmDecision, gate: VolumeGate): Record<string, unknown> {
  const conditions: ConditionSpec[] = [
    decision.ready ? { type: "Ready", status: "True" } : { type: "Ready", status: "False", reason: decision.reason, message: decision.message },
  ];
  // KubeVirt mirrors the VMI's scheduling failure onto the VM.
  const scheduled = decision.action === "none" ? findCondition(vmi?.status?.conditions, "PodScheduled") : undefined;
  if (scheduled?.status === "False") conditions.push({ type: "PodScheduled", status: "False", reason: scheduled.reason, message: scheduled.message });
  if (gate.hasDataVolumes) {
    conditions.push(
      gate.dataVolumesReady
        ? { type: "DataVolumesReady", status: "True", reason: "AllDVsReady", message: "All of the VMI's DVs are bound and ready" }
        : { type: "DataVolumesReady", status: "False", reason: "NotAllDVsReady", message: "Not all of the VMI's DVs are ready" },
    );
  }
  return {
    printableStatus: decision.printableStatus,
    ready: decision.ready,
    created: decision.created,
    runStrategy: runStrategyOf(vm),
    observedGeneration: vm.metadata.generation,
    desiredGeneration: vm.metadata.generation,
    conditions: mergeConditions(vm.status?.conditions, conditions),
  };
}

/** The VM's own VMI: same name and controlled by this VM (a VMI left by a deleted VM of the same name does not count). */
export function ownVmi(vm: KubeObject, snap: Pick<Snapshot, "vmis">): KubeObject | undefined {
  const vmi = snap.vmis.get(keyOf(vm));
  if (!vmi || vmi.metadata.deletionTimestamp) return undefined;
  const ctrl = (vmi.metadata.ownerReferences ?? []).find(r => r.controller);
  return !ctrl || (ctrl.kind === "VirtualMachine" && ctrl.uid === vm.metadata.uid) ? vmi : undefined;
}

export function planVirtualMachine(vm: KubeObject, snap: Snapshot): Plan {
  if (vm.metadata.deletionTimestamp) return [];
  const key = keyOf(vm);
  const ns = vm.metadata.namespace ?? "";
  const name = vm.metadata.name ?? "";
  const plan: Action[] = [];

  for (const dv of missingTemplateDataVolumes(vm, snap)) {
    plan.push({ type: "create", res: DATA_VOLUME, obj: dv, log: `[kubevirt] ${key} created DataVolume ${dv.metadata.name} from dataVolumeTemplates` });
  }

  const sameNameVmi = snap.vmis.get(key);
  const vmi = ownVmi(vm, snap);
  if (sameNameVmi && !vmi && !sameNameVmi.metadata.deletionTimestamp) {
    // Another object holds the name (a leftover from a deleted VM): wait for it to go away.
    return [...plan, { type: "note", key: `virtualmachines ${key}`, log: `[kubevirt] ${key} waits: VMI ${name} exists and is not owned by this VM` }];
  }
  const gate = volumeGate(vm, snap);
  const faults = faultsFor([vmi, vm], snap.wukongs);
  const decision = decideVm(vm, vmi, gate, faults);

  if (decision.action === "create-vmi") {
    plan.push({ type: "create", res: VMI, obj: desiredVmi(vm), log: `[kubevirt] ${key} started: created VMI ${name}` });
  } else if (decision.action === "delete-vmi" && vmi) {
    plan.push({
      type: "delete",
      res: VMI,
      namespace: ns,
      name,
      uid: vmi.metadata.uid,
      log: `[kubevirt] ${key} deleted VMI ${name} (${decision.printableStatus === "CrashLoopBackOff" ? "crash loop" : `runStrategy ${runStrategyOf(vm)}`})`,
    });
  }

  const desired = { ...(vm.status ?? {}), ...vmStatus(vm, vmi, decision, gate) };
  const diff = replacePatch(vm.status, desired);
  if (diff) {
    const before = vm.status?.printableStatus ?? "<none>";
    const change = before !== decision.printableStatus ? `printableStatus ${before} -> ${decision.printableStatus}` : "status updated";
    const why = !gate.ready && decision.printableStatus === gate.waitingStatus ? ` (${gate.message})` : "";
    plan.push({ type: "patch", res: VM, namespace: ns, name, subresource: "status", patch: { status: diff }, log: `[kubevirt] ${key} ${change}${why}` });
  }
  return plan;
}

export function planKubevirtVms(snap: Snapshot): Plan[] {
  return planEach(snap.vms.values(), "virtualmachines", vm => planVirtualMachine(vm, snap));
}
