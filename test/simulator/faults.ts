// Failure injection: annotations on an object the node side plays with, on the objects it belongs to, or on the
// Wukong that owns them, make the simulated node misbehave the way a real one does (an importer that cannot reach its
// source, a storage backend that cannot cut a snapshot). The real controllers then report what they see.
import { KubeObject, WUKONG_LABEL } from "./resources";

export const FAULT_IMPORT = "sim.novasphere.dev/import"; // fail | slow | ok
export const FAULT_SNAPSHOT = "sim.novasphere.dev/snapshot"; // fail | ok

/** Wukongs by "namespace/name", to find the owner of a child through its label. */
export type WukongIndex = Map<string, KubeObject>;

export function indexWukongs(wukongs: KubeObject[] | undefined): WukongIndex {
  const index: WukongIndex = new Map();
  for (const w of wukongs ?? []) index.set(`${w.metadata.namespace}/${w.metadata.name}`, w);
  return index;
}

/** The Wukong named by an object's `vm.novasphere.dev/wukong` label, if it exists. */
export function owningWukong(obj: KubeObject, wukongs: WukongIndex): KubeObject | undefined {
  const name = obj.metadata.labels?.[WUKONG_LABEL];
  return name ? wukongs.get(`${obj.metadata.namespace}/${name}`) : undefined;
}

/**
 * The value of a fault annotation for a group of related objects (e.g. an importer pod, its claim and their
 * DataVolume), most specific first; the owning Wukong is consulted last. The first object carrying the annotation
 * wins, so `ok` on a child overrides a fault set on its Wukong.
 */
export function faultValue(key: string, objects: (KubeObject | undefined)[], wukongs: WukongIndex): string | undefined {
  const present = objects.filter((o): o is KubeObject => o !== undefined);
  for (const o of present) {
    const v = o.metadata.annotations?.[key];
    if (v !== undefined) return v.trim().toLowerCase();
  }
  for (const o of present) {
    const v = owningWukong(o, wukongs)?.metadata.annotations?.[key];
    if (v !== undefined) return v.trim().toLowerCase();
  }
  return undefined;
}

/**
 * The object and its controllers, nearest first, among the given candidates (looked up by uid in its namespace):
 * CDI's importer pod is owned by a claim, which CDI's populator prime claim hands to the DataVolume's claim, which
 * the DataVolume owns.
 */
export function controllerChain(obj: KubeObject, candidates: Iterable<KubeObject>): KubeObject[] {
  const byUid = new Map<string, KubeObject>();
  for (const c of candidates) if (c.metadata.uid && c.metadata.namespace === obj.metadata.namespace) byUid.set(c.metadata.uid, c);
  const chain = [obj];
  for (let current = obj; chain.length < 8; ) {
    const refs = current.metadata.ownerReferences ?? [];
    const owner = (refs.find(r => r.controller) ?? refs[0])?.uid;
    const next = owner ? byUid.get(owner) : undefined;
    if (!next || chain.includes(next)) break;
    chain.push(next);
    current = next;
  }
  return chain;
}
