// Our finalizer: present before the first child exists (admission adds it on create), removed only once our
// NADs are gone. The `test` operations make a patch fail (422), and the queue retry, if the list changed meanwhile.
import { FINALIZER } from "../../schemas/wukong";
import type { LiveObject } from "../cluster/live";
import type { ClusterPort } from "./port";

export function hasFinalizer(wukong: LiveObject): boolean {
  return wukong.metadata.finalizers?.includes(FINALIZER) ?? false;
}

export async function addFinalizer(port: ClusterPort, wukong: LiveObject): Promise<void> {
  const { name, namespace = "", finalizers } = wukong.metadata;
  const ops = finalizers
    ? [
        { op: "test" as const, path: "/metadata/finalizers", value: finalizers },
        { op: "add" as const, path: "/metadata/finalizers/-", value: FINALIZER },
      ]
    : [{ op: "add" as const, path: "/metadata/finalizers", value: [FINALIZER] }];
  await port.patch("Wukong", namespace, name, ops);
}

export async function removeFinalizer(port: ClusterPort, wukong: LiveObject): Promise<void> {
  const { name, namespace = "", finalizers = [] } = wukong.metadata;
  const index = finalizers.indexOf(FINALIZER);
  if (index < 0) return;
  await port.patch("Wukong", namespace, name, [
    { op: "test", path: `/metadata/finalizers/${index}`, value: FINALIZER },
    { op: "remove", path: `/metadata/finalizers/${index}` },
  ]);
}
