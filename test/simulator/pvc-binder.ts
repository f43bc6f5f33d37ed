// Stand-in for a CSI provisioner/resizer and the PV controller's binding: every Pending claim gets a PersistentVolume
// bound to it, grown claims "expand" through their status, and a provisioned volume is deleted with its claim. The
// real pvc- and pv-protection controllers of kube-controller-manager release deleted claims and volumes.
import { Action, Plan, planEach } from "./plan";
import type { SimConfig } from "./config";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { quantityGreater } from "./quantity";
import { replacePatch } from "./status-diff";
import { KubeObject, keyOf, PV, PVC } from "./resources";

export function planPvc(
  pvc: KubeObject,
  snap: Pick<Snapshot, "storageClasses" | "vmis"> & Partial<Pick<Snapshot, "pvs" | "volumeSnapshots" | "waitForFirstConsumerClasses">>,
  elapsed: Elapsed,
  cfg: SimConfig,
): Plan {
  if (pvc.metadata.deletionTimestamp) return []; // kube-controller-manager's pvc-protection-controller lets it go
  const key = keyOf(pvc);
  const clockKey = `pvc:${pvc.metadata.uid ?? key}`;
  const status = pvc.status ?? {};
  const phase = status.phase ?? "Pending";
  const request = pvc.spec?.resources?.requests?.storage;
  const patch = (desired: Record<string, unknown>, log: string): Action[] => {
    const diff = replacePatch(status, desired);
    return diff
      ? [
          {
            type: "patch",
            res: PVC,
            namespace: pvc.metadata.namespace ?? "",
            name: pvc.metadata.name ?? "",
            subresource: "status",
            patch: { status: diff },
            log,
          },
        ]
      : [];
  };

  if (phase === "Pending") {
    const className = pvc.spec?.storageClassName;
    // Without a storageClassName (and no default class filled it in) the simulator binds anyway, as if
    // a default provisioner existed. A named class that does not exist keeps the claim Pending, as in a real cluster.
    if (className && !snap.storageClasses.has(className)) {
      elapsed(clockKey, "waiting-for-storageclass");
      return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: storageclass "${className}" not found` }];
    }
    if (request === undefined)
      return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: no spec.resources.requests.storage` }];
    if (elapsed(clockKey, "Pending") < cfg.pvcBindMs) return [];
    const waiting = firstConsumerWait(pvc, snap.waitForFirstConsumerClasses);
    if (waiting) return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[csi] ${key} stays Pending: ${waiting}` }];
    const fromSnapshot = snapshotSourceProblem(pvc, request, snap.volumeSnapshots);
    if (fromSnapshot) return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[csi] ${key} stays Pending: ${fromSnapshot}` }];
    return provision(pvc, request, snap.pvs?.has(`/pvc-${pvc.metadata.uid}`) ?? false, selectedNode(pvc));
  }

  if (phase === "Bound" && quantityGreater(request, status.capacity?.storage)) {
    // A grown request: the resizer catches up after a delay (timer restarts if the request grows again).
    if (elapsed(clockKey, `expanding-to:${request}`) < cfg.pvcExpandMs) return [];
    const desired = { ...status, capacity: { ...(status.capacity ?? {}), storage: request } };
    return patch(desired, `[pvc-binder] ${key} expanded ${status.capacity?.storage ?? "?"} -> ${request}`);
  }
  return [];
}

/** Set by kube-scheduler's VolumeBinding plugin on a WaitForFirstConsumer claim once it picked a node for a pod using it. */
const SELECTED_NODE_ANNOTATION = "volume.kubernetes.io/selected-node";

function selectedNode(pvc: KubeObject): string | undefined {
  return pvc.metadata.annotations?.[SELECTED_NODE_ANNOTATION] || undefined;
}

/**
 * Why a claim of a WaitForFirstConsumer class is not provisioned yet, as the external-provisioner refuses it: without
 * the selected-node annotation kube-scheduler sets when it places the first pod that uses the claim
 * (kubernetes-sigs/sig-storage-lib-external-provisioner controller/controller.go, shouldProvision: "When claim is in
 * delay binding mode, annSelectedNode is required to provision volume"; k8s.io/kubernetes v1.36.3
 * pkg/scheduler/framework/plugins/volumebinding/binder.go, AssumePodVolumes, sets it). Undefined when it can be.
 */
function firstConsumerWait(pvc: KubeObject, waitForFirstConsumerClasses: Set<string> = new Set()): string | undefined {
  const className = pvc.spec?.storageClassName;
  if (!className || !waitForFirstConsumerClasses.has(className) || selectedNode(pvc)) return undefined;
  return `waiting for first consumer to be created before binding (StorageClass ${className} is WaitForFirstConsumer; no ${SELECTED_NODE_ANNOTATION} yet)`;
}

/**
 * Why a claim restored from a VolumeSnapshot (dataSource kind VolumeSnapshot, as KubeVirt's restore makes them) cannot
 * be provisioned yet, as kubernetes-csi/external-provisioner refuses it: the snapshot is missing or not ready to use,
 * or the claim asks for less than the snapshot's restoreSize (pkg/controller/controller.go, getSnapshotSource and
 * "requested volume size ... is less than the size ... for the source snapshot"). Undefined when it can be.
 */
