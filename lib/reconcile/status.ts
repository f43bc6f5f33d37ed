// Status step: derive, compare, and write only when something differs; announce phase changes as Events.
import { statusNeedsWrite } from "../status/changed";
import { deriveStatus } from "../status/derive";
import type { WukongStatus } from "../../schemas/status";
import type { ReconcileContext } from "./context";

export async function reconcileStatus(ctx: ReconcileContext, now: string): Promise<WukongStatus> {
  const { wukong, port } = ctx;
  const next = deriveStatus(wukong, ctx.observed, now);
  const current = wukong.status;
  if (!statusNeedsWrite(current, next)) return next;
  await port.patchStatus(ctx.namespace, ctx.name, { ...clearedFields(current, next), ...next });
  await announcePhase(ctx, current, next);
  return next;
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
