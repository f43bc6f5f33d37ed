// Our finalizer: added before the first child exists, removed only once our NADs are gone.
import { K8s } from "pepr";
import { FINALIZER } from "../../schemas/wukong";
import { WukongResource } from "../kinds";

export function hasFinalizer(wukong: WukongResource): boolean {
  return wukong.metadata?.finalizers?.includes(FINALIZER) ?? false;
}

export async function addFinalizer(wukong: WukongResource): Promise<void> {
  const { name, namespace, finalizers } = wukong.metadata ?? {};
  // The test op makes the patch fail (409-like, retried) if someone changed the list meanwhile.
  const ops = finalizers
    ? [
        { op: "test" as const, path: "/metadata/finalizers", value: finalizers },
        { op: "add" as const, path: "/metadata/finalizers/-", value: FINALIZER },
      ]
    : [{ op: "add" as const, path: "/metadata/finalizers", value: [FINALIZER] }];
  await K8s(WukongResource, { name, namespace }).Patch(ops);
}

export async function removeFinalizer(wukong: WukongResource): Promise<void> {
  const { name, namespace, finalizers = [] } = wukong.metadata ?? {};
  const index = finalizers.indexOf(FINALIZER);
  if (index < 0) return;
  await K8s(WukongResource, { name, namespace }).Patch([
    { op: "test", path: `/metadata/finalizers/${index}`, value: FINALIZER },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ]);
}
