// One reconcile of one WukongSnapshot: its own metadata (the Wukong label that lists it under its Wukong, and
// the opt-in ownerReference that deletes it with the Wukong), then its VirtualMachineSnapshot, then status.
// Deleting the WukongSnapshot needs no finalizer: the VirtualMachineSnapshot carries its ownerReference and the
// garbage collector removes it (and KubeVirt the content and its VolumeSnapshots: deletionPolicy Delete).
import { API, API_VERSION, LABELS } from "../../schemas/wukong";
import { DELETE_WITH_WUKONG_ANNOTATION, SNAPSHOT_API, type WukongSnapshot, type WukongSnapshotStatus } from "../../schemas/wukongsnapshot";
import { virtualMachineSnapshot, virtualMachineSnapshotName } from "../children/snapshot";
import { apiFailure, isTransient } from "../cluster/api-errors";
import { snapshotGap } from "../cluster/features";
import { isControlledBy, type LiveObject } from "../cluster/live";
import { deriveSnapshotStatus, excludedMessage, type SnapshotObservation, type ObservedVirtualMachineSnapshot } from "../status/snapshot";
import type { ClusterPort, JsonPatch } from "./port";
import { nowRfc3339 } from "./reconciler";
import { statusPatchHelper } from "./status-patch";
import type { RunOutcome } from "./work-queue";

type LiveSnapshot = WukongSnapshot & LiveObject & { metadata: LiveObject["metadata"] & { namespace: string; uid: string } };

export interface SnapshotReconcilerOptions {
  /** How soon to look again while the Wukong is missing (no watch event announces a Wukong in another queue). */
  waitingMs: number;
  /** RFC 3339 with second precision, for condition transition times. */
  now?: () => string;
}

export function snapshotReconciler(port: ClusterPort, { waitingMs, now = nowRfc3339 }: SnapshotReconcilerOptions = { waitingMs: 15_000 }) {
  return async function reconcileSnapshot(key: string): Promise<RunOutcome> {
    const [namespace, name] = key.split("/");
    const snapshot = port.get("WukongSnapshot", namespace, name) as LiveSnapshot | undefined;
    if (!snapshot?.spec || snapshot.metadata.deletionTimestamp) return;
    const statusPatch = statusPatchHelper<WukongSnapshotStatus>(port, "WukongSnapshot", snapshot);
    const wukongName = snapshot.spec.wukongName;
    const wukong = port.get("Wukong", namespace, wukongName);
    await ensureMetadata(port, snapshot, wukong);

    const observation = await observe(port, snapshot, wukong);
    const next = deriveSnapshotStatus({ ...observation, previousConditions: snapshot.status?.conditions, now: now() });
    await statusPatch.patch(next);
    await warnOfExcludedDisks(port, snapshot, next);
    if (next.phase === "Pending") return { requeueAfterMs: waitingMs };
  };
}

/** Once per new set of left-out disks: a Warning Event on the WukongSnapshot (the condition says it too). */
async function warnOfExcludedDisks(port: ClusterPort, snapshot: LiveSnapshot, next: WukongSnapshotStatus): Promise<void> {
  const excluded = next.excludedDisks ?? [];
  if (excluded.length === 0 || excluded.join() === (snapshot.status?.excludedDisks ?? []).join()) return;
  const involved = { ...snapshot, apiVersion: `${SNAPSHOT_API.group}/${SNAPSHOT_API.version}`, kind: SNAPSHOT_API.kind };
  await port.event(involved, "Warning", "DisksExcluded", excludedMessage(excluded));
}

type Observed = Omit<SnapshotObservation, "now" | "previousConditions">;

