// The Wukong status from what the reconciler observed. Pure: the same inputs give the same status,
// and `now` is only used for conditions whose status flips, so re-deriving never causes a write.
//
// Phase (first match wins):
//   Error     a Degraded or unwritable (NicRoutesDiffer) node network policy or NMState missing, a Wukong-level error (the builders refused the spec, or a bug of ours), a child error (API rejected a child; missing StorageClass, user NAD or Secret), a missing
//             user NAD, an import that failed (DV Failed, or Running=False Error/ImportFailed/...),
//             claim Lost, VM printableStatus ErrorUnschedulable/CrashLoopBackOff/ErrImagePull/
//             ImagePullBackOff/DataVolumeError (not ErrorPvcNotFound: our claims are on their way), VMI PodScheduled=False Unschedulable (not for claims not bound yet),
//             VM Failure=True, VMI Failed under runStrategy Once or Manual
//   Pending   no child observed yet (user NADs do not count)
//   Stopped   VM exists and runStrategy Halted; or no active VMI and (Manual, printableStatus Stopped under a
//             strategy KubeVirt does not start by itself, or VMI Succeeded)
//   Restoring spec.restoreFromSnapshot is being carried out (waiting for the snapshot, stopping, restoring)
//   Running   VMI phase Running
//   Creating  otherwise: NADs being made, claims binding, imports running, VM provisioning/scheduling
// Conditions (status reason):
//   NetworksConfigured  True NetworksReady | False NetworkAttachmentMissing, NetworkAttachment<ApiReason>,
//                       NodeNetworkPending, NodeNetworkDegraded, NMStateMissing, NodeNetworkConfigurationPolicy<ApiReason>
//                       (Conflict: the bridge has a policy on another NIC, or its users' nodeSelectors share no
//                       label), NicRoutesDiffer (the NIC carries routes on some of the policy's nodes only: NMState
//                       fails a route capture that finds nothing, so no policy is written), BridgeMissing (a bridge no physicalInterface builds is absent from nodes' NodeNetworkState:
//                       a notice, phase and message unaffected)
//   VolumesBound        True VolumesReady | False VolumeMissing, ClaimPending, WaitingForFirstConsumer (the claims
//                       bind once the VM's pod is scheduled; a Stopped Wukong's message says so too), ImportInProgress,
//                       ImportFailed, ClaimLost, StorageClassMissing, <Kind><ApiReason>
//   Ready               True VirtualMachineRunning | False Starting, Stopping, Stopped, or the error's reason
//   RestartRequired     True CloudInitChanged, VirtualMachineSpecChanged (KubeVirt's message); absent when no restart is needed
// status.resize (lib/status/resize.ts): Live, HotPlugging or WaitingForRestart while the VMI runs
//   EvictionStrategy    True SetInSpec, EveryDiskShared (a drain live-migrates the VM) | False SetInSpec, DiskNotShared
//   LiveMigratable      while the VMI runs: KubeVirt's own status and reason (e.g. DisksNotLiveMigratable)
//   ClusterFeatures     only when the Wukong uses snapshots, a grown disk, GPUs or SR-IOV: True FeaturesAvailable |
//                       False SnapshotApiMissing, RestoreFieldsMissing, SnapshotFeatureGateDisabled, ExpandDisksFeatureGateDisabled,
//                       HotplugFeatureGateDisabled, DeviceResourceMissing (lib/cluster/features.ts); it does not
//                       change the phase
// hotpluggedDisks: each disk added to or removed from the running VM, from the VMI's volumeStatus (./hotplug.ts)
// Message: the first error (networks, volumes, VM, in creation order); else the first part still
// waiting while Creating; else the VM's own sentence.
import type { WukongSpec } from "../../schemas/spec";
import type { Phase, WukongStatus } from "../../schemas/status";
import type { Wukong } from "../../schemas/wukong";
import { virtualMachineName } from "../../schemas/child-names";
import { runStrategyOf } from "../children/spec-defaults";
import { withTransitionTimes } from "./conditions";
import { clusterFeaturesCondition } from "./features";
import { hotpluggedDiskStatuses } from "./hotplug";
import { networkStatuses, networksVerdict } from "../networks/status";
import { hostBridgesVerdict, NODE_NETWORK_KIND, nodeNetworksSummary, nodeNetworksVerdict } from "../networks/node-network-status";
import type { ChildError, ObservedChildren } from "./observed";
import { childErrorVerdict, type Verdict } from "./verdict";
import { operatorRestarts, restartCondition } from "./restart";
import { resizeStatus } from "./resize";
import { evictionCondition, liveMigratableCondition } from "./migration";
import { vmVerdict } from "./vm";
import { FIRST_CONSUMER_REASON, volumeStatuses, volumesVerdict } from "./volumes";
import { generatedNadName } from "../../schemas/networks/names";

