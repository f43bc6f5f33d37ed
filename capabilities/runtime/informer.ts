// An informer: one kubernetes-fluent-client watch per kind (list, then watch, relisting every ten minutes)
// feeding the view. Unlike a Pepr watch, which ends the process after five failed reconnects, it starts
// over after an outage, and every full list replaces what the view held of that kind.
import { K8s, WatchEvent, type GenericClass, type KubernetesObject } from "kubernetes-fluent-client";
import type { WatchedKind } from "../../lib/cluster/kinds";
import { config } from "./config";
import type { LiveObject } from "../../lib/cluster/live";
import type { ClusterView, WatchPhase } from "../../lib/cluster/view";

export interface InformerOptions {
  kind: WatchedKind;
  model: GenericClass;
  /** Only objects carrying this label key (any value). */
  label?: string;
  view: ClusterView;
  /** Called after the view took in an object (added, changed, deleted, or gone from a relist). */
  onChange: (object: LiveObject) => void;
  warn: (fields: Record<string, unknown>, message: string) => void;
}

const WATCH_CONFIG = { resyncFailureMax: 5, resyncDelaySec: 5, lastSeenLimitSeconds: 300 };
const RESTART_DELAY_MS = { first: 2_000, max: 60_000 };

export function startInformer({ kind, model, label, view, onChange, warn }: InformerOptions): { stop(): void } {
  let current: { close(): void } | undefined;
  let stopped = false;
  let restarts = 0;

  const start = () => {
    const query = label ? K8s(model).WithLabel(label) : K8s(model);
    const watcher = query.Watch(
      (object: KubernetesObject, phase) => {
        const live = object as unknown as LiveObject;
        view.observe(kind, live, phase as WatchPhase);
        onChange(live);
      },
      { ...WATCH_CONFIG, relistIntervalSec: config().relistIntervalSec },
    );
    watcher.events.on(WatchEvent.LIST, (list: { items?: LiveObject[] }) => {
      restarts = 0;
      for (const gone of view.listed(kind, list.items ?? [])) onChange(gone);
      // The listed items are handed to the callback right after this event, synchronously.
      setImmediate(() => view.markSynced(kind));
    });
    watcher.events.on(WatchEvent.GIVE_UP, (error: Error) => {
      watcher.close();
      if (stopped) return;
      const delay = Math.min(RESTART_DELAY_MS.first * 2 ** restarts++, RESTART_DELAY_MS.max);
      warn({ kind, error: error?.message, retryInMs: delay }, "watch gave up; starting it over");
      setTimeout(() => !stopped && start(), delay);
    });
    void watcher.start().catch((error: Error) => warn({ kind, error: error?.message }, "watch failed to start"));
    current = watcher;
  };

  start();
  return {
    stop() {
      stopped = true;
      current?.close();
    },
  };
}
