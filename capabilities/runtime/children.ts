// Reading and writing one Wukong's children through kubernetes-fluent-client.
import { K8s } from "pepr";
import type { KubernetesObject } from "../../lib/children/kubernetes-object";
import { containsDesired } from "../../lib/subset";
import { LABELS } from "../../schemas/wukong";
import { isNotFound } from "./api-errors";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Model = any;

export type Live = KubernetesObject & { status?: Record<string, unknown>; spec?: Record<string, unknown> };

/** The object, or undefined when it does not exist. */
export async function getOrUndefined(model: Model, namespace: string, name: string): Promise<Live | undefined> {
  try {
    return (await K8s(model).InNamespace(namespace).Get(name)) as Live;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Children of `model` labelled for this Wukong and controlled by it (uid), by name. */
export async function ownedChildren(model: Model, namespace: string, wukong: string, uid: string): Promise<Map<string, Live>> {
  const list = await K8s(model).InNamespace(namespace).WithLabel(LABELS.wukong, wukong).Get();
  const owned = (list.items as Live[]).filter(item => item.metadata?.ownerReferences?.some(ref => ref.uid === uid && ref.controller));
  return new Map(owned.map(item => [item.metadata.name, item]));
}

export type ApplyResult = "created" | "updated" | "unchanged";

/** Server-side applies `desired` unless `live` already holds all of it. */
export async function applyIfChanged(model: Model, desired: KubernetesObject, live: Live | undefined): Promise<ApplyResult> {
  if (live && containsDesired(live, desired)) return "unchanged";
  await K8s(model).Apply(desired, { force: true });
  return live ? "updated" : "created";
}

export async function deleteIfPresent(model: Model, namespace: string, name: string): Promise<void> {
  try {
    await K8s(model).InNamespace(namespace).Delete(name);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
