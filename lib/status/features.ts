// The ClusterFeatures condition: present only on a Wukong that uses an optional feature (snapshots, a grown disk,
// GPUs, SR-IOV); False naming every missing API, feature gate or device resource and how to get it.
import type { FeatureGap } from "../cluster/features";
import type { ConditionState } from "./conditions";

export const CLUSTER_FEATURES_CONDITION = "ClusterFeatures";

export function clusterFeaturesCondition(gaps: readonly FeatureGap[]): ConditionState {
  if (gaps.length === 0)
    return { type: CLUSTER_FEATURES_CONDITION, status: "True", reason: "FeaturesAvailable", message: "The cluster offers every feature this Wukong uses." };
  return { type: CLUSTER_FEATURES_CONDITION, status: "False", reason: gaps[0].reason, message: gaps.map(gap => `${gap.path}: ${gap.message}`).join("; ") };
}
