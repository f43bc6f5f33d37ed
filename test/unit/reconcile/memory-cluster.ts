// An in-memory ClusterPort for the reconcile steps: a store playing the API server (server-side apply,
// JSON and merge patches, uid preconditions, resourceVersions) and a separate view playing the watches,
// so a test can hold the view back and prove that a stale read is harmless.
import { applyPatch, type Operation } from "fast-json-patch";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import type { ChildKind, WatchedKind } from "../../../lib/cluster/kinds";
import type { ClusterFeatures } from "../../../lib/cluster/features";
import type { LiveObject } from "../../../lib/cluster/live";
import type { NodeInterfaces } from "../../../lib/networks/node-interfaces";
import { ClusterView } from "../../../lib/cluster/view";
import type { ClusterPort, EventType, JsonPatch, LookedUpKind, StatusKind, StorageClassInfo } from "../../../lib/reconcile/port";

export type Verb = "apply" | "patch" | "delete" | "patchStatus";

export interface Write {
  verb: Verb;
  kind: WatchedKind;
  name: string;
}

export interface RecordedEvent {
  type: EventType;
  reason: string;
  message: string;
}

/** An error shaped like the API server's answer, as the real client throws it. */
export const apiError = (status: number, reason: string, message = reason) => ({
  status,
  statusText: reason,
  data: { kind: "Status", status: "Failure", reason, message },
});

