// The controller: one work queue of Wukong keys fed by every watch, worked by the reconciler.
import { Log } from "pepr";
import { LABELS } from "../../schemas/wukong";
import { apiFailure } from "../runtime/api-errors";
import { kubernetesEvents } from "../runtime/events";
import { WorkQueue } from "../runtime/work-queue";
import { wukongReconciler } from "./reconciler";

export interface Controller {
  /** Queues the Wukong itself. */
  enqueue(object: { metadata?: { namespace?: string; name?: string } }): void;
  /** Queues the Wukong a child belongs to, found by its vm.novasphere.dev/wukong label. */
  enqueueOwner(child: { metadata?: { namespace?: string; labels?: Record<string, string> } }): void;
}

export function createController(): Controller {
  const queue = new WorkQueue(wukongReconciler(kubernetesEvents), (key, error, retryInMs) => {
    const failure = apiFailure(error);
    Log.warn({ wukong: key, status: failure.status, reason: failure.reason, message: failure.message, retryInMs }, "reconcile failed; retrying");
  });
  const add = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) queue.add(`${namespace}/${name}`);
  };
  return {
    enqueue: object => add(object.metadata?.namespace, object.metadata?.name),
    enqueueOwner: child => add(child.metadata?.namespace, child.metadata?.labels?.[LABELS.wukong]),
  };
}
