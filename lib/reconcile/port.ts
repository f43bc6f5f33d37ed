// The small port every reconcile step talks to. Reads come from the watch-fed view; the API server
// only receives writes and the few lookups no watch answers. One real implementation
// (capabilities/runtime/kube-port.ts) and an in-memory one for unit tests.
import type { KubernetesObject } from "../children/kubernetes-object";
import type { ChildKind, StatusKind, WatchedKind } from "../cluster/kinds";
import type { ClusterFeatures } from "../cluster/features";
import type { LiveObject } from "../cluster/live";
import type { NodeInterfaces } from "../networks/node-interfaces";

export type JsonPatch = { op: "add" | "remove" | "replace" | "test"; path: string; value?: unknown }[];

export type EventType = "Normal" | "Warning";

export type { StatusKind };

/** Objects that no watch covers: looked up on demand (answers may be cached briefly). */
export type LookedUpKind = "Secret" | "NetworkAttachmentDefinition";

/** What a claim's StorageClass says about binding; the API server defaults volumeBindingMode to Immediate. */
export interface StorageClassInfo {
  volumeBindingMode?: string;
}

export interface ClusterPort {
  /** One watched object, from the view. */
  get(kind: WatchedKind, namespace: string, name: string): LiveObject | undefined;
  /** Every watched object of `kind`, from the view (the shared node network policies, the Wukongs sharing them). */
  all(kind: WatchedKind): LiveObject[];
  /** The objects of `kind` labelled for the Wukong `namespace/wukong`, from the view. */
  list(kind: ChildKind, namespace: string, wukong: string): LiveObject[];
  /** The optional APIs, KubeVirt feature gates and device resources the cluster offers (unknown ones undefined). */
  features(): ClusterFeatures;
  /** Whether an object exists that is not ours to watch: the user's Secret or NAD. */
  exists(kind: LookedUpKind, namespace: string | undefined, name: string): Promise<boolean>;
  /** A StorageClass (cached briefly); undefined when it does not exist. */
  storageClass(name: string): Promise<StorageClassInfo | undefined>;
  /** Each node's interfaces from the NodeNetworkStates (cached briefly); undefined when NMState is not installed. */
  nodeInterfaces(): Promise<NodeInterfaces[] | undefined>;
  /** Server-side apply (forced: Wukong owns its children's fields). */
  apply(kind: ChildKind, object: KubernetesObject): Promise<LiveObject>;
  /** JSON patch; `test` operations make it fail on a stale read. */
  patch(kind: WatchedKind, namespace: string, name: string, patch: JsonPatch): Promise<LiveObject>;
  /** Deletes the object only if it still has this uid (a same-named successor is left alone); gone is fine. */
  delete(kind: ChildKind, namespace: string, name: string, uid: string): Promise<void>;
  /** Merge-patches the status subresource of a Wukong (or of another of our own kinds). */
  patchStatus(namespace: string, name: string, status: Record<string, unknown>, kind?: StatusKind): Promise<LiveObject>;
  /** Best effort: an Event about the Wukong; never throws. */
  event(wukong: LiveObject, type: EventType, reason: string, message: string): Promise<void>;
}
