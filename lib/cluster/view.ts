// The watch-fed view of the cluster: every watched object by kind, namespace and name, and the children
// of each Wukong by its label. Reconcile reads only from here; the API server only sees writes.
// A stale entry is harmless: writes are server-side applies (idempotent) or carry preconditions.
import { LABELS } from "../../schemas/wukong";
import type { WatchedKind } from "./kinds";
import { isNewer, type LiveObject } from "./live";
import { slim } from "./slim";

export type WatchPhase = "ADDED" | "MODIFIED" | "DELETED";

const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export class ClusterView {
  readonly #objects = new Map<WatchedKind, Map<string, LiveObject>>();
  /** kind → "namespace/wukong" → keys of the objects labelled for that Wukong. */
  readonly #byOwner = new Map<WatchedKind, Map<string, Set<string>>>();
  readonly #synced = new Set<WatchedKind>();

  /** Applies one watch event (or relist result). */
  observe(kind: WatchedKind, object: LiveObject, phase: WatchPhase): void {
    if (phase === "DELETED") this.remove(kind, object.metadata.namespace, object.metadata.name);
    else this.#put(kind, slim(object));
  }

  /** Records what a write returned, unless the watch already delivered something newer. */
  written(kind: WatchedKind, object: LiveObject): void {
    if (isNewer(object, this.get(kind, object.metadata.namespace, object.metadata.name))) this.#put(kind, slim(object));
  }

  remove(kind: WatchedKind, namespace: string | undefined, name: string): void {
    const key = keyOf(namespace, name);
    const old = this.#objects.get(kind)?.get(key);
    if (!old) return;
    this.#objects.get(kind)?.delete(key);
    this.#unindex(kind, old, key);
  }

  /**
   * A full list arrived (first list, relist, or a watch started over after an outage): drops what the list no
   * longer has, deleted while no watch was looking, and returns it. The listed objects arrive as events.
   */
  listed(kind: WatchedKind, items: LiveObject[]): LiveObject[] {
    const present = new Set(items.map(item => keyOf(item.metadata.namespace, item.metadata.name)));
    const gone = this.all(kind).filter(object => !present.has(keyOf(object.metadata.namespace, object.metadata.name)));
    for (const object of gone) this.remove(kind, object.metadata.namespace, object.metadata.name);
    return gone;
  }

  get(kind: WatchedKind, namespace: string | undefined, name: string): LiveObject | undefined {
    return this.#objects.get(kind)?.get(keyOf(namespace, name));
  }

  /** Objects of `kind` labelled for the Wukong `namespace/wukong`. */
  labelledFor(kind: WatchedKind, namespace: string, wukong: string): LiveObject[] {
    const keys = this.#byOwner.get(kind)?.get(keyOf(namespace, wukong)) ?? [];
    const objects = this.#objects.get(kind);
    return [...keys].flatMap(key => objects?.get(key) ?? []);
  }

  all(kind: WatchedKind): LiveObject[] {
    return [...(this.#objects.get(kind)?.values() ?? [])];
  }

  /** The first full list of `kind` has been observed: until then an absent object may simply be unseen. */
  markSynced(kind: WatchedKind): void {
    this.#synced.add(kind);
  }

  isSynced(kind: WatchedKind): boolean {
    return this.#synced.has(kind);
  }

  #put(kind: WatchedKind, object: LiveObject): void {
    const key = keyOf(object.metadata.namespace, object.metadata.name);
    let objects = this.#objects.get(kind);
    if (!objects) this.#objects.set(kind, (objects = new Map()));
    const old = objects.get(key);
    if (old) this.#unindex(kind, old, key);
    objects.set(key, object);
    const owner = object.metadata.labels?.[LABELS.wukong];
    if (!owner) return;
    let owners = this.#byOwner.get(kind);
    if (!owners) this.#byOwner.set(kind, (owners = new Map()));
    const ownerKey = keyOf(object.metadata.namespace, owner);
    let keys = owners.get(ownerKey);
    if (!keys) owners.set(ownerKey, (keys = new Set()));
    keys.add(key);
  }

  #unindex(kind: WatchedKind, object: LiveObject, key: string): void {
    const owner = object.metadata.labels?.[LABELS.wukong];
    if (!owner) return;
    const owners = this.#byOwner.get(kind);
    const ownerKey = keyOf(object.metadata.namespace, owner);
    const keys = owners?.get(ownerKey);
    keys?.delete(key);
    if (keys?.size === 0) owners?.delete(ownerKey);
  }
}
