// The controller: a view fed by the watches, a work queue of Wukong keys, and the reconciler working it
// through the real ClusterPort. Created only in the process that runs controllers. Which watch event enqueues
// which key is lib/reconcile/watches.ts (unit-tested with fake informers); this file passes it the real ones.
import { Log } from "pepr";
import { apiFailure } from "../lib/cluster/api-errors";
import { type ChildKind, OPTIONAL_WATCHES } from "../lib/cluster/kinds";
import type { LiveObject } from "../lib/cluster/live";
import { Readiness } from "../lib/cluster/readiness";
import { ClusterView, type WatchPhase } from "../lib/cluster/view";
import { DEFAULT_RESYNC, wukongReconciler } from "../lib/reconcile/reconciler";
import { snapshotReconciler } from "../lib/reconcile/snapshot";
import { type Watches, wireWatches } from "../lib/reconcile/watches";
import { type RunOutcome, WorkQueue } from "../lib/reconcile/work-queue";
import { ChildWriteError } from "../lib/reconcile/writes";
import type { WukongStatus } from "../schemas/status";
import { MODELS } from "./kinds";
import { config } from "./runtime/config";
import { nodeResources, restoreSpecFields, servedApis } from "./runtime/discovery";
import { startInformer } from "./runtime/informer";
import { KubeClient } from "./runtime/kube-client";
import { kubePort } from "./runtime/kube-port";
import { type ControllerMetrics, controllerMetrics } from "./runtime/metrics";

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
const WAITING_MS = 200;

export function createController(): Controller {
  const metrics = controllerMetrics();
  const view = new ClusterView();
  let apiClient: Promise<KubeClient> | undefined;
  const client = () => (apiClient ??= KubeClient.fromDefault());
  // Reconciles wait until each started watch has listed once: an object not yet seen must not read as missing
  // (a child re-created, a snapshot reported gone, a rival policy overlooked).
  const readiness = new Readiness(kind => view.isSynced(kind));
  const port = kubePort({ client, view, warn, counted: metrics.request, features: () => watches.features() });
  const resync = { ...DEFAULT_RESYNC, errorMs: config().errorResyncMs };

  const reconcile = wukongReconciler(port, { resync });
  const wukongQueue = new WorkQueue(
    async key => (readiness.wukongsReady() ? measured(metrics, view, key, () => reconcile(key)) : { requeueAfterMs: WAITING_MS }),
    (key, error, retryInMs) => reportFailure(metrics, { wukong: key }, error, retryInMs),
  );
  // The WukongSnapshot controller: its own queue, working once its VirtualMachineSnapshots (when served) and the
  // KubeVirt CR have listed (a VirtualMachineSnapshot not yet seen must not read as one that was deleted, nor an
  // unseen feature gate as a disabled one).
  const reconcileSnapshot = snapshotReconciler(port, { waitingMs: resync.errorMs });
  const snapshotQueue = new WorkQueue(
    async key => (readiness.snapshotsReady() ? reconcileSnapshot(key) : { requeueAfterMs: WAITING_MS }),
    (key, error, retryInMs) => reportFailure(metrics, { wukongSnapshot: key }, error, retryInMs),
  );
  setInterval(() => metrics.queueDepth(wukongQueue.size + snapshotQueue.size), 5_000).unref();

  const watches = wireWatches({
    view,
    readiness,
    startInformer: spec => startInformer({ ...spec, model: MODELS[spec.kind], view, warn }),
    wukongQueue,
    snapshotQueue,
  });
  return {
    observeWukong: (wukong, phase) => watches.observeWukong(wukong, phase),
    watchChildren: kinds => watches.watchChildren(kinds),
    watchSnapshots: () => watches.watchSnapshots(),
    watchOptionalApis: () => void discoverEvery(client, watches, resync.errorMs),
  };
}

/** One reconcile of a Wukong, counted, timed, and its resulting phase (and Error reason) recorded. */
async function measured(metrics: ControllerMetrics, view: ClusterView, key: string, run: () => Promise<RunOutcome>): Promise<RunOutcome> {
  const startedAt = performance.now();
  try {
    return await run();
  } finally {
    metrics.reconciled(startedAt);
    const [namespace, name] = key.split("/");
    const status = view.get("Wukong", namespace, name)?.status as WukongStatus | undefined;
    metrics.phase(key, status?.phase);
    // An error the reconciler reported in status rather than retried (a refused child, a failed import).
    if (status?.phase === "Error") metrics.errored(status.conditions?.find(c => c.type === "Ready")?.reason ?? "Unknown");
  }
}

function reportFailure(metrics: ControllerMetrics, subject: { wukong: string } | { wukongSnapshot: string }, error: unknown, retryInMs: number): void {
  const child = error instanceof ChildWriteError ? `${error.kind} ${error.childName}` : undefined;
  const failure = apiFailure(error instanceof ChildWriteError ? error.cause : error);
  metrics.failed(failure.reason);
  const fields = { ...subject, ...(child && { child }), status: failure.status, reason: failure.reason, message: failure.message, retryInMs };
  Log.warn(fields, "wukong" in subject ? "reconcile failed; retrying" : "snapshot reconcile failed; retrying");
}

/** Discovery now, then again every interval (sooner after a failure), handing each answer to the watches. */
async function discoverEvery(client: () => Promise<KubeClient>, watches: Watches, errorMs: number, first = true): Promise<void> {
  try {
    const api = await client();
    // Node resources only feed warnings: a failed list leaves them unknown rather than hold up every reconcile.
    const [apis, resources, restoreFields] = await Promise.all([servedApis(api), nodeResources(api).catch(() => undefined), restoreSpecFields(api)]);
    const missing = Object.keys(OPTIONAL_WATCHES).filter(optional => !apis.has(optional));
    if (first && missing.length > 0) Log.info({ missing }, "optional APIs not served; the features that need them are reported on the Wukongs that use them");
    watches.discovered(apis, resources, restoreFields);
  } catch (error) {
    warn({ error: apiFailure(error).message, retryInMs: errorMs }, "could not discover the optional APIs and node resources");
    setTimeout(() => void discoverEvery(client, watches, errorMs, first), errorMs).unref();
    return;
  }
  setTimeout(() => void discoverEvery(client, watches, errorMs, false), config().discoveryIntervalMs).unref();
}
