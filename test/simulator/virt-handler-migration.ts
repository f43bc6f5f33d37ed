// Stand-in for virt-handler's live migration on the simulated nodes, and for the source
// virt-launcher that exits once its guest has moved. The real virt-controller (kubevirt v1.7.4
// pkg/virt-controller/watch/migration/migration.go) creates the target pod (anti-affine to the VMI's other pods by
// kubernetes.io/hostname, createMigrationPodAntiAffinityRule), waits for it to be Ready, then hands the migration to
// the nodes by writing status.migrationState (handleTargetPodHandoff: migrationUid, sourceNode, targetNode,
// targetPod). From there the handlers write, one step a tick, what the controller's processMigrationPhase waits for:
//   1. target (pkg/virt-handler/migration-target.go, updateStatus): targetNodeAddress and the listener ports
//      -> the migration goes TargetReady;
//   2. source (pkg/virt-handler/migration-source.go, setMigrationProgressStatus): startTimestamp, mode PreCopy
//      -> Running;
//   3. target: targetNodeDomainDetected and targetNodeDomainReadyTimestamp (the guest runs there), and the VMI's
//      MigrationRequired condition goes (the migration it asked for has happened);
//   4. target (ackMigrationCompletion): endTimestamp, status.nodeName and the kubevirt.io/nodeName label move to the
//      target node, evacuationNodeName is cleared, and the guest's interfaces are those of the domain on the target,
//      which has every interface of the VMI spec: a bridge NIC hot-plugged into the VMI spec (by virt-controller,
//      pkg/network/controllers/vm.go) reaches the guest this way, since the target pod was made with its network
//      (pkg/network/pod/annotations/generator.go) and the simulated Multus attached it (kubelet.ts); then
//      (finalizeMigration) completed -> Succeeded;
//   5. the source launcher pod exits (its domain has gone: the launcher ends with it).
// Also the LiveMigratable condition virt-handler computes (pkg/virt-handler/vm.go, calculateLiveMigrationCondition,
// its volume and pod-network checks): every PVC must be ReadWriteMany, as virt-controller reports in
// status.volumeStatus[].persistentVolumeClaimInfo.accessModes.
import { findCondition, mergeConditions, nowTimestamp, type Condition, type ConditionSpec } from "./conditions";
import { Plan, planEach } from "./plan";
import { KubeObject, keyOf, POD, VMI } from "./resources";
import type { Snapshot } from "./snapshot";
import { wantsRealGuest } from "./node-runtime";
import { guestInterfaces } from "./guest-interfaces";
import { resolveNetworkData } from "./network-data";

