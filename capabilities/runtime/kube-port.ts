// The real ClusterPort: reads from the watch-fed view, writes through the shared KubeClient, and records
// what each write returned in the view so the next reconcile does not act on what it just changed.
import type { KubernetesObject } from "../../lib/children/kubernetes-object";
import { apiFailure, isConflict, isNotFound } from "../../lib/cluster/api-errors";
import { apiVersionOf, type KindName, resourcePath, type WatchedKind } from "../../lib/cluster/kinds";
import type { LiveObject } from "../../lib/cluster/live";
import { type NodeInterfaces, nodeInterfacesOf } from "../../lib/networks/node-interfaces";
import type { ClusterView } from "../../lib/cluster/view";
import type { ClusterFeatures } from "../../lib/cluster/features";
import type { ClusterPort, EventType, LookedUpKind, StorageClassInfo } from "../../lib/reconcile/port";
import { API, MANAGER } from "../../schemas/wukong";
import { config } from "./config";
import { type ApiRequester, CONTENT } from "./kube-client";

export interface KubePortOptions {
  client: () => Promise<ApiRequester>;
  view: ClusterView;
  /** How long a positive lookup (a StorageClass, a user Secret or NAD) is trusted. */
  lookupTtlMs?: number;
  warn: (fields: Record<string, unknown>, message: string) => void;
  /** Told of every request sent: "write" (including Events) or "read" (a lookup no watch answers). */
  counted?: (request: "write" | "read") => void;
  /** What the cluster offers beyond the required APIs, as discovery and the KubeVirt CR's watch last saw it. */
  features?: () => ClusterFeatures;
}

// kubernetes-fluent-client applied as "pepr": keeping its field manager keeps existing children's field
// ownership, so fields we stop setting are still removed by the next apply.
const FIELD_MANAGER = "pepr";

export function kubePort({ client, view, lookupTtlMs = 30_000, warn, counted = () => undefined, features = () => ({}) }: KubePortOptions): ClusterPort {
  const found = new Map<string, number>();
  const storageClasses = new Map<string, { at: number; value: StorageClassInfo }>();
  let nodeStates: { at: number; value: Promise<NodeInterfaces[] | undefined> } | undefined;
  const listNodeStates = async (): Promise<NodeInterfaces[] | undefined> => {
    try {
      // The Nodes' labels tell which nodes a policy's nodeSelector picks (RBAC: "" nodes list).
      const states = await send<{ items: LiveObject[] }>("read", "GET", resourcePath("NodeNetworkState", undefined));
      const nodes = await send<{ items: LiveObject[] }>("read", "GET", resourcePath("Node", undefined));
      return nodeInterfacesOf(states.items, nodes.items);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  };
  const send = async <T>(request: "write" | "read", ...args: Parameters<ApiRequester["request"]>): Promise<T> => {
    counted(request);
    return (await client()).request<T>(...args);
  };

  return {
    get: (kind, namespace, name) => view.get(kind, namespace, name),
    all: kind => view.all(kind),
    list: (kind, namespace, wukong) => view.labelledFor(kind, namespace, wukong),
    features,

    async exists(kind: LookedUpKind, namespace, name) {
      const key = `${kind}/${namespace ?? ""}/${name}`;
      if (Date.now() - (found.get(key) ?? -Infinity) < lookupTtlMs) return true;
      try {
        await send("read", "GET", resourcePath(kind, namespace, name));
        found.set(key, Date.now());
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },

    async storageClass(name) {
      const cached = storageClasses.get(name);
      if (cached && Date.now() - cached.at < lookupTtlMs) return cached.value;
      try {
        const found = await send<StorageClassInfo>("read", "GET", resourcePath("StorageClass", undefined, name));
        const value = { volumeBindingMode: found.volumeBindingMode };
        storageClasses.set(name, { at: Date.now(), value });
        return value;
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },

    nodeInterfaces() {
      if (!nodeStates || Date.now() - nodeStates.at > lookupTtlMs) {
        const value = listNodeStates();
        nodeStates = { at: Date.now(), value };
        value.catch(() => (nodeStates = undefined)); // a failed lookup is not remembered
      }
      return nodeStates.value;
    },

    async apply(kind, object: KubernetesObject) {
      const query = `?fieldManager=${FIELD_MANAGER}&fieldValidation=Strict&force=true`;
      const path = resourcePath(kind, object.metadata.namespace, object.metadata.name) + query;
      return written(kind, await send<LiveObject>("write", "PATCH", path, object, CONTENT.apply));
    },

    async patch(kind, namespace, name, patch) {
      return written(kind, await send<LiveObject>("write", "PATCH", resourcePath(kind, namespace, name), patch, CONTENT.jsonPatch));
    },

    async delete(kind, namespace, name, uid) {
      const options = { apiVersion: "v1", kind: "DeleteOptions", propagationPolicy: "Background", preconditions: { uid } };
      try {
        const result = await send<LiveObject>("write", "DELETE", resourcePath(kind, namespace, name), options);
        // With finalizers the object lives on, marked for deletion; otherwise the answer is a Status.
        if (result?.metadata?.deletionTimestamp) view.written(kind, result);
        else view.remove(kind, namespace, name);
      } catch (error) {
        // Gone already, or a successor with another uid took the name: either way nothing of ours is left.
        if (!isNotFound(error) && !isConflict(error)) throw error;
        view.remove(kind, namespace, name);
      }
    },

    async patchStatus(namespace, name, status, kind = "Wukong") {
      const path = `${resourcePath(kind, namespace, name)}/status`;
      return written(kind, await send<LiveObject>("write", "PATCH", path, { status }, CONTENT.mergePatch));
    },

    async event(wukong, type, reason, message) {
      try {
        await send("write", "POST", resourcePath("Event", wukong.metadata.namespace), eventFor(wukong, type, reason, message));
      } catch (error) {
        const failure = apiFailure(error);
        warn(
          { wukong: `${wukong.metadata.namespace}/${wukong.metadata.name}`, reason, status: failure.status, error: failure.message },
          "could not record event",
        );
      }
    },
  };

  function written(kind: WatchedKind, object: LiveObject): LiveObject {
    view.written(kind, object);
    return object;
  }
}

const MAX_EVENT_MESSAGE = 1024;

function eventFor(object: LiveObject, type: EventType, reason: string, message: string) {
  const { name, namespace, uid } = object.metadata;
  const now = new Date().toISOString();
  const kind: KindName = "Event";
  return {
    apiVersion: apiVersionOf(kind),
    kind,
    metadata: { generateName: `${name}.`, namespace },
    // About the Wukong unless the object names its own kind (a WukongSnapshot).
    involvedObject: { apiVersion: object.apiVersion ?? apiVersionOf("Wukong"), kind: object.kind ?? API.kind, name, namespace, uid },
    type,
    reason,
    message: message.slice(0, MAX_EVENT_MESSAGE),
    source: { component: MANAGER },
    reportingComponent: MANAGER,
    reportingInstance: config().instance ?? MANAGER,
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  };
}