async function observe(port: ClusterPort, snapshot: LiveSnapshot, wukong: LiveObject | undefined): Promise<Observed> {
  const { namespace, name, uid, generation } = snapshot.metadata;
  const wukongName = snapshot.spec!.wukongName;
  const previous: WukongSnapshotStatus = snapshot.status ?? {};
  const common = { generation, disks: previous.disks ?? diskNames(wukong) };
  const live = port.get("VirtualMachineSnapshot", namespace, virtualMachineSnapshotName(name));
  if (live && !isControlledBy(live, uid)) {
    return {
      ...common,
      problem: { final: true, message: `VirtualMachineSnapshot ${live.metadata.name} already exists and does not belong to this WukongSnapshot` },
    };
  }
  if (live) return { ...common, vmSnapshot: live as ObservedVirtualMachineSnapshot };
  // A snapshot is taken once: one that was made and is gone is not silently retaken at another time.
  if (previous.snapshotName) return { ...common, problem: { final: true, message: `VirtualMachineSnapshot ${previous.snapshotName} was deleted` } };
  if (!wukong || wukong.metadata.deletionTimestamp) {
    return { ...common, problem: { final: false, message: `Wukong ${wukongName} does not exist${wukong ? " any more (being deleted)" : ""}` } };
  }
  // Without the snapshot API KubeVirt cannot take it, and with the gate off it refuses it: wait, saying why.
  const gap = snapshotGap(port.features(), "spec.wukongName");
  if (gap) return { ...common, problem: { final: false, message: gap.message } };
  try {
    const made = await port.apply("VirtualMachineSnapshot", virtualMachineSnapshot({ name, namespace, uid }, wukongName));
    return { ...common, vmSnapshot: made as ObservedVirtualMachineSnapshot };
  } catch (error) {
    if (isTransient(error)) throw error; // the queue retries with backoff
    return { ...common, problem: { final: true, message: `KubeVirt refused the VirtualMachineSnapshot: ${apiFailure(error).message}` } };
  }
}

const diskNames = (wukong: LiveObject | undefined): string[] | undefined =>
  (wukong?.spec as { disks?: { name: string }[] } | undefined)?.disks?.map(disk => disk.name);

/** The Wukong label (so the Wukong lists it) and, when asked for by annotation, an ownerReference to the Wukong. */
async function ensureMetadata(port: ClusterPort, snapshot: LiveSnapshot, wukong: LiveObject | undefined): Promise<void> {
  const { namespace, name, labels = {}, annotations = {}, resourceVersion } = snapshot.metadata;
  const wukongName = snapshot.spec!.wukongName;
  const references = snapshot.metadata.ownerReferences ?? [];
  const nextReferences = wukongReferences(references, annotations[DELETE_WITH_WUKONG_ANNOTATION] === "true", wukongName, wukong);
  const labelRight = labels[LABELS.wukong] === wukongName;
  if (labelRight && nextReferences === references) return;
  const patch: JsonPatch = [{ op: "test", path: "/metadata/resourceVersion", value: resourceVersion }];
  if (!labelRight) patch.push({ op: "add", path: "/metadata/labels", value: { ...labels, [LABELS.wukong]: wukongName } });
  if (nextReferences !== references) patch.push({ op: "add", path: "/metadata/ownerReferences", value: nextReferences });
  await port.patch("WukongSnapshot", namespace, name, patch);
}

type Reference = NonNullable<LiveObject["metadata"]["ownerReferences"]>[number] & {
  apiVersion?: string;
  kind?: string;
  name?: string;
  blockOwnerDeletion?: boolean;
};

/** The ownerReferences the snapshot should carry, or `references` itself when they are right as they are. */
function wukongReferences(references: Reference[], optedIn: boolean, wukongName: string, wukong: LiveObject | undefined): Reference[] {
  // While the Wukong goes away its references must stay: they are what deletes the opted-in snapshot with it.
  if (wukong?.metadata.deletionTimestamp) return references;
  const others = references.filter(ref => ref.kind !== API.kind);
  const toWukong = references.filter(ref => ref.kind === API.kind);
  if (!optedIn) return toWukong.length === 0 ? references : others;
  const uid = wukong?.metadata.uid;
  if (!uid || (toWukong.length === 1 && toWukong[0].uid === uid)) return references;
  return [...others, { apiVersion: API_VERSION, kind: API.kind, name: wukongName, uid, blockOwnerDeletion: false }];
}
