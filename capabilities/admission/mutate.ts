// Mutating admission: fills defaults into the stored Wukong, visibly. Never throws: a spec too broken
// to default is left as it is for validation to deny with field paths.
import { Log, type PeprMutateRequest } from "pepr";
import { withDefaults } from "../../lib/defaults";
import { WukongSpec } from "../../schemas/spec";
import { FINALIZER } from "../../schemas/wukong";
import type { WukongResource } from "../kinds";

export async function defaultWukong(request: PeprMutateRequest<WukongResource>): Promise<void> {
  try {
    const parsed = WukongSpec.safeParse(request.Raw.spec);
    if (!parsed.success) return;
    addFinalizer(request.Raw);
    const old = WukongSpec.safeParse((request.OldResource as WukongResource | undefined)?.spec);
    request.Raw.spec = withDefaults({
      namespace: request.Request.namespace ?? request.Raw.metadata?.namespace ?? "default",
      name: nameForMacs(request),
      spec: parsed.data,
      oldSpec: old.success ? old.data : undefined,
    });
  } catch (error) {
    Log.error({ name: request.Request.name, error: String(error) }, "defaulting failed; leaving the spec unchanged");
  }
}

// With metadata.generateName the apiserver names the object only after mutating admission, so every such
// Wukong would hash to the same MACs: use the request's uid instead (the MACs are stored and inherited after).
function nameForMacs(request: PeprMutateRequest<WukongResource>): string {
  const name = request.Raw.metadata?.name || request.Request.name;
  return name || `${request.Raw.metadata?.generateName ?? ""}${request.Request.uid}`;
}

/** The finalizer comes with the object, so no child can exist without it and the operator saves a write. */
function addFinalizer(wukong: WukongResource): void {
  const metadata = (wukong.metadata ??= {});
  if (metadata.deletionTimestamp || metadata.finalizers?.includes(FINALIZER)) return;
  metadata.finalizers = [...(metadata.finalizers ?? []), FINALIZER];
}
