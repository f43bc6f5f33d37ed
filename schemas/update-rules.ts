// What may change after creation: disks only grow, identity fields stay, and no disk disappears by accident.
// The networks' update rules are theirs (networks/rules.ts).
import { networkUpdateProblems } from "./networks/rules";
import { type Problem, shown } from "./problems";
import { bytesOf } from "./quantity";
import type { Disk, WukongSpec } from "./spec";
import { ALLOW_DISK_REMOVAL_ANNOTATION } from "./wukong";

const IMMUTABLE_DISK_FIELDS = ["storageClassName", "image", "boot"] as const satisfies readonly (keyof Disk)[];

/** Disk names the user agreed to remove, from the allow-disk-removal annotation. */
export function disksAllowedToGo(annotations: Record<string, string> | undefined): Set<string> {
  const value = annotations?.[ALLOW_DISK_REMOVAL_ANNOTATION] ?? "";
  return new Set(
    value
      .split(",")
      .map(name => name.trim())
      .filter(Boolean),
  );
}

export function updateProblems(oldSpec: WukongSpec, newSpec: WukongSpec, annotations?: Record<string, string>): Problem[] {
  return [...diskUpdateProblems(oldSpec, newSpec, annotations), ...networkUpdateProblems(oldSpec, newSpec)];
}

function diskUpdateProblems(oldSpec: WukongSpec, newSpec: WukongSpec, annotations?: Record<string, string>): Problem[] {
  const problems: Problem[] = [];
  const newDisks = newSpec.disks ?? [];
  const oldByName = new Map((oldSpec.disks ?? []).map(disk => [disk.name, disk]));
  newDisks.forEach((disk, i) => {
    const old = oldByName.get(disk.name);
    if (!old) return;
    const [before, after] = [bytesOf(old.size), bytesOf(disk.size)];
    if (before !== undefined && after !== undefined && after < before) {
      problems.push({ path: `spec.disks[${i}].size`, message: `cannot shrink from ${old.size} to ${disk.size}: disks may only grow` });
    }
    for (const field of IMMUTABLE_DISK_FIELDS) {
      if (old[field] !== disk[field]) problems.push({ path: `spec.disks[${i}].${field}`, message: `is immutable (was ${shown(old[field])})` });
    }
    // A claim's access modes cannot change once it exists; absent means ReadWriteOnce.
    if ((old.accessMode ?? "ReadWriteOnce") !== (disk.accessMode ?? "ReadWriteOnce"))
      problems.push({ path: `spec.disks[${i}].accessMode`, message: `is immutable (was ${old.accessMode ?? "ReadWriteOnce"})` });
  });
  const kept = new Set(newDisks.map(disk => disk.name));
  const allowed = disksAllowedToGo(annotations);
  for (const old of oldSpec.disks ?? []) {
    if (kept.has(old.name) || allowed.has(old.name)) continue;
    problems.push({
      path: "spec.disks",
      message: `removing disk "${old.name}" would delete its data: annotate the Wukong with ${ALLOW_DISK_REMOVAL_ANNOTATION}="${old.name}" first to confirm`,
    });
  }
  return problems;
}
