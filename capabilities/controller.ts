// The controller: a view fed by the watches, a work queue of Wukong keys, and the reconciler working it
// through the real ClusterPort. Created only in the process that runs controllers.
import { Log } from "pepr";
import { apiFailure } from "../lib/cluster/api-errors";
import { type ChildKind, type WatchedKind } from "../lib/cluster/kinds";
import type { LiveObject } from "../lib/cluster/live";
import { ClusterView, type WatchPhase } from "../lib/cluster/view";
import {
  type ClusterFeatures,
  KUBEVIRT_CONFIG_API,
  KUBEVIRT_SNAPSHOT_API,
  kubeVirtConfig,
  type KubeVirtObject,
  NODE_NETWORK_API,
} from "../lib/cluster/features";
import { DEFAULT_RESYNC, wukongReconciler } from "../lib/reconcile/reconciler";
import { WorkQueue } from "../lib/reconcile/work-queue";
import { ChildWriteError } from "../lib/reconcile/writes";
import { NODE_NETWORK_LABEL } from "../lib/children/node-network-policy";
import { wukongsUsingPolicy } from "../lib/reconcile/node-networks";
import { snapshotReconciler } from "../lib/reconcile/snapshot";
import type { WukongStatus } from "../schemas/status";
import { LABELS, type Wukong } from "../schemas/wukong";
import { SNAPSHOT_LABEL, type WukongSnapshot } from "../schemas/wukongsnapshot";
import { Readiness } from "../lib/cluster/readiness";
import { CHILD_MODELS, KubeVirtResource, WukongSnapshotResource } from "./kinds";
import { config } from "./runtime/config";
import { nodeResources, restoreSpecFields, servedApis } from "./runtime/discovery";
import { startInformer } from "./runtime/informer";
import { KubeClient } from "./runtime/kube-client";
import { kubePort } from "./runtime/kube-port";
import { controllerMetrics } from "./runtime/metrics";

export interface Controller {
  /** A Wukong watch event: into the view, and its key into the queue. */
  observeWukong(wukong: LiveObject, phase: WatchPhase): void;
  /** Starts one watch per child kind; reconciles wait until each has listed once. */
  watchChildren(kinds: readonly ChildKind[]): void;
  /** Starts the watch of WukongSnapshots and the WukongSnapshot controller's own queue. */
  watchSnapshots(): void;
  /**
   * Discovers the optional APIs (KubeVirt's snapshot API, NMState, KubeVirt's configuration) and the nodes'
   * device resources, now and every minute, and watches each API once it is served. Reconciles wait for the
   * first answer, and for each started watch to list once; an API that is not served is never waited for.
   */
  watchOptionalApis(): void;
}

const warn = (fields: Record<string, unknown>, message: string) => Log.warn(fields, message);

