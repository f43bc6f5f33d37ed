// Builds status conditions the way controllers do: lastTransitionTime (and CDI's lastHeartbeatTime)
// move only when the condition actually changes, so an unchanged status compares equal and the
// simulator does not rewrite it every loop.

export interface Condition {
  type: string;
  status: "True" | "False" | "Unknown";
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastHeartbeatTime?: string;
  lastProbeTime?: string | null;
}

export type ConditionSpec = Pick<Condition, "type" | "status" | "reason" | "message">;

export function nowTimestamp(date = new Date()): string {
  // Kubernetes timestamps are RFC 3339 at second precision.
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * Returns the desired conditions, keeping timestamps from `current` where a condition is unchanged.
 * `heartbeat` adds lastHeartbeatTime (CDI style); `probeTime` adds KubeVirt's lastProbeTime.
 */
export function mergeConditions(
  current: unknown,
  desired: ConditionSpec[],
  opts: { heartbeat?: boolean; probeTime?: boolean; now?: string } = {},
): Condition[] {
  const now = opts.now ?? nowTimestamp();
  const existing = Array.isArray(current) ? (current as Condition[]) : [];
  return desired.map(spec => {
    const old = existing.find(c => c && c.type === spec.type);
    const out: Condition = { type: spec.type, status: spec.status };
    if (spec.reason) out.reason = spec.reason;
    if (spec.message) out.message = spec.message;
    const sameStatus = old?.status === spec.status;
    const unchanged = sameStatus && (old?.reason ?? "") === (spec.reason ?? "") && (old?.message ?? "") === (spec.message ?? "");
    out.lastTransitionTime = sameStatus && old?.lastTransitionTime ? old.lastTransitionTime : now;
    if (opts.heartbeat) out.lastHeartbeatTime = unchanged && old?.lastHeartbeatTime ? old.lastHeartbeatTime : now;
    // Not null: a merge patch drops a null, and virt-controller's JSON-patch `test` of /status/conditions
    // (kubevirt v1.7.4 pkg/virt-controller/watch/vmi/lifecycle.go, prepareVMIPatch) re-encodes the missing
    // metav1.Time as null, so the test never matches and virt-controller can never change a condition again.
    if (opts.probeTime) out.lastProbeTime = out.lastTransitionTime;
    return out;
  });
}

export function findCondition(conditions: unknown, type: string): Condition | undefined {
  return Array.isArray(conditions) ? (conditions as Condition[]).find(c => c && c.type === type) : undefined;
}
