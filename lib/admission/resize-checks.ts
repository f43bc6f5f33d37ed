// Admission warnings for a cpu or memory change the cluster's KubeVirt will not apply live
// (lib/cluster/live-update.ts): admitted all the same, since a restart applies it.
import { bytesOf } from "../../schemas/quantity";
import type { WukongSpec } from "../../schemas/spec";
import type { ClusterFeatures } from "../cluster/features";

export function resizeWarnings(spec: WukongSpec, oldSpec: WukongSpec | undefined, features: ClusterFeatures): string[] {
  const liveUpdate = features.liveUpdate;
  if (!oldSpec || !liveUpdate) return [];
  const changed = [...(spec.cpu !== oldSpec.cpu ? ["spec.cpu"] : []), ...(bytesOf(spec.memory) !== bytesOf(oldSpec.memory) ? ["spec.memory"] : [])];
  if (changed.length === 0) return [];
  if (liveUpdate.rolloutStrategy === "Stage") {
    return changed.map(path => `${path}: the cluster's KubeVirt vmRolloutStrategy is Stage: a running VM gets this change only when it restarts`);
  }
  if (!liveUpdate.liveMigrateUpdates) {
    return changed.map(
      path =>
        `${path}: KubeVirt completes a hot-plug by live-migrating the VM, and the KubeVirt CR's spec.workloadUpdateStrategy.workloadUpdateMethods has no LiveMigrate: a running VM gets this change only when it restarts`,
    );
  }
  // KubeVirt v1.7.4 hot-plugs only into a migratable VMI (pkg/virt-controller/watch/vm/vm.go: "Memory-hotplug is only
  // available for migratable VMs"), and virt-handler finds a VMI migratable only when every claim is ReadWriteMany.
  const unshared = (spec.disks ?? []).filter(disk => (disk.accessMode ?? "ReadWriteOnce") !== "ReadWriteMany").map(disk => disk.name);
  if (unshared.length > 0) {
    const which = unshared.length === 1 ? `disk ${unshared[0]} is` : `disks ${unshared.join(", ")} are`;
    return changed.map(
      path =>
        `${path}: KubeVirt hot-plugs only into a VM it can live-migrate, and ${which} not ReadWriteMany: a running VM gets this change only when it restarts`,
    );
  }
  return [];
}