export function snapshotSourceProblem(pvc: KubeObject, request: string, volumeSnapshots: Map<string, KubeObject> = new Map()): string | undefined {
  const source = pvc.spec?.dataSourceRef ?? pvc.spec?.dataSource;
  if (source?.kind !== "VolumeSnapshot" || source.apiGroup !== "snapshot.storage.k8s.io") return undefined;
  const volumeSnapshot = volumeSnapshots.get(`${pvc.metadata.namespace}/${source.name}`);
  if (!volumeSnapshot) return `VolumeSnapshot ${source.name} not found`;
  if (volumeSnapshot.metadata.deletionTimestamp) return `VolumeSnapshot ${source.name} is being deleted`;
  if (volumeSnapshot.status?.readyToUse !== true) return `VolumeSnapshot ${source.name} is not ready to use`;
  if (quantityGreater(volumeSnapshot.status?.restoreSize, request))
    return `requested volume size ${request} is less than the size ${volumeSnapshot.status.restoreSize} of the source snapshot ${source.name}`;
  return undefined;
}

/**
 * The claim is provisioned as a CSI provisioner and the PV controller would: a PersistentVolume of the claim's size, class, access and volume modes, bound to it by claimRef and
 * spec.volumeName. kube-scheduler's VolumeBinding plugin follows spec.volumeName to the PV before it binds a pod
 * that mounts the claim (a status-only binding, as without it, leaves such pods unschedulable). A volume made for the
 * node the scheduler selected is reachable only there, as a node-local one: its nodeAffinity names that node, so
 * every later pod using the claim (the VM restarted) is scheduled there.
 */
const BIND_ANNOTATIONS = { "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes" };

function provision(pvc: KubeObject, request: string, provisioned: boolean, node: string | undefined): Plan {
  const key = keyOf(pvc);
  const ns = pvc.metadata.namespace ?? "";
  const name = pvc.metadata.name ?? "";
  const pvName = `pvc-${pvc.metadata.uid}`;
  const accessModes = pvc.spec?.accessModes ?? ["ReadWriteOnce"];
  const pv: KubeObject = {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: pvName, annotations: { "pv.kubernetes.io/provisioned-by": "wukong-simulator" } },
    spec: {
      capacity: { storage: request },
      accessModes,
      volumeMode: pvc.spec?.volumeMode ?? "Filesystem",
      storageClassName: pvc.spec?.storageClassName,
      persistentVolumeReclaimPolicy: "Delete",
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: ns, name, uid: pvc.metadata.uid },
      csi: { driver: "simulator.novasphere.dev", volumeHandle: pvName },
      ...(node && {
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }] }] } },
      }),
    },
  };
  return [
    ...(provisioned ? [] : [{ type: "create" as const, res: PV, obj: pv, log: `[csi] provisioned ${pvName} (${request}) for ${key}` }]),
    { type: "patch", res: PV, namespace: "", name: pvName, subresource: "status", patch: { status: { phase: "Bound" } }, log: `[csi] ${pvName} Bound` },
    // The PV controller's binding marks: kube-scheduler counts a claim as bound only with bind-completed
    // (k8s.io/kubernetes v1.36.3 pkg/scheduler/framework/plugins/volumebinding/binder.go, isPVCFullyBound).
    {
      type: "patch",
      res: PVC,
      namespace: ns,
      name,
      patch: { metadata: { annotations: BIND_ANNOTATIONS }, spec: { volumeName: pvName } },
      log: `[csi] ${key} -> ${pvName}${node ? ` (on ${node})` : ""}`,
    },
    {
      type: "patch",
      res: PVC,
      namespace: ns,
      name,
      subresource: "status",
      patch: { status: { phase: "Bound", accessModes, capacity: { storage: request } } },
      log: `[csi] ${key} Pending -> Bound (capacity ${request})`,
    },
  ];
}

/** A provisioned volume lives and dies with its claim (reclaim policy Delete). */
export function planPvReclaim(pv: KubeObject, snap: Pick<Snapshot, "pvcs">): Plan {
  const ref = pv.spec?.claimRef;
  // Already deleted: kube-controller-manager's pv-protection-controller lets it go once no claim uses it.
  if (pv.metadata.annotations?.["pv.kubernetes.io/provisioned-by"] !== "wukong-simulator" || !ref || pv.metadata.deletionTimestamp) return [];
  const claim = snap.pvcs.get(`${ref.namespace}/${ref.name}`);
  if (claim && claim.metadata.uid === ref.uid) return [];
  return [
    { type: "delete", res: PV, namespace: "", name: pv.metadata.name ?? "", uid: pv.metadata.uid, log: `[csi] deleted ${pv.metadata.name}: its claim is gone` },
  ];
}

export function planPvcBinder(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  // Every claim is the provisioner's (restores and CDI make claims of their own).
  const claims = planEach(snap.pvcs.values(), "persistentvolumeclaims", pvc => planPvc(pvc, snap, elapsed, cfg));
  return [...claims, ...planEach(snap.pvs.values(), "persistentvolumes", pv => planPvReclaim(pv, snap))];
}
