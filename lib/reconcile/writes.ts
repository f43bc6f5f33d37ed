// The one way a step writes a child: skip when the live object already holds what we want, otherwise
// write; a final refusal from the API server becomes a child error in status, a transient failure
// stops the reconcile (status is still written, then the queue retries with backoff).
import type { KubernetesObject } from "../children/kubernetes-object";
import { apiFailure, isTransient } from "../cluster/api-errors";
import { type ChildKind, writeOrder } from "../cluster/kinds";
import type { LiveObject } from "../cluster/live";
import { containsDesired } from "../subset";
import type { Change, ReconcileContext } from "./context";

/** A transient failure of one child write, carrying which child it was for status. */
export class ChildWriteError extends Error {
  constructor(
    readonly kind: ChildKind,
    readonly childName: string,
    readonly cause: unknown,
  ) {
    super(`${kind} ${childName}: ${apiFailure(cause).message}`);
  }
}

/** Runs one write; returns its result, or undefined when the API server refused it for good. */
export async function attempt<T>(ctx: ReconcileContext, kind: ChildKind, name: string, write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isTransient(error)) throw new ChildWriteError(kind, name, error);
    const failure = apiFailure(error);
    ctx.observed.childErrors.push({ kind, name, reason: failure.reason, message: failure.message });
    return undefined;
  }
}

/** Applies `desired` unless `live` already holds all of it; returns what now exists (live if the write failed). */
export async function ensureChild(
  ctx: ReconcileContext,
  kind: ChildKind,
  desired: KubernetesObject,
  live: LiveObject | undefined,
): Promise<LiveObject | undefined> {
  if (live && containsDesired(live, desired)) return live;
  const name = desired.metadata.name;
  const written = await attempt(ctx, kind, name, () => ctx.port.apply(kind, desired));
  if (!written) return live;
  ctx.changes.push({ verb: live ? "Updated" : "Created", kind, name });
  return written;
}

/**
 * Deletes a child this Wukong controls (by uid, so a same-named successor is never touched). The change is recorded
 * as `Deleted` unless `as` says what the deletion means (a restart).
 */
export async function deleteChild(
  ctx: ReconcileContext,
  kind: ChildKind,
  child: LiveObject,
  as: Pick<Change, "verb" | "detail"> = { verb: "Deleted" },
): Promise<void> {
  const { name, uid = "" } = child.metadata;
  const done = await attempt(ctx, kind, name, async () => {
    await ctx.port.delete(kind, ctx.namespace, name, uid);
    return true;
  });
  if (done) ctx.changes.push({ ...as, kind, name });
}

// Writes within a step run side by side; Events list them in the order children depend on each other (the kinds table's).
/** One Event per verb, e.g. "Created NetworkAttachmentDefinition web-mgmt, DataVolume web-system". */
export async function announceChanges(ctx: ReconcileContext): Promise<void> {
  const ordered = [...ctx.changes].sort((a, b) => writeOrder(a.kind) - writeOrder(b.kind) || a.name.localeCompare(b.name));
  const byVerb = new Map<Change["verb"], Change[]>();
  for (const change of ordered) byVerb.set(change.verb, [...(byVerb.get(change.verb) ?? []), change]);
  for (const [verb, changes] of byVerb) {
    const items = changes.map(change => `${change.kind} ${change.name}${change.detail ? ` (${change.detail})` : ""}`);
    await ctx.port.event(ctx.wukong, "Normal", verb, `${verb} ${items.join(", ")}`);
  }
}
