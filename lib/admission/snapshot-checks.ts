// Admission checks about snapshots that need the cluster: a WukongSnapshot must name an existing Wukong, and a
// Wukong may only be restored from a ready snapshot of itself, or of another Wukong with the same disks.
import { disksMismatch } from "../children/snapshot";
import type { Problem } from "../../schemas/problems";
import type { WukongSpec } from "../../schemas/spec";
import type { Wukong } from "../../schemas/wukong";
import type { WukongSnapshot, WukongSnapshotSpec } from "../../schemas/wukongsnapshot";

export interface SnapshotLookup {
  wukongSnapshot(namespace: string, name: string): Promise<WukongSnapshot | undefined>;
  wukong(namespace: string, name: string): Promise<Wukong | undefined>;
}

export interface RestoreCheckInput {
  namespace: string;
  name: string;
  spec: WukongSpec;
  oldSpec?: WukongSpec;
}

/** Checked when spec.restoreFromSnapshot is set or changed; an admitted value is not judged again. */
export async function restoreProblems({ namespace, name, spec, oldSpec }: RestoreCheckInput, lookup: SnapshotLookup): Promise<Problem[]> {
  const target = spec.restoreFromSnapshot;
  if (!target || target === oldSpec?.restoreFromSnapshot) return [];
  const path = "spec.restoreFromSnapshot";
  const snapshot = await lookup.wukongSnapshot(namespace, target);
  if (!snapshot) return [{ path, message: `WukongSnapshot "${target}" does not exist in namespace ${namespace}` }];
  const phase = snapshot.status?.phase ?? "Pending";
  if (phase === "Failed") return [{ path, message: `WukongSnapshot "${target}" failed (${snapshot.status?.error ?? "no reason given"}): take a new snapshot` }];
  if (phase !== "Succeeded") return [{ path, message: `WukongSnapshot "${target}" is not ready to restore from (phase ${phase}): wait for phase Succeeded` }];
  const mismatch = disksMismatch(
    name,
    (spec.disks ?? []).map(disk => disk.name),
    snapshot,
  );
  return mismatch ? [{ path, message: mismatch.message }] : [];
}

/** On creation only: the spec is immutable after. */
export async function snapshotTargetProblems(namespace: string, spec: WukongSnapshotSpec, lookup: SnapshotLookup): Promise<Problem[]> {
  const wukong = await lookup.wukong(namespace, spec.wukongName);
  if (!wukong) return [{ path: "spec.wukongName", message: `Wukong "${spec.wukongName}" does not exist in namespace ${namespace}` }];
  if (wukong.metadata?.deletionTimestamp) return [{ path: "spec.wukongName", message: `Wukong "${spec.wukongName}" is being deleted` }];
  return [];
}
