// Status step: derive, compare, and write only when something differs; announce phase changes as Events.
import { K8s } from "pepr";
import { deriveStatus } from "../../lib/status/derive";
import { statusNeedsWrite } from "../../lib/status/changed";
import type { WukongStatus } from "../../schemas/status";
import { WukongResource } from "../kinds";
import type { ReconcileContext } from "./context";

/** Kubernetes timestamps have second precision; so must ours, or every derive would differ. */
const nowRfc3339 = () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z");

export async function reconcileStatus(ctx: ReconcileContext): Promise<WukongStatus> {
  const { wukong } = ctx;
  const next = deriveStatus(wukong, ctx.observed, nowRfc3339());
  const current = wukong.status;
  if (!statusNeedsWrite(current, next)) return next;
  await K8s(WukongResource).PatchStatus({
    apiVersion: wukong.apiVersion,
    kind: wukong.kind,
    metadata: { name: ctx.name, namespace: ctx.namespace },
    status: { ...clearedFields(current, next), ...next } as WukongStatus,
  });
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
    await ctx.events.record(ctx.wukong, "Warning", reason, message);
  } else if (before?.phase === "Error") {
    await ctx.events.record(ctx.wukong, "Normal", "Recovered", `Recovered: ${message}`);
  } else if (after.phase === "Running" || after.phase === "Stopped") {
    await ctx.events.record(ctx.wukong, "Normal", after.phase, message);
  }
}
