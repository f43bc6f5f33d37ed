// The controller: a view fed by the watches, a work queue of Wukong keys, and the reconciler working it
// through the real ClusterPort. Created only in the process that runs controllers.
import { Log } from "pepr";
import { apiFailure } from "../lib/cluster/api-errors";
import { type ChildKind, KINDS, type WatchedKind } from "../lib/cluster/kinds";
import type { LiveObject } from "../lib/cluster/live";
import { ClusterView, type WatchPhase } from "../lib/cluster/view";
import { DEFAULT_RESYNC, wukongReconciler } from "../lib/reconcile/reconciler";
import { WorkQueue } from "../lib/reconcile/work-queue";
import { ChildWriteError } from "../lib/reconcile/writes";
import { NODE_NETWORK_LABEL } from "../lib/children/node-network-policy";
import { wukongsUsingPolicy } from "../lib/reconcile/node-networks";
import { snapshotReconciler } from "../lib/reconcile/snapshot";
import type { WukongStatus } from "../schemas/status";
import { LABELS, type Wukong } from "../schemas/wukong";
import { SNAPSHOT_LABEL, type WukongSnapshot } from "../schemas/wukongsnapshot";
import { CHILD_MODELS, WukongSnapshotResource } from "./kinds";
import { config } from "./runtime/config";
import { startInformer } from "./runtime/informer";
import { apiServed, KubeClient } from "./runtime/kube-client";
import { kubePort } from "./runtime/kube-port";
import { controllerMetrics } from "./runtime/metrics";

export interface Controller {
  /** A Wukong watch event: into the view, and its key into the queue. */
  observeWukong(wukong: LiveObject, phase: WatchPhase): void;
  /** Starts one watch per child kind; reconciles wait until each has listed once. */
  watchChildren(kinds: readonly ChildKind[]): void;
  /** Starts the watches of snapshots and restores, and the WukongSnapshot controller's own queue. */
  watchSnapshots(): void;
  /**
   * Watches the shared NMState policies: a policy's status change re-queues every Wukong on its bridge. Waited
   * for only when the API server serves nmstate.io/v1: without NMState installed the watch never lists.
   */
  watchNodeNetworks(): void;
}

const warn = (fields: Record<string, unknown>, message: string) => Log.warn(fields, message);