const NETWORK_KINDS = new Set(["NetworkAttachmentDefinition", NODE_NETWORK_KIND]);
const VOLUME_KINDS = new Set(["DataVolume", "PersistentVolumeClaim", "StorageClass"]);
const WUKONG_KIND = "Wukong";
const PENDING_MESSAGE = "Accepted; no child resources exist yet.";

/** `now` is an RFC 3339 timestamp (second precision, as Kubernetes writes them). */
export function deriveStatus(wukong: Wukong, observed: ObservedChildren, now: string): WukongStatus {
  const owner = { name: wukong.metadata?.name ?? "", namespace: wukong.metadata?.namespace ?? "" };
  // Only optional spec fields are read: a Wukong without spec simply has nothing to report.
  const spec = wukong.spec ?? ({} as WukongSpec);
  const generation = wukong.metadata?.generation;
  const runStrategy = runStrategyOf(spec);
  const { virtualMachine: vm, virtualMachineInstance: vmi, childErrors } = observed;

  const networks = withNodeNetworks(
    networksVerdict(
      owner,
      spec,
      observed.nads,
      childErrors.filter(error => error.kind === "NetworkAttachmentDefinition"),
    ),
    observed,
  );
  const volumes = volumesVerdict(
    owner.name,
    spec,
    observed,
    childErrors.filter(error => VOLUME_KINDS.has(error.kind)),
  );
  const machine = vmVerdict({ name: virtualMachineName(owner.name), runStrategy, vm, vmi, errors: childErrors.filter(isVmError) });
  // A Wukong-level error explains everything else, so it comes first.
  const overall = childErrors.find(error => error.kind === WUKONG_KIND);
  const parts = [...(overall ? [childErrorVerdict(overall)] : []), networks, volumes, machine];
  const error = parts.find(part => part.state === "error");

  const restoring = !error && observed.restore && RESTORING.has(observed.restore.phase);
  const phase = restoring ? "Restoring" : phaseOf(error, machine, anythingObserved(owner.name, spec, observed));
  const message =
    error?.message ??
    (restoring ? observed.restore?.message : undefined) ??
    (phase === "Pending" ? PENDING_MESSAGE : phase === "Creating" ? firstWaiting(parts).message : stoppedMessage(phase, machine, volumes));
  const ready = machine.state === "ok" ? machine : (error ?? machine);
  const stage = observed.liveUpdate?.rolloutStrategy === "Stage";
  const restart = restartCondition(virtualMachineName(owner.name), vm, vmi, { operatorRestarts: operatorRestarts(spec), stage });
  const resize = resizeStatus(spec, vm, vmi, observed.liveUpdate);
  const liveMigratable = vmi?.status?.phase === "Running" ? liveMigratableCondition(vmi) : undefined;
  const conditions = withTransitionTimes(
    wukong.status?.conditions,
    [
      { type: "Ready", status: machine.state === "ok" ? "True" : "False", reason: ready.reason, message: ready.message },
      conditionOf("NetworksConfigured", networks),
      conditionOf("VolumesBound", volumes),
      ...(restart ? [restart] : []),
      evictionCondition(spec),
      ...(liveMigratable ? [liveMigratable] : []),
      ...(observed.clusterFeatures ? [clusterFeaturesCondition(observed.clusterFeatures.gaps)] : []),
    ],
    now,
    generation,
  );

  const nodeName = vmi?.status?.phase === "Running" ? vmi.status.nodeName : undefined;
  const hotplugGate = observed.clusterFeatures?.gaps.find(gap => gap.reason === "HotplugFeatureGateDisabled");
  const hotpluggedDisks = hotpluggedDiskStatuses(spec, vm, vmi, hotplugGate?.message);
  return {
    phase,
    message,
    ...(generation !== undefined && { observedGeneration: generation }),
    ...(vm && { vmName: virtualMachineName(owner.name), restartRequired: restart !== undefined }),
    ...(nodeName && { nodeName }),
    conditions,
    networks: networkStatuses(owner, spec, vmi),
    volumes: volumeStatuses(owner.name, spec, observed),
    ...(hotpluggedDisks.length > 0 && { hotpluggedDisks }),
    ...(observed.snapshots?.length && { snapshots: observed.snapshots }),
    ...(observed.restore && { restore: observed.restore }),
    ...(resize && { resize }),
    ...(observed.migration && { migration: observed.migration }),
  };
}

