// NAD step: one generated NAD per network without nadName; the user's NADs are only looked at.
import { isControlledBy } from "../cluster/live";
import type { ReconcileContext } from "../reconcile/context";
import { deleteChild, ensureChild } from "../reconcile/writes";

const KIND = "NetworkAttachmentDefinition";

export async function reconcileNads(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, uid, desired, observed } = ctx;
  const live = new Map(
    port
      .list(KIND, namespace, name)
      .filter(nad => isControlledBy(nad, uid))
      .map(nad => [nad.metadata.name, nad]),
  );
  const wanted = new Set(desired.networkAttachmentDefinitions.map(nad => nad.metadata.name));

  // NADs do not depend on each other: one round trip for all of them.
  const generated = await Promise.all(desired.networkAttachmentDefinitions.map(nad => ensureChild(ctx, KIND, nad, live.get(nad.metadata.name))));
  desired.networkAttachmentDefinitions.forEach((nad, i) => observed.nads.push({ name: nad.metadata.name, exists: generated[i] !== undefined }));
  await Promise.all([...live].filter(([staleName]) => !wanted.has(staleName)).map(([, stale]) => deleteChild(ctx, KIND, stale)));
  const userNads = (ctx.wukong.spec?.networks ?? []).flatMap(network => (network.nadName ? [network.nadName] : []));
  const found = await Promise.all(userNads.map(nadName => port.exists(KIND, namespace, nadName)));
  userNads.forEach((nadName, i) => observed.nads.push({ name: nadName, exists: found[i] }));
}

/** Deletion: our NADs go first (they carry no data); returns how many were still there. */
export async function deleteGeneratedNads(ctx: Pick<ReconcileContext, "port" | "namespace" | "name" | "uid">): Promise<number> {
  const { port, namespace, name, uid } = ctx;
  const owned = port.list(KIND, namespace, name).filter(nad => isControlledBy(nad, uid));
  for (const nad of owned) await port.delete(KIND, namespace, nad.metadata.name, nad.metadata.uid ?? "");
  return owned.length;
}
