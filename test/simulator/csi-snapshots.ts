// Stand-in for the CSI snapshot side of a real cluster:
// kubernetes-csi/external-snapshotter's snapshot-controller and a CSI driver's csi-snapshotter sidecar, on the
// snapshot.storage.k8s.io/v1 objects (CRDs: test/stack/cluster/upstream/volume-snapshot-crds.yaml, v8.6.0). KubeVirt v1.7.4
// creates a VolumeSnapshot per captured claim and waits for its status.creationTime and readyToUse
// (pkg/storage/snapshot/snapshot.go, updateVMSnapshotContent); its restore makes claims whose dataSource is the
// VolumeSnapshot and sizes them to at least status.restoreSize (restore.go, CreateRestorePVCDef). What this plays,
// as external-snapshotter v8 does (pkg/common-controller/snapshot_controller.go, pkg/sidecar-controller):
//   - a VolumeSnapshot of a bound claim gets its finalizers and a VolumeSnapshotContent `snapcontent-<uid>` with the
//     class's driver and deletionPolicy and the claim's volume handle; the driver cuts the snapshot (content status:
//     snapshotHandle, creationTime in ns, readyToUse, restoreSize in bytes) and the snapshot's status follows;
//   - a deleted VolumeSnapshot deletes its content when the policy is Delete (kept when Retain), and loses its
//     finalizers once that is done and no claim is still being restored from it;
//   - a content whose bound VolumeSnapshot is gone goes the same way;
//   - under `sim.novasphere.dev/snapshot: fail` (on the VolumeSnapshot, its claim, the claim's DataVolume or their
//     Wukong) the driver refuses to cut: the content and the VolumeSnapshot carry status.error and stay not ready, as
//     the csi-snapshotter sidecar reports a failed CreateSnapshot (pkg/sidecar-controller/snapshot_controller.go,
//     createSnapshotWrapper); KubeVirt copies it to its VirtualMachineSnapshotContent and VirtualMachineSnapshot.
// The one simulated CSI driver provisions every StorageClass (pvc-binder.ts), so it also cuts every class's snapshots.
import { controllerChain, FAULT_SNAPSHOT, faultValue } from "./faults";
import { Plan, planEach } from "./plan";
import { parseQuantity } from "./quantity";
import { KubeObject, keyOf, apiVersionOf, VOLUME_SNAPSHOT, VOLUME_SNAPSHOT_CONTENT } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import type { SimConfig } from "./config";

export const AS_SOURCE_PROTECTION = "snapshot.storage.kubernetes.io/volumesnapshot-as-source-protection";
export const BOUND_PROTECTION = "snapshot.storage.kubernetes.io/volumesnapshot-bound-protection";
const FINALIZERS = [AS_SOURCE_PROTECTION, BOUND_PROTECTION];
const DEFAULT_CLASS_ANNOTATION = "snapshot.storage.kubernetes.io/is-default-class";

type CsiSnapshotView = Pick<Snapshot, "pvcs" | "pvs" | "volumeSnapshots" | "volumeSnapshotContents" | "volumeSnapshotClasses"> &
  Partial<Pick<Snapshot, "dataVolumes" | "wukongs">>;

/** The error a failing driver's CreateSnapshot gives, as the csi-snapshotter sidecar words it. */
export const snapshotFailure = (volumeHandle: string) =>
  `failed to take snapshot of the volume ${volumeHandle}: "rpc error: code = Internal desc = simulated failure (sim.novasphere.dev/snapshot: fail)"`;

/** snapshot-controller names a dynamically provisioned content after the snapshot's uid. */
export const contentNameFor = (volumeSnapshot: KubeObject) => `snapcontent-${volumeSnapshot.metadata.uid}`;

