// After the steps: what this Wukong uses that the cluster lacks (the snapshot API or its feature gate, ExpandDisks
// for a grown disk, DeclarativeHotplugVolumes for a disk waiting to be hot-plugged, a device plugin's resource), for
// the ClusterFeatures condition.
import { diskClaimName, virtualMachineName } from "../../schemas/child-names";
import { hotplugContext, pendingHotplugDisks } from "../children/hotplug";
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
  const vmName = virtualMachineName(ctx.name);
  const hotplug = hotplugContext(ctx.port.get("VirtualMachine", ctx.namespace, vmName), ctx.port.get("VirtualMachineInstance", ctx.namespace, vmName));
  const gaps = wukongFeatureGaps(spec, ctx.port.features(), {
    snapshots: (ctx.observed.snapshots?.length ?? 0) > 0,
    grownDisks,
    hotplugDisks: pendingHotplugDisks(spec, hotplug),
  });
  ctx.observed.clusterFeatures = gaps && { gaps };
}

/** The disks an ExpandDisks gap named ("disk a grew" / "disks a, b grew"). */
function grownDisksIn(condition: { message?: string } | undefined): string[] {
  if (!condition?.message?.includes(`${EXPAND_DISKS_GATE} feature gate`)) return [];
  const named = /\bdisks? ([a-z0-9-]+(?:, [a-z0-9-]+)*) grew\b/.exec(condition.message);
  return named ? named[1].split(", ") : [];
}
