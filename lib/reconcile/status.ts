// Status step: derive, compare, and write only when something differs; announce phase changes as Events.
// While a Wukong converges (Pending, Creating) every child event changes some detail (an import's progress, a
// claim bound, the VM's scheduling step): that detail is written at most once per refresh interval, so
// converging costs about two status writes (Creating, then Running) instead of one per child event. A new
// phase, a new error, a new generation, and any change once settled are written at once. The write carries
// only what changed since the reconcile started (./status-patch.ts).
import { deriveStatus } from "../status/derive";
import type { WukongStatus } from "../../schemas/status";
import type { ReconcileContext } from "./context";
import type { StatusPatchHelper } from "./status-patch";

export interface StatusPacing {
  /** When this Wukong's status was last written (ms), if this process wrote it. */
  lastWrite: Map<string, number>;
  refreshMs: number;
  nowMs: number;
}

export interface StatusOutcome {
  status: WukongStatus;
  /** Detail is waiting to be written: reconcile again after this long. */
  deferredMs?: number;
}

export async function reconcileStatus(
  ctx: ReconcileContext,
  statusPatch: StatusPatchHelper<WukongStatus>,
  now: string,
  pacing: StatusPacing,
): Promise<StatusOutcome> {
  const key = `${ctx.namespace}/${ctx.name}`;
  const next = deriveStatus(ctx.wukong, ctx.observed, now);
  const current = statusPatch.before;
  if (Object.keys(statusPatch.changes(next)).length === 0) return { status: next };
  const sinceLast = pacing.nowMs - (pacing.lastWrite.get(key) ?? -Infinity);
  if (!isUrgent(current, next) && sinceLast < pacing.refreshMs) return { status: next, deferredMs: pacing.refreshMs - sinceLast };
  await statusPatch.patch(next);
  pacing.lastWrite.set(key, pacing.nowMs);
  await announcePhase(ctx, current, next);
  return { status: next };
}

const CONVERGING = new Set(["Pending", "Creating"]);

function isUrgent(current: WukongStatus | undefined, next: WukongStatus): boolean {
  return (
    !CONVERGING.has(next.phase ?? "") ||
    current?.phase !== next.phase ||
    current?.observedGeneration !== next.observedGeneration ||
    (next.phase === "Error" && current?.message !== next.message)
  );
}

async function announcePhase(ctx: ReconcileContext, before: WukongStatus | undefined, after: WukongStatus): Promise<void> {
  if (before?.phase === after.phase && (after.phase !== "Error" || before?.message === after.message)) return;
  const message = after.message ?? "";
  if (after.phase === "Error") {
    const reason = after.conditions?.find(c => c.status === "False" && c.reason)?.reason ?? "Error";
    await ctx.port.event(ctx.wukong, "Warning", reason, message);
  } else if (before?.phase === "Error") {
    await ctx.port.event(ctx.wukong, "Normal", "Recovered", `Recovered: ${message}`);
  } else if (after.phase === "Running" || after.phase === "Stopped") {
    await ctx.port.event(ctx.wukong, "Normal", after.phase, message);
  }
}