export function createController(): Controller {
  const metrics = controllerMetrics();
  const view = new ClusterView();
  let apiClient: Promise<KubeClient> | undefined;
  // What discovery found; the KubeVirt CR's feature gates come from its watch, once it has listed.
  let discovered: Pick<ClusterFeatures, "servedApis" | "nodeResources" | "restoreSpecFields"> | undefined;
  const features = (): ClusterFeatures => ({
    ...discovered,
    ...(view.isSynced("KubeVirt") && kubeVirtConfig(view.all("KubeVirt") as KubeVirtObject[])),
  });
  const port = kubePort({ client: () => client(), view, warn, counted: metrics.request, features });
  const resync = { ...DEFAULT_RESYNC, errorMs: config().errorResyncMs };
  const reconcile = wukongReconciler(port, { resync });
  // Reconciles wait until each started watch has listed once: an object not yet seen must not read as missing
  // (a child re-created, a snapshot reported gone, a rival policy overlooked).
  const readiness = new Readiness(kind => view.isSynced(kind));
  const client = () => (apiClient ??= KubeClient.fromDefault());

  const queue = new WorkQueue(
    async key => {
      if (!readiness.wukongsReady()) return { requeueAfterMs: 200 };
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

  // The WukongSnapshot controller: its own queue, working once its VirtualMachineSnapshots (when served) and the
  // KubeVirt CR have listed (a VirtualMachineSnapshot not yet seen must not read as one that was deleted, nor an
  // unseen feature gate as a disabled one).
  const reconcileSnapshot = snapshotReconciler(port, { waitingMs: resync.errorMs });
  const snapshotQueue = new WorkQueue(
    async key => (readiness.snapshotsReady() ? reconcileSnapshot(key) : { requeueAfterMs: 200 }),
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
  // What the cluster offers changed (an API appeared, a feature gate flipped): every Wukong and snapshot looks again.
  const requeueAll = () => {
    for (const wukong of view.all("Wukong")) enqueue(wukong.metadata.namespace, wukong.metadata.name);
    for (const snapshot of view.all("WukongSnapshot")) enqueueSnapshot(snapshot.metadata.namespace, snapshot.metadata.name);
  };

  // The watches of each optional API, started once discovery finds it served (readiness waits for them from then on).
  const watchApi: Record<string, () => void> = {
    [KUBEVIRT_SNAPSHOT_API]: () => {
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
    [NODE_NETWORK_API]: () => {
      startInformer({
        kind: "NodeNetworkConfigurationPolicy",
        model: CHILD_MODELS.NodeNetworkConfigurationPolicy,
        label: NODE_NETWORK_LABEL,
        view,
        onChange: policy => wukongsUsingPolicy(view.all("Wukong") as Wukong[], policy.metadata.name).forEach(key => queue.add(key)),
        warn,
      });
    },
    [KUBEVIRT_CONFIG_API]: () => {
      // Only a change of the gates matters: KubeVirt's status updates and the periodic relist requeue nothing.
      let gates = "";
      const onChange = () => {
        const now = JSON.stringify([...(kubeVirtConfig(view.all("KubeVirt") as KubeVirtObject[]).featureGates ?? [])].sort());
        if (now !== gates) requeueAll();
        gates = now;
      };
      startInformer({ kind: "KubeVirt", model: KubeVirtResource, view, onChange, warn });
    },
  };
  const discover = async (): Promise<void> => {
    try {
      const api = await client();
      // Node resources only feed warnings: a failed list leaves them unknown rather than hold up every reconcile.
      const [apis, resources, restoreFields] = await Promise.all([servedApis(api), nodeResources(api).catch(() => undefined), restoreSpecFields(api)]);
      const changed =
        discovered !== undefined &&
        !(sameSet(discovered.servedApis, apis) && sameSet(discovered.nodeResources, resources) && sameSet(discovered.restoreSpecFields, restoreFields));
      const missing = Object.keys(watchApi).filter(optional => !apis.has(optional));
      if (discovered === undefined && missing.length > 0)
        Log.info({ missing }, "optional APIs not served; the features that need them are reported on the Wukongs that use them");
      discovered = { servedApis: apis, ...(resources && { nodeResources: resources }), ...(restoreFields && { restoreSpecFields: restoreFields }) };
      for (const served of readiness.discovered(apis)) watchApi[served]();
      if (changed) requeueAll();
    } catch (error) {
      warn({ error: apiFailure(error).message, retryInMs: resync.errorMs }, "could not discover the optional APIs and node resources");
      setTimeout(() => void discover(), resync.errorMs).unref();
      return;
    }
    setTimeout(() => void discover(), config().discoveryIntervalMs).unref();
  };

  return {
    observeWukong(wukong, phase) {
      view.observe("Wukong" satisfies WatchedKind, wukong, phase);
      enqueue(wukong.metadata.namespace, wukong.metadata.name);
    },
    watchChildren(kinds) {
      for (const kind of kinds) {
        readiness.waitFor(kind);
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
      readiness.waitFor("WukongSnapshot");
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
    },
    watchOptionalApis() {
      void discover();
    },
  };
}

const sameSet = (a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.size === b.size && [...a].every(item => b.has(item)));
