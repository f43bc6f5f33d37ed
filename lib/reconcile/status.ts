// Status step: derive, compare, and write only when something differs; announce phase changes as Events.
// While a Wukong converges (Pending, Creating) every child event changes some detail (an import's progress, a
// claim bound, the VM's scheduling step): that detail is written at most once per refresh interval, so
// converging costs about two status writes (Creating, then Running) instead of one per child event. A new
// phase, a new error, a new generation, and any change once settled are written at once.
import { statusNeedsWrite } from "../status/changed";
import { deriveStatus } from "../status/derive";
import type { WukongStatus } from "../../schemas/status";
import type { ReconcileContext } from "./context";

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

export async function reconcileStatus(ctx: ReconcileContext, now: string, pacing: StatusPacing): Promise<StatusOutcome> {
  const { wukong, port } = ctx;
  const key = `${ctx.namespace}/${ctx.name}`;
  const next = deriveStatus(wukong, ctx.observed, now);
  const current = wukong.status;
  if (!statusNeedsWrite(current, next)) return { status: next };
  const sinceLast = pacing.nowMs - (pacing.lastWrite.get(key) ?? -Infinity);
  if (!isUrgent(current, next) && sinceLast < pacing.refreshMs) return { status: next, deferredMs: pacing.refreshMs - sinceLast };
  await port.patchStatus(ctx.namespace, ctx.name, { ...clearedFields(current, next), ...next });
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

/** A merge patch keeps what it does not mention: fields that went away (nodeName of a stopped VM) are nulled. */
function clearedFields(current: WukongStatus | undefined, next: WukongStatus): Record<string, null> {
  const gone = Object.keys(current ?? {}).filter(key => !(key in next) || next[key as keyof WukongStatus] === undefined);
  return Object.fromEntries(gone.map(key => [key, null]));
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
