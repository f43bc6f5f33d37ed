// Networks step: one generated NAD per network without nadName; the user's NADs are only looked at.
import { attachedNadName } from "../../lib/children";
import { NetworkAttachmentDefinition } from "../kinds";
import type { ReconcileContext } from "../lifecycle/context";
import { applyIfChanged, deleteIfPresent, getOrUndefined, ownedChildren } from "../runtime/children";
import { recordingFailure } from "../runtime/failures";

const KIND = "NetworkAttachmentDefinition";

export async function reconcileNetworks(ctx: ReconcileContext): Promise<void> {
  const { namespace, name, uid, desired, observed } = ctx;
  const live = await ownedChildren(NetworkAttachmentDefinition, namespace, name, uid);
  const wanted = new Set(desired.networkAttachmentDefinitions.map(nad => nad.metadata.name));

  for (const nad of desired.networkAttachmentDefinitions) {
    const nadName = nad.metadata.name;
    const result = await recordingFailure(observed.childErrors, KIND, nadName, () => applyIfChanged(NetworkAttachmentDefinition, nad, live.get(nadName)));
    if (result === "created") await ctx.events.record(ctx.wukong, "Normal", "Created", `Created NetworkAttachmentDefinition ${nadName}`);
    observed.nads.push({ name: nadName, exists: result !== undefined });
  }
  for (const staleName of live.keys()) {
    if (!wanted.has(staleName)) await deleteIfPresent(NetworkAttachmentDefinition, namespace, staleName);
  }
  for (const network of ctx.wukong.spec?.networks ?? []) {
    if (!network.nadName) continue;
    const userNad = await getOrUndefined(NetworkAttachmentDefinition, namespace, attachedNadName(name, network));
    observed.nads.push({ name: network.nadName, exists: userNad !== undefined });
  }
}

/** Deletion: our NADs go first (they carry no data); returns how many still exist. */
export async function deleteGeneratedNetworks(namespace: string, name: string, uid: string): Promise<number> {
  const live = await ownedChildren(NetworkAttachmentDefinition, namespace, name, uid);
  for (const nadName of live.keys()) await deleteIfPresent(NetworkAttachmentDefinition, namespace, nadName);
  return live.size;
}
