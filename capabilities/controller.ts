// The controller: a view fed by the watches, a work queue of Wukong keys, and the reconciler working it
// through the real ClusterPort. Created only in the process that runs controllers.
import { Log, metricsCollector } from "pepr";
import { apiFailure } from "../lib/cluster/api-errors";
import type { ChildKind, WatchedKind } from "../lib/cluster/kinds";
import type { LiveObject } from "../lib/cluster/live";
import { ClusterView, type WatchPhase } from "../lib/cluster/view";
import { DEFAULT_RESYNC, wukongReconciler } from "../lib/reconcile/reconciler";
import { WorkQueue } from "../lib/reconcile/work-queue";
import { ChildWriteError } from "../lib/reconcile/writes";
import { LABELS } from "../schemas/wukong";
import { CHILD_MODELS } from "./kinds";
import { startInformer } from "./runtime/informer";
import { KubeClient } from "./runtime/kube-client";
import { kubePort } from "./runtime/kube-port";


export interface Controller {
  /** A Wukong watch event: into the view, and its key into the queue. */
  observeWukong(wukong: LiveObject, phase: WatchPhase): void;
  /** Starts one watch per child kind; reconciles wait until each has listed once. */
  watchChildren(kinds: readonly ChildKind[]): void;
}

const warn = (fields: Record<string, unknown>, message: string) => Log.warn(fields, message);

// On the module's /metrics (prefixed pepr_): what the controller costs the API server beyond its watches.
const METRICS = {
  write: ["wukong_api_writes", "Writes the controller sent: applies, patches, deletes, status patches and Events."],
  read: ["wukong_api_reads", "Reads no watch answers: StorageClasses and the user's own Secrets and NADs, cached once found."],
  reconcile: ["wukong_reconciles", "Reconciles run."],
} as const;

export function createController(): Controller {
  for (const [name, help] of Object.values(METRICS)) metricsCollector.addCounter(name, help);
  const view = new ClusterView();
  let client: Promise<KubeClient> | undefined;
  const counted = (request: "write" | "read") => metricsCollector.incCounter(METRICS[request][0]);
  const port = kubePort({ client: () => (client ??= KubeClient.fromDefault()), view, warn, counted });
  const resync = { ...DEFAULT_RESYNC, errorMs: Number(process.env.WUKONG_ERROR_RESYNC_MS ?? DEFAULT_RESYNC.errorMs) };
  const reconcile = wukongReconciler(port, resync);
  let childKinds: readonly ChildKind[] = [];
  const synced = () => childKinds.every(kind => view.isSynced(kind));

  const queue = new WorkQueue(
    // Until every child kind has listed once, a missing child may only be unseen: wait rather than re-create.
    async key => {
      if (!synced()) return { requeueAfterMs: 200 };
      metricsCollector.incCounter(METRICS.reconcile[0]);
      return reconcile(key);
    },
    (key, error, retryInMs) => {
      const child = error instanceof ChildWriteError ? `${error.kind} ${error.childName}` : undefined;
      const failure = apiFailure(error instanceof ChildWriteError ? error.cause : error);
      Log.warn({ wukong: key, child, status: failure.status, reason: failure.reason, message: failure.message, retryInMs }, "reconcile failed; retrying");
    },
  );
  const enqueue = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) queue.add(`${namespace}/${name}`);
  };

  return {
    observeWukong(wukong, phase) {
      view.observe("Wukong" satisfies WatchedKind, wukong, phase);
      enqueue(wukong.metadata.namespace, wukong.metadata.name);
    },
    watchChildren(kinds) {
      childKinds = kinds;
      for (const kind of kinds) {
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
  };
}