/** The claims still being provisioned from this snapshot (the as-source finalizer waits for them). */
function restoringFrom(volumeSnapshot: KubeObject, snap: Pick<Snapshot, "pvcs">): KubeObject[] {
  return [...snap.pvcs.values()].filter(pvc => {
    const source = pvc.spec?.dataSourceRef ?? pvc.spec?.dataSource;
    return (
      pvc.metadata.namespace === volumeSnapshot.metadata.namespace &&
      source?.kind === "VolumeSnapshot" &&
      source?.name === volumeSnapshot.metadata.name &&
      (pvc.status?.phase ?? "Pending") === "Pending"
    );
  });
}

const finalizersOf = (object: KubeObject): string[] => (Array.isArray(object.metadata.finalizers) ? (object.metadata.finalizers as string[]) : []);

function classOf(volumeSnapshot: KubeObject, snap: CsiSnapshotView): KubeObject | undefined {
  const named = volumeSnapshot.spec?.volumeSnapshotClassName;
  if (named) return snap.volumeSnapshotClasses.get(`/${named}`);
  const defaults = [...snap.volumeSnapshotClasses.values()].filter(c => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
  return defaults.length === 1 ? defaults[0] : undefined;
}

const note = (volumeSnapshot: KubeObject, why: string): Plan => [
  { type: "note", key: `volumesnapshots ${keyOf(volumeSnapshot)}`, log: `[csi-snapshotter] ${keyOf(volumeSnapshot)} waits: ${why}` },
];

function planDeletedSnapshot(volumeSnapshot: KubeObject, snap: CsiSnapshotView): Plan {
  const finalizers = finalizersOf(volumeSnapshot);
  if (!finalizers.some(f => FINALIZERS.includes(f))) return [];
  const key = keyOf(volumeSnapshot);
  const contentName = volumeSnapshot.status?.boundVolumeSnapshotContentName ?? contentNameFor(volumeSnapshot);
  const content = snap.volumeSnapshotContents.get(`/${contentName}`);
  if (content && content.spec?.deletionPolicy === "Delete") {
    if (content.metadata.deletionTimestamp) return [];
    return [
      {
        type: "delete",
        res: VOLUME_SNAPSHOT_CONTENT,
        namespace: "",
        name: contentName,
        uid: content.metadata.uid,
        log: `[snapshot-controller] ${key} deleted: its content ${contentName} goes too (deletionPolicy Delete)`,
      },
    ];
  }
  const restores = restoringFrom(volumeSnapshot, snap);
  if (restores.length) return note(volumeSnapshot, `being deleted, still the source of ${restores.map(p => p.metadata.name).join(", ")}`);
  const patch = { metadata: { resourceVersion: volumeSnapshot.metadata.resourceVersion, finalizers: finalizers.filter(f => !FINALIZERS.includes(f)) } };
  return [
    {
      type: "patch",
      res: VOLUME_SNAPSHOT,
      namespace: volumeSnapshot.metadata.namespace ?? "",
      name: volumeSnapshot.metadata.name ?? "",
      patch,
      log: `[snapshot-controller] ${key} released its finalizers${content ? ` (content ${contentName} retained)` : ""}`,
    },
  ];
}

export function planVolumeSnapshot(volumeSnapshot: KubeObject, snap: CsiSnapshotView, elapsed: Elapsed, cfg: SimConfig): Plan {
  if (volumeSnapshot.metadata.deletionTimestamp) return planDeletedSnapshot(volumeSnapshot, snap);
  const claimName: string | undefined = volumeSnapshot.spec?.source?.persistentVolumeClaimName;
  if (!claimName) return []; // pre-provisioned (source.volumeSnapshotContentName): nothing to cut
  const key = keyOf(volumeSnapshot);
  const ns = volumeSnapshot.metadata.namespace ?? "";
  const name = volumeSnapshot.metadata.name ?? "";
  const plan: Plan = [];

  const finalizers = finalizersOf(volumeSnapshot);
  if (!FINALIZERS.every(f => finalizers.includes(f))) {
    const patch = { metadata: { resourceVersion: volumeSnapshot.metadata.resourceVersion, finalizers: [...new Set([...finalizers, ...FINALIZERS])] } };
    plan.push({ type: "patch", res: VOLUME_SNAPSHOT, namespace: ns, name, patch, log: `[snapshot-controller] ${key} protected by its finalizers` });
  }

  const contentName = contentNameFor(volumeSnapshot);
  const content = snap.volumeSnapshotContents.get(`/${contentName}`);
  if (!content) {
    const snapshotClass = classOf(volumeSnapshot, snap);
    if (!snapshotClass) return [...plan, ...note(volumeSnapshot, `no VolumeSnapshotClass ${volumeSnapshot.spec?.volumeSnapshotClassName ?? "(default)"}`)];
    const claim = snap.pvcs.get(`${ns}/${claimName}`);
    const pv = claim?.spec?.volumeName ? snap.pvs.get(`/${claim.spec.volumeName}`) : undefined;
    if (claim?.status?.phase !== "Bound" || !pv) return [...plan, ...note(volumeSnapshot, `claim ${claimName} is not yet bound to a volume`)];
    const obj: KubeObject = {
      apiVersion: apiVersionOf(VOLUME_SNAPSHOT_CONTENT),
      kind: VOLUME_SNAPSHOT_CONTENT.kind,
      metadata: { name: contentName },
      spec: {
        volumeSnapshotRef: { apiVersion: apiVersionOf(VOLUME_SNAPSHOT), kind: VOLUME_SNAPSHOT.kind, namespace: ns, name, uid: volumeSnapshot.metadata.uid },
        source: { volumeHandle: pv.spec?.csi?.volumeHandle ?? pv.metadata.name },
        sourceVolumeMode: pv.spec?.volumeMode ?? "Filesystem",
        volumeSnapshotClassName: snapshotClass.metadata.name,
        deletionPolicy: snapshotClass.deletionPolicy,
        driver: snapshotClass.driver,
      },
    };
    return [
      ...plan,
      { type: "create", res: VOLUME_SNAPSHOT_CONTENT, obj, log: `[snapshot-controller] ${key}: created ${contentName} from ${claimName}` },
      {
        type: "patch",
        res: VOLUME_SNAPSHOT,
        namespace: ns,
        name,
        subresource: "status",
        patch: { status: { boundVolumeSnapshotContentName: contentName, readyToUse: false } },
        log: `[snapshot-controller] ${key} bound to ${contentName}`,
      },
    ];
  }

  const cut = content.status;
  if (cut?.readyToUse !== true) {
    const claim = snap.pvcs.get(`${ns}/${claimName}`);
    const failing = failingSnapshot(volumeSnapshot, claim, snap);
    if (elapsed(`volumesnapshotcontent:${content.metadata.uid}`, failing ? "failing" : "cutting") < cfg.snapshotMs) return plan;
    if (failing) return [...plan, ...planFailedCut(volumeSnapshot, content)];
    const size = parseQuantity(claim?.status?.capacity?.storage ?? snap.pvs.get(`/${claim?.spec?.volumeName}`)?.spec?.capacity?.storage);
    const status = {
      snapshotHandle: `snapshot-${content.metadata.uid}`,
      creationTime: Date.now() * 1_000_000,
      readyToUse: true,
      ...(size !== undefined && { restoreSize: Math.round(size) }),
    };
    return [
      ...plan,
      {
        type: "patch",
        res: VOLUME_SNAPSHOT_CONTENT,
        namespace: "",
        name: contentName,
        subresource: "status",
        patch: { status: { ...status, error: null } }, // a retry that succeeds clears the earlier failure
        log: `[csi-snapshotter] ${contentName} cut (${status.restoreSize ?? "?"} bytes), ready to use`,
      },
    ];
  }

  const desired = {
    boundVolumeSnapshotContentName: contentName,
    creationTime: new Date(Math.floor(Number(cut.creationTime) / 1_000_000)).toISOString().replace(/\.\d{3}Z$/, "Z"),
    readyToUse: true,
    ...(cut.restoreSize !== undefined && { restoreSize: String(cut.restoreSize) }),
  };
  const current = volumeSnapshot.status ?? {};
  const same =
    current.boundVolumeSnapshotContentName === desired.boundVolumeSnapshotContentName &&
    current.readyToUse === true &&
    current.error === undefined &&
    current.creationTime === desired.creationTime &&
    parseQuantity(current.restoreSize) === parseQuantity(desired.restoreSize);
  if (same) return plan;
  return [
    ...plan,
    {
      type: "patch",
      res: VOLUME_SNAPSHOT,
      namespace: ns,
      name,
      subresource: "status",
      patch: { status: { ...desired, error: null } },
      log: `[snapshot-controller] ${key} ready to use (restoreSize ${desired.restoreSize ?? "?"})`,
    },
  ];
}

function failingSnapshot(volumeSnapshot: KubeObject, claim: KubeObject | undefined, snap: CsiSnapshotView): boolean {
  const owners = claim ? controllerChain(claim, [...snap.pvcs.values(), ...(snap.dataVolumes?.values() ?? [])]) : [];
  return faultValue(FAULT_SNAPSHOT, [volumeSnapshot, ...owners], snap.wukongs ?? new Map()) === "fail";
}

/** The driver refused: the content's error, which snapshot-controller copies to the VolumeSnapshot. */
function planFailedCut(volumeSnapshot: KubeObject, content: KubeObject): Plan {
  const message = snapshotFailure(content.spec?.source?.volumeHandle ?? "");
  if (content.status?.error?.message === message && volumeSnapshot.status?.error?.message === message) return [];
  const error = { message, time: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") };
  const contentName = content.metadata.name ?? "";
  return [
    {
      type: "patch",
      res: VOLUME_SNAPSHOT_CONTENT,
      namespace: "",
      name: contentName,
      subresource: "status",
      patch: { status: { readyToUse: false, error } },
      log: `[csi-snapshotter] ${contentName} not cut: ${message}`,
    },
    {
      type: "patch",
      res: VOLUME_SNAPSHOT,
      namespace: volumeSnapshot.metadata.namespace ?? "",
      name: volumeSnapshot.metadata.name ?? "",
      subresource: "status",
      patch: { status: { boundVolumeSnapshotContentName: contentName, readyToUse: false, error } },
      log: `[snapshot-controller] ${keyOf(volumeSnapshot)} failed: ${message}`,
    },
  ];
}

/** A content whose bound VolumeSnapshot is gone goes with it under deletionPolicy Delete. */
export function planVolumeSnapshotContent(content: KubeObject, snap: Pick<Snapshot, "volumeSnapshots">): Plan {
  const ref = content.spec?.volumeSnapshotRef;
  if (content.metadata.deletionTimestamp || content.spec?.deletionPolicy !== "Delete" || !ref?.uid) return [];
  const bound = snap.volumeSnapshots.get(`${ref.namespace}/${ref.name}`);
  if (bound && bound.metadata.uid === ref.uid) return [];
  return [
    {
      type: "delete",
      res: VOLUME_SNAPSHOT_CONTENT,
      namespace: "",
      name: content.metadata.name ?? "",
      uid: content.metadata.uid,
      log: `[snapshot-controller] deleted ${content.metadata.name}: its VolumeSnapshot ${ref.namespace}/${ref.name} is gone (deletionPolicy Delete)`,
    },
  ];
}

export function planCsiSnapshots(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  return [
    ...planEach(snap.volumeSnapshots.values(), "volumesnapshots", vs => planVolumeSnapshot(vs, snap, elapsed, cfg)),
    ...planEach(snap.volumeSnapshotContents.values(), "volumesnapshotcontents", content => planVolumeSnapshotContent(content, snap)),
  ];
}