export function createController(): Controller {
  const metrics = controllerMetrics();
  const view = new ClusterView();
  let apiClient: Promise<KubeClient> | undefined;
  const port = kubePort({ client: () => client(), view, warn, counted: metrics.request });
  const resync = { ...DEFAULT_RESYNC, errorMs: config().errorResyncMs };
  const reconcile = wukongReconciler(port, { resync });
  // Reconciles wait until each of these kinds has listed once: an object not yet seen must not read as missing
  // (a child re-created, a snapshot reported gone, a rival policy overlooked).
  const mustList = new Set<WatchedKind>();
  const synced = () => [...mustList].every(kind => view.isSynced(kind));
  const client = () => (apiClient ??= KubeClient.fromDefault());

  const queue = new WorkQueue(
    async key => {
      if (!synced()) return { requeueAfterMs: 200 };
      const startedAt = performance.now();
      try {
        return await reconcile(key);
      } finally {
        metrics.reconciled(startedAt);
        const [namespace, name] = key.split("/");
        const status = view.get("Wukong", namespace, name)?.status as WukongStatus | undefined;
        metrics.phase(key, status?.phase);
        // An error the reconciler reported in status rather than retried (a refused child, a failed import).
        if (status?.phase === "Error") metrics.errored(status.conditions?.find(c => c.type === "Ready")?.reason ?? "Unknown");
      }
    },
    (key, error, retryInMs) => {
      const child = error instanceof ChildWriteError ? `${error.kind} ${error.childName}` : undefined;
      const failure = apiFailure(error instanceof ChildWriteError ? error.cause : error);
      metrics.failed(failure.reason);
      Log.warn({ wukong: key, child, status: failure.status, reason: failure.reason, message: failure.message, retryInMs }, "reconcile failed; retrying");
    },
  );
  const enqueue = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) queue.add(`${namespace}/${name}`);
  };

  // The WukongSnapshot controller: its own queue, working once its VirtualMachineSnapshots have listed (a
  // VirtualMachineSnapshot not yet seen must not read as one that was deleted).
  const reconcileSnapshot = snapshotReconciler(port, { waitingMs: resync.errorMs });
  const snapshotQueue = new WorkQueue(
    async key => (view.isSynced("VirtualMachineSnapshot") ? reconcileSnapshot(key) : { requeueAfterMs: 200 }),
    (key, error, retryInMs) => {
      const failure = apiFailure(error);
      metrics.failed(failure.reason);
      Log.warn(
        { wukongSnapshot: key, status: failure.status, reason: failure.reason, message: failure.message, retryInMs },
        "snapshot reconcile failed; retrying",
      );
    },
  );
  setInterval(() => metrics.queueDepth(queue.size + snapshotQueue.size), 5_000).unref();
  const enqueueSnapshot = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) snapshotQueue.add(`${namespace}/${name}`);
  };

  return {
    observeWukong(wukong, phase) {
      view.observe("Wukong" satisfies WatchedKind, wukong, phase);
      enqueue(wukong.metadata.namespace, wukong.metadata.name);
    },
    watchChildren(kinds) {
      for (const kind of kinds) {
        mustList.add(kind);
        startInformer({
          kind,
          model: CHILD_MODELS[kind],
          label: LABELS.wukong,
          view,
          onChange: child => enqueue(child.metadata.namespace, child.metadata.labels?.[LABELS.wukong]),
          warn,
        });
      }
    },
    watchSnapshots() {
      mustList.add("WukongSnapshot").add("VirtualMachineRestore");
      // A WukongSnapshot matters to itself and to its Wukong (status.snapshots, a restore waiting for it).
      startInformer({
        kind: "WukongSnapshot",
        model: WukongSnapshotResource,
        view,
        onChange: snapshot => {
          const { namespace, name } = snapshot.metadata;
          enqueueSnapshot(namespace, name);
          enqueue(namespace, (snapshot as WukongSnapshot).spec?.wukongName);
          // A Wukong restoring from another Wukong's snapshot waits for this one to be ready.
          for (const wukong of view.all("Wukong") as Wukong[])
            if (wukong.metadata?.namespace === namespace && wukong.spec?.restoreFromSnapshot === name) enqueue(namespace, wukong.metadata?.name);
        },
        warn,
      });
      startInformer({
        kind: "VirtualMachineSnapshot",
        model: CHILD_MODELS.VirtualMachineSnapshot,
        label: SNAPSHOT_LABEL,
        view,
        onChange: vmSnapshot => enqueueSnapshot(vmSnapshot.metadata.namespace, vmSnapshot.metadata.labels?.[SNAPSHOT_LABEL]),
        warn,
      });
      startInformer({
        kind: "VirtualMachineRestore",
        model: CHILD_MODELS.VirtualMachineRestore,
        label: LABELS.wukong,
        view,
        onChange: restore => enqueue(restore.metadata.namespace, restore.metadata.labels?.[LABELS.wukong]),
        warn,
      });
    },
    watchNodeNetworks() {
      const kind = "NodeNetworkConfigurationPolicy";
      mustList.add(kind);
      const { group, version } = KINDS[kind];
      const forgetUnlessServed = async (): Promise<void> => {
        try {
          if (!(await apiServed(await client(), group, version))) mustList.delete(kind);
        } catch (error) {
          warn({ kind, error: apiFailure(error).message, retryInMs: resync.errorMs }, "could not tell whether NMState is installed");
          setTimeout(() => void forgetUnlessServed(), resync.errorMs).unref();
        }
      };
      void forgetUnlessServed();
      startInformer({
        kind,
        model: CHILD_MODELS[kind],
        label: NODE_NETWORK_LABEL,
        view,
        onChange: policy => wukongsUsingPolicy(view.all("Wukong") as Wukong[], policy.metadata.name).forEach(key => queue.add(key)),
        warn,
      });
    },
  };
}