const RESTORING = new Set(["Pending", "Stopping", "Restoring"]);

/** A stopped VM whose disks bind at first consumer says so: otherwise its claims would sit Pending unexplained. */
function stoppedMessage(phase: Phase, machine: Verdict, volumes: Verdict): string {
  return phase === "Stopped" && volumes.reason === FIRST_CONSUMER_REASON ? `${machine.message} ${volumes.message}` : machine.message;
}

/** An error of either part first, then a wait; when both are ready, a missing bridge, else the NADs' sentence with the policies'. */
function withNodeNetworks(nads: Verdict, observed: ObservedChildren): Verdict {
  const withPolicies = withPolicyVerdict(nads, observed);
  const bridges = hostBridgesVerdict(observed.missingBridges);
  return bridges && withPolicies.state === "ok" ? bridges : withPolicies;
}

function withPolicyVerdict(nads: Verdict, observed: ObservedChildren): Verdict {
  const nodes = nodeNetworksVerdict(
    observed.nodeNetworks,
    observed.childErrors.filter(error => error.kind === NODE_NETWORK_KIND),
  );
  if (!nodes) return { ...nads, message: nads.state === "ok" ? `${nads.message}${nodeNetworksSummary(observed.nodeNetworks)}` : nads.message };
  if (nads.state === "error" && nodes.state !== "error") return nads;
  return nads.state === "ok" || nodes.state === "error" ? nodes : nads;
}

function phaseOf(error: Verdict | undefined, machine: Verdict, observedAny: boolean): Phase {
  if (error) return "Error";
  if (!observedAny) return "Pending";
  if (machine.state === "stopped") return "Stopped";
  if (machine.state === "ok") return "Running";
  return "Creating";
}

function firstWaiting(parts: Verdict[]): Verdict {
  return parts.find(part => part.state === "waiting") ?? parts[parts.length - 1];
}

function conditionOf(type: string, verdict: Verdict) {
  return { type, status: verdict.state === "ok" ? ("True" as const) : ("False" as const), reason: verdict.reason, message: verdict.message };
}

function isVmError(error: ChildError): boolean {
  return !NETWORK_KINDS.has(error.kind) && !VOLUME_KINDS.has(error.kind) && error.kind !== WUKONG_KIND;
}

/** Whether any child Wukong makes exists; the user's own NADs are not ours. */
function anythingObserved(name: string, spec: WukongSpec, observed: ObservedChildren): boolean {
  const generated = new Set((spec.networks ?? []).filter(network => !network.nadName).map(network => generatedNadName(name, network.name)));
  return (
    observed.nads.some(nad => nad.exists && generated.has(nad.name)) ||
    Object.values(observed.dataVolumes).some(Boolean) ||
    Object.values(observed.pvcs).some(Boolean) ||
    observed.virtualMachine !== undefined ||
    observed.virtualMachineInstance !== undefined
  );
}
