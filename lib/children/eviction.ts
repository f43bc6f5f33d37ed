// The VM's eviction strategy: the spec's, or the one its disks allow. virt-handler reports a VMI LiveMigratable
// only when every PVC is ReadWriteMany (kubevirt v1.7.4 pkg/virt-handler/vm.go, checkVolumesForMigration), and
// virt-api then refuses to evict a LiveMigrate VMI that is not (pod-eviction-admitter.go, admitLauncherPod): a
// ReadWriteOnce disk under LiveMigrate would block every drain of its node.
import type { EvictionStrategy, WukongSpec } from "../../schemas/spec";

export interface Eviction {
  strategy: EvictionStrategy;
  /** Why: the spec says so, or what the disks allow. */
  reason: "SetInSpec" | "EveryDiskShared" | "DiskNotShared";
  /** The disks that are not ReadWriteMany. */
  unshared: string[];
}

export function evictionOf(spec: Pick<WukongSpec, "evictionStrategy" | "disks">): Eviction {
  const unshared = (spec.disks ?? []).filter(disk => disk.accessMode !== "ReadWriteMany").map(disk => disk.name);
  if (spec.evictionStrategy) return { strategy: spec.evictionStrategy, reason: "SetInSpec", unshared };
  return unshared.length === 0 ? { strategy: "LiveMigrate", reason: "EveryDiskShared", unshared } : { strategy: "None", reason: "DiskNotShared", unshared };
}
