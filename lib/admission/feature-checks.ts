// Admission warnings for what a Wukong or WukongSnapshot asks of the cluster that it lacks (lib/cluster/features.ts):
// admitted all the same, since the cluster may gain it (the reconcilers report it in status until then).
import { bytesOf } from "../../schemas/quantity";
import type { WukongSpec } from "../../schemas/spec";
import { type ClusterFeatures, deviceGaps, expandDisksGap, type FeatureGap, hotplugGap, restoreGap, snapshotGap } from "../cluster/features";
import { resizeWarnings } from "./resize-checks";

export interface FeatureLookup {
  /** What the cluster offers; a part that could not be looked up is undefined (and warned about by nobody). */
  clusterFeatures(): Promise<ClusterFeatures>;
}

/** Only what this change asks for anew: a restore, disks that grow or are added to a Wukong (hot-plugged if it runs), devices added, a resize not applied live. */
export function wukongFeatureWarnings(spec: WukongSpec, oldSpec: WukongSpec | undefined, features: ClusterFeatures): string[] {
  const gaps: FeatureGap[] = [];
  if (spec.restoreFromSnapshot && spec.restoreFromSnapshot !== oldSpec?.restoreFromSnapshot) {
    const gap = restoreGap(features, "spec.restoreFromSnapshot");
    if (gap) gaps.push(gap);
  }
  const oldSizes = new Map((oldSpec?.disks ?? []).map(disk => [disk.name, bytesOf(disk.size) ?? 0n]));
  (spec.disks ?? []).forEach((disk, i) => {
    const before = oldSizes.get(disk.name);
    if (before === undefined && oldSpec) {
      const gap = hotplugGap(features, `spec.disks[${i}]`, [disk.name]);
      if (gap) gaps.push({ ...gap, message: `if the VM is running, ${gap.message}` });
      return;
    }
    if (before === undefined || (bytesOf(disk.size) ?? 0n) <= before) return;
    const gap = expandDisksGap(features, `spec.disks[${i}].size`, [disk.name]);
    if (gap) gaps.push(gap);
  });
  const oldGaps = new Set(oldSpec ? deviceGaps(oldSpec, features).map(gap => gap.message) : []);
  gaps.push(...deviceGaps(spec, features).filter(gap => !oldGaps.has(gap.message)));
  return [...gaps.map(gap => `${gap.path}: ${gap.message}`), ...resizeWarnings(spec, oldSpec, features)];
}

export function snapshotFeatureWarnings(features: ClusterFeatures): string[] {
  const gap = snapshotGap(features, "spec.wukongName");
  return gap ? [`${gap.message}; the WukongSnapshot stays Pending until then`] : [];
}
