// Networks step: one generated NAD per network without nadName; the user's NADs are only looked at.
import { isControlledBy } from "../cluster/live";
import type { ReconcileContext } from "./context";
import { deleteChild, ensureChild } from "./writes";

const KIND = "NetworkAttachmentDefinition";

export async function reconcileNetworks(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, uid, desired, observed } = ctx;
  const live = new Map(
    port
      .list(KIND, namespace, name)
      .filter(nad => isControlledBy(nad, uid))
      .map(nad => [nad.metadata.name, nad]),
  );
  const wanted = new Set(desired.networkAttachmentDefinitions.map(nad => nad.metadata.name));

  for (const nad of desired.networkAttachmentDefinitions) {
    const now = await ensureChild(ctx, KIND, nad, live.get(nad.metadata.name));
    observed.nads.push({ name: nad.metadata.name, exists: now !== undefined });
  }
  for (const [staleName, stale] of live) {
    if (!wanted.has(staleName)) await deleteChild(ctx, KIND, stale);
  }
  for (const network of ctx.wukong.spec?.networks ?? []) {
    if (!network.nadName) continue;
    observed.nads.push({ name: network.nadName, exists: await port.exists(KIND, namespace, network.nadName) });
  }
}

/** Deletion: our NADs go first (they carry no data); returns how many were still there. */
export async function deleteGeneratedNetworks(ctx: Pick<ReconcileContext, "port" | "namespace" | "name" | "uid">): Promise<number> {
  const { port, namespace, name, uid } = ctx;
  const owned = port.list(KIND, namespace, name).filter(nad => isControlledBy(nad, uid));
  for (const nad of owned) await port.delete(KIND, namespace, nad.metadata.name, nad.metadata.uid ?? "");
  return owned.length;
}