const NODE_NAME_LABEL = "kubevirt.io/nodeName";
/** The port virt-handler's migration proxy listens on for the target (any; only its presence matters). */
const MIGRATION_PORT = "49152";

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** LiveMigratable as virt-handler reports it, with its reason and message when the VMI cannot move. */
export function liveMigratable(vmi: KubeObject): ConditionSpec {
  const spec: Any = vmi.spec ?? {};
  const networks: Any[] = Array.isArray(spec.networks) ? spec.networks : [];
  const interfaces: Any[] = Array.isArray(spec.domain?.devices?.interfaces) ? spec.domain.devices.interfaces : [];
  // pkg/network/vmispec/interface.go VerifyVMIMigratable: the pod network must use masquerade (or no pod network).
  const podNetwork = networks.find(n => n?.pod);
  const podInterface = podNetwork && interfaces.find(i => i?.name === podNetwork.name);
  if (podInterface && !podInterface.masquerade)
    return {
      type: "LiveMigratable",
      status: "False",
      reason: "InterfaceNotLiveMigratable",
      message:
        "cannot migrate VMI which does not use masquerade, bridge with kubevirt.io/allow-pod-bridge-network-live-migration VM annotation or a migratable plugin to connect to the pod network",
    };
  const volumeStatus: Any[] = Array.isArray(vmi.status?.volumeStatus) ? vmi.status.volumeStatus : [];
  for (const volume of Array.isArray(spec.volumes) ? (spec.volumes as Any[]) : []) {
    const claim = volume?.persistentVolumeClaim?.claimName ?? volume?.dataVolume?.name;
    if (!claim) continue;
    const info = volumeStatus.find(s => s?.name === volume.name)?.persistentVolumeClaimInfo;
    const why = !info
      ? `cannot migrate VMI: Unable to determine if PVC ${claim} is shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`
      : !(info.accessModes ?? []).includes("ReadWriteMany")
        ? `cannot migrate VMI: PVC ${claim} is not shared, live migration requires that all PVCs must be shared (using ReadWriteMany access mode)`
        : undefined;
    if (why) return { type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable", message: why };
  }
  return { type: "LiveMigratable", status: "True" };
}

/** A Running VMI's LiveMigratable follows what it uses now (virt-handler recomputes it on every sync). */
export function planLiveMigratable(vmi: KubeObject): Plan {
  if (vmi.status?.phase !== "Running" || vmi.metadata.deletionTimestamp) return [];
  const wanted = liveMigratable(vmi);
  const current = findCondition(vmi.status?.conditions, "LiveMigratable");
  if (current && current.status === wanted.status && (current.reason ?? "") === (wanted.reason ?? "") && (current.message ?? "") === (wanted.message ?? ""))
    return [];
  const all: Condition[] = Array.isArray(vmi.status?.conditions) ? vmi.status.conditions : [];
  const [merged] = mergeConditions(current ? [current] : [], [wanted], { probeTime: true });
  const conditions = current ? all.map(c => (c.type === "LiveMigratable" ? merged : c)) : [...all, merged];
  return [
    {
      type: "patch",
      res: VMI,
      namespace: vmi.metadata.namespace ?? "",
      name: vmi.metadata.name ?? "",
      patch: { status: { conditions } },
      log: `[virt-handler] ${keyOf(vmi)} LiveMigratable=${wanted.status}${wanted.reason ? ` (${wanted.reason})` : ""}`,
    },
  ];
}

/**
 * A NIC marked absent in the VMI spec leaves the guest: virt-handler detaches it from the domain and rebuilds
 * status.interfaces from the domain plus the entries virt-controller marked multus-status (kubevirt v1.7.4
 * pkg/network/setup/netstat.go, UpdateStatus), so the absent NIC keeps only Multus's part. That goes once the pod
 * no longer has the network (pkg/network/controllers/vmi.go removes the source: a bridge NIC leaves the pod by a
 * migration, pkg/network/migration/evaluator.go), and with it the entry; virt-controller then drops the NIC from
 * the VMI and the VM (pkg/network/controllers/vm.go, clearDetachedIfacesFromVMI, clearDetachedIfacesFromVM).
 */
export function planNicUnplug(vmi: KubeObject): Plan {
  if (vmi.status?.phase !== "Running" || vmi.metadata.deletionTimestamp) return [];
  const absent = new Set(absentInterfaces(vmi));
  const reported: Any[] = Array.isArray(vmi.status?.interfaces) ? vmi.status.interfaces : [];
  const detached = reported.filter(iface => absent.has(iface?.name) && String(iface?.infoSource ?? "").trim() !== MULTUS_STATUS);
  if (detached.length === 0) return [];
  const interfaces = reported.flatMap(iface => {
    if (!detached.includes(iface)) return [iface];
    if (!sourcesOf(iface).includes(MULTUS_STATUS)) return [];
    const { name, podInterfaceName } = iface;
    return [{ name, ...(podInterfaceName && { podInterfaceName }), infoSource: MULTUS_STATUS }];
  });
  return [
    {
      type: "patch",
      res: VMI,
      namespace: vmi.metadata.namespace ?? "",
      name: vmi.metadata.name ?? "",
      patch: { status: { interfaces } },
      log: `[virt-handler] ${keyOf(vmi)} detached ${detached.map(i => i.name).join(", ")} from the guest`,
    },
  ];
}

const MULTUS_STATUS = "multus-status";

const sourcesOf = (iface: Any | undefined): string[] =>
  String(iface?.infoSource ?? "")
    .split(",")
    .map(source => source.trim())
    .filter(Boolean);

const absentInterfaces = (vmi: KubeObject): string[] =>
  (Array.isArray(vmi.spec?.domain?.devices?.interfaces) ? (vmi.spec.domain.devices.interfaces as Any[]) : [])
    .filter(i => i?.state === "absent")
    .map(i => i.name);

/** The address virt-handler advertises for migrations: its node's InternalIP. */
function nodeAddress(node: KubeObject | undefined): string {
  const addresses: Any[] = Array.isArray(node?.status?.addresses) ? node.status.addresses : [];
  return addresses.find(a => a?.type === "InternalIP")?.address ?? "127.0.0.1";
}

const isRunning = (pod: KubeObject | undefined) => pod?.status?.phase === "Running" && !pod.metadata.deletionTimestamp;

/** One step of the nodes' part of the VMI's migration, if it is theirs to take. */
export function planMigrationStep(vmi: KubeObject, snap: Pick<Snapshot, "pods" | "nodes" | "secrets">): Plan {
  const state: Any | undefined = vmi.status?.migrationState;
  if (!state?.migrationUid || !state.targetNode || !state.targetPod || state.completed || state.failed) return [];
  if (vmi.status?.phase !== "Running" || vmi.metadata.deletionTimestamp) return [];
  if (!snap.nodes.has(`/${state.targetNode}`)) return [];
  const ns = vmi.metadata.namespace ?? "";
  const name = vmi.metadata.name ?? "";
  const key = keyOf(vmi);
  const targetPod = snap.pods.get(`${ns}/${state.targetPod}`);
  if (!isRunning(targetPod)) return [];
  const now = nowTimestamp();
  const step = (migrationState: Any, log: string, extra: Any = {}) => [
    { type: "patch" as const, res: VMI, namespace: ns, name, patch: { ...extra, status: { ...extra.status, migrationState } }, log },
  ];

  if (!state.targetNodeAddress)
    return step(
      { targetNodeAddress: nodeAddress(snap.nodes.get(`/${state.targetNode}`)), targetDirectMigrationNodePorts: { [MIGRATION_PORT]: 0 } },
      `[virt-handler ${state.targetNode}] ${key} migration target listening`,
    );
  if (!state.startTimestamp)
    return step({ startTimestamp: now, mode: "PreCopy" }, `[virt-handler ${state.sourceNode}] ${key} migrating to ${state.targetNode}`);
  if (!state.targetNodeDomainDetected) {
    const conditions: Condition[] = Array.isArray(vmi.status?.conditions) ? vmi.status.conditions : [];
    const withoutRequired = conditions.filter(c => c?.type !== "MigrationRequired");
    return step(
      { targetNodeDomainDetected: true, targetNodeDomainReadyTimestamp: now },
      `[virt-handler ${state.targetNode}] ${key} migrated domain running on the target`,
      withoutRequired.length < conditions.length ? { status: { conditions: withoutRequired } } : {},
    );
  }
  if (!state.endTimestamp)
    return step({ endTimestamp: now }, `[virt-handler ${state.targetNode}] ${key} migration completed: ${state.sourceNode} -> ${state.targetNode}`, {
      metadata: { labels: { [NODE_NAME_LABEL]: state.targetNode } },
      status: { nodeName: state.targetNode, evacuationNodeName: null, interfaces: domainInterfaces(vmi, snap) },
    });
  return step({ completed: true }, `[virt-handler ${state.targetNode}] ${key} migration finalized`);
}

/**
 * The guest's interfaces on the target: one per VMI spec interface the domain has, keeping what virt-controller
 * added (Multus's part); an absent NIC being unplugged keeps its entry (planNicUnplug).
 */
function domainInterfaces(vmi: KubeObject, snap: Pick<Snapshot, "secrets">): Any[] {
  const ns = vmi.metadata.namespace ?? "";
  const networkData = resolveNetworkData(vmi.spec?.volumes, secretName => snap.secrets.get(`${ns}/${secretName}`));
  const reported: Any[] = Array.isArray(vmi.status?.interfaces) ? vmi.status.interfaces : [];
  const absent = new Set(absentInterfaces(vmi));
  const inDomain = guestInterfaces(vmi, networkData).map(iface => {
    const before = reported.find(r => r?.name === iface.name);
    const sources = new Set([...sourcesOf(before), ...sourcesOf(iface)]);
    return { ...before, ...iface, infoSource: [...sources].join(", ") };
  });
  return [...inDomain, ...reported.filter(r => absent.has(r?.name))];
}

/** The source virt-launcher exits once the guest runs on the target node. */
export function planSourceLauncherExit(pod: KubeObject, snap: Pick<Snapshot, "vmis">): Plan {
  if (pod.metadata.labels?.["kubevirt.io"] !== "virt-launcher" || !isRunning(pod)) return [];
  const uid = pod.metadata.labels?.["kubevirt.io/created-by"];
  const vmi = [...snap.vmis.values()].find(v => v.metadata.namespace === pod.metadata.namespace && v.metadata.uid === uid);
  const state: Any | undefined = vmi?.status?.migrationState;
  if (!vmi || !state?.completed || state.failed || vmi.status?.nodeName !== state.targetNode) return [];
  if (pod.spec?.nodeName !== state.sourceNode || pod.metadata.name === state.targetPod) return [];
  const now = nowTimestamp();
  const containers: Any[] = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  const status = {
    phase: "Succeeded",
    containerStatuses: containers.map(c => ({
      name: String(c.name ?? ""),
      ready: false,
      restartCount: 0,
      image: "simulated",
      imageID: "simulated",
      state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
    })),
  };
  return [
    {
      type: "patch",
      res: POD,
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
      subresource: "status",
      patch: { status },
      log: `[kubelet] ${keyOf(pod)} virt-launcher exited: its guest migrated to ${state.targetNode}`,
    },
  ];
}

export function planVirtHandlerMigrations(snap: Snapshot): Plan[] {
  const simulated = [...snap.vmis.values()].filter(vmi => !wantsRealGuest(vmi, snap.wukongs));
  return planEach(simulated, "virtualmachineinstances", vmi => [...planLiveMigratable(vmi), ...planNicUnplug(vmi), ...planMigrationStep(vmi, snap)]);
}

export function planSourceLauncherExits(snap: Snapshot): Plan[] {
  return planEach(snap.pods.values(), "pods", pod => planSourceLauncherExit(pod, snap));
}
