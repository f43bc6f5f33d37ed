// After the steps: what this Wukong uses that the cluster lacks (the snapshot API or its feature gate, ExpandDisks
// for a grown disk, a device plugin's resource), for the ClusterFeatures condition.
import { diskClaimName } from "../../schemas/child-names";
import { EXPAND_DISKS_GATE, wukongFeatureGaps } from "../cluster/features";
import { findCondition } from "../status/verdict";
import { CLUSTER_FEATURES_CONDITION } from "../status/features";
import type { ReconcileContext } from "./context";

export function observeClusterFeatures(ctx: ReconcileContext): void {
  const spec = ctx.wukong.spec;
  if (!spec) return;
  const { liveUpdate } = ctx.port.features();
  if (liveUpdate) ctx.observed.liveUpdate = liveUpdate;
  const disks = (spec.disks ?? []).map(disk => disk.name);
  const resized = new Set(ctx.changes.filter(change => change.verb === "Resized").map(change => change.name));
  const grownNow = disks.filter(disk => resized.has(diskClaimName(ctx.name, disk)));
  // A grown disk stays unseen by the guest until the gate is enabled: remembered from the previous condition.
  const grownBefore = grownDisksIn(findCondition(ctx.wukong.status?.conditions, CLUSTER_FEATURES_CONDITION)).filter(disk => disks.includes(disk));
  const grownDisks = [...new Set([...grownBefore, ...grownNow])];
  const gaps = wukongFeatureGaps(spec, ctx.port.features(), { snapshots: (ctx.observed.snapshots?.length ?? 0) > 0, grownDisks });
  ctx.observed.clusterFeatures = gaps && { gaps };
}

/** The disks an ExpandDisks gap named ("disk a grew" / "disks a, b grew"). */
function grownDisksIn(condition: { message?: string } | undefined): string[] {
  if (!condition?.message?.includes(`${EXPAND_DISKS_GATE} feature gate`)) return [];
  const named = /\bdisks? ([a-z0-9-]+(?:, [a-z0-9-]+)*) grew\b/.exec(condition.message);
  return named ? named[1].split(", ") : [];
}