const clone = <T>(value: T): T => structuredClone(value);
const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ""}/${name}`;

export class MemoryCluster implements ClusterPort {
  readonly view = new ClusterView();
  readonly writes: Write[] = [];
  readonly events: RecordedEvent[] = [];
  /** Objects no watch covers, as "Kind/namespace/name" (cluster-scoped: "Kind//name"). */
  readonly lookups = new Set<string>();
  /** The StorageClasses that exist, by name. */
  readonly storageClasses = new Map<string, StorageClassInfo>();
  /** What nodeInterfaces answers: undefined plays a cluster without NMState. */
  nodeNetworkStates: NodeInterfaces[] | undefined;
  /** What the cluster offers beyond the required APIs; every test sets what it needs. */
  clusterFeatures: ClusterFeatures = {};
  /** When false, the view only learns from writes' answers and deliver(): the watches lag behind. */
  watchesKeepUp = true;
  readonly #store = new Map<WatchedKind, Map<string, LiveObject>>();
  readonly #failures: { kind: WatchedKind; verb: Verb; error: unknown; times: number }[] = [];
  #version = 1;
  #uids = 1;

  // ---- the port ------------------------------------------------------------------------------------
  get(kind: WatchedKind, namespace: string, name: string) {
    return this.view.get(kind, namespace, name);
  }

  all(kind: WatchedKind) {
    return this.view.all(kind);
  }

  list(kind: ChildKind, namespace: string, wukong: string) {
    return this.view.labelledFor(kind, namespace, wukong);
  }

  features() {
    return this.clusterFeatures;
  }

  async exists(kind: LookedUpKind, namespace: string | undefined, name: string) {
    return this.lookups.has(`${kind}/${namespace ?? ""}/${name}`);
  }

  async storageClass(name: string) {
    return this.storageClasses.get(name);
  }

  async nodeInterfaces() {
    return this.nodeNetworkStates;
  }

  async apply(kind: ChildKind, object: KubernetesObject) {
    this.#maybeFail(kind, "apply", object.metadata.name);
    const current = this.stored(kind, object.metadata.namespace, object.metadata.name);
    const applied = merge(current ?? {}, clone(object)) as LiveObject;
    applied.metadata.uid = current?.metadata.uid ?? `uid-${this.#uids++}`;
    return this.#save(kind, applied, "apply");
  }

  async patch(kind: WatchedKind, namespace: string, name: string, patch: JsonPatch) {
    this.#maybeFail(kind, "patch", name);
    const current = this.stored(kind, namespace, name);
    if (!current) throw apiError(404, "NotFound");
    try {
      const patched = applyPatch(clone(current), clone(patch) as Operation[], true, false).newDocument;
      return this.#save(kind, patched, "patch");
    } catch {
      throw apiError(409, "Conflict", "the patch's test failed");
    }
  }

  async delete(kind: ChildKind, namespace: string, name: string, uid: string) {
    this.#maybeFail(kind, "delete", name);
    const current = this.stored(kind, namespace, name);
    // Gone, or a successor took the name (the API server answers 409): either way nothing of ours is left.
    if (!current || current.metadata.uid !== uid) {
      this.view.remove(kind, namespace, name);
      return;
    }
    this.#store.get(kind)?.delete(keyOf(namespace, name));
    this.writes.push({ verb: "delete", kind, name });
    this.view.remove(kind, namespace, name);
  }

  async patchStatus(namespace: string, name: string, status: Record<string, unknown>, kind: StatusKind = "Wukong") {
    this.#maybeFail(kind, "patchStatus", name);
    const current = this.stored(kind, namespace, name);
    if (!current) throw apiError(404, "NotFound");
    const next = { ...current, status: withoutNulls({ ...(current.status ?? {}), ...clone(status) }) };
    return this.#save(kind, next, "patchStatus");
  }

  async event(_wukong: LiveObject, type: EventType, reason: string, message: string) {
    this.events.push({ type, reason, message });
  }

  // ---- what the test plays: users, other controllers, faults -------------------------------------------
  /** Makes the next `times` calls of `verb` on `kind` fail with `error`. */
  failNext(kind: WatchedKind, verb: Verb, error: unknown, times = 1): void {
    this.#failures.push({ kind, verb, error, times });
  }

  /** A change by someone else (the user, KubeVirt, CDI): not counted as our write. */
  put(kind: WatchedKind, object: LiveObject): LiveObject {
    const current = this.stored(kind, object.metadata.namespace, object.metadata.name);
    const next = clone(object);
    next.metadata.uid ??= current?.metadata.uid ?? `uid-${this.#uids++}`;
    next.metadata.resourceVersion = String(++this.#version);
    this.#bucket(kind).set(keyOf(next.metadata.namespace, next.metadata.name), next);
    if (this.watchesKeepUp) this.view.observe(kind, clone(next), "MODIFIED");
    return next;
  }

  /** Someone else deletes an object (the garbage collector, a user). */
  remove(kind: WatchedKind, namespace: string, name: string): void {
    this.#bucket(kind).delete(keyOf(namespace, name));
    if (this.watchesKeepUp) this.view.remove(kind, namespace, name);
  }

  /** The watches catch up (on every kind, or one): the view becomes what the store holds. */
  deliver(only?: WatchedKind): void {
    for (const [kind, objects] of this.#store) {
      if (only && kind !== only) continue;
      for (const object of this.view.all(kind)) {
        if (!objects.has(keyOf(object.metadata.namespace, object.metadata.name))) this.view.remove(kind, object.metadata.namespace, object.metadata.name);
      }
      for (const object of objects.values()) this.view.observe(kind, clone(object), "MODIFIED");
    }
  }

  stored(kind: WatchedKind, namespace: string | undefined, name: string): LiveObject | undefined {
    return this.#store.get(kind)?.get(keyOf(namespace, name));
  }

  storedOf(kind: WatchedKind): LiveObject[] {
    return [...(this.#store.get(kind)?.values() ?? [])];
  }

  writesSince(mark: number): Write[] {
    return this.writes.slice(mark);
  }

  #save(kind: WatchedKind, object: LiveObject, verb: Verb): LiveObject {
    object.metadata.resourceVersion = String(++this.#version);
    this.#bucket(kind).set(keyOf(object.metadata.namespace, object.metadata.name), object);
    this.writes.push({ verb, kind, name: object.metadata.name });
    const answer = clone(object);
    this.view.written(kind, clone(object));
    return answer;
  }

  #bucket(kind: WatchedKind): Map<string, LiveObject> {
    let bucket = this.#store.get(kind);
    if (!bucket) this.#store.set(kind, (bucket = new Map()));
    return bucket;
  }

  #maybeFail(kind: WatchedKind, verb: Verb, name: string): void {
    const failure = this.#failures.find(f => f.kind === kind && f.verb === verb && f.times > 0);
    if (!failure) return;
    failure.times--;
    throw typeof failure.error === "function" ? failure.error(name) : failure.error;
  }
}

/** Server-side apply, as far as these tests need: the applied fields win, lists are replaced. */
function merge(live: unknown, applied: unknown): unknown {
  if (!isObject(live) || !isObject(applied)) return applied;
  const out: Record<string, unknown> = { ...live };
  for (const [key, value] of Object.entries(applied)) out[key] = merge(live[key], value);
  return out;
}

function withoutNulls(status: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(status).filter(([, value]) => value !== null));
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
