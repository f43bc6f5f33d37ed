// The controller's own metrics on the module's /metrics (Pepr prefixes them with pepr_). Pepr's counters
// take no labels, so the labelled ones are gauges that only ever go up, except queue depth and phases.
import { metricsCollector } from "pepr";

const NAMES = {
  writes: "wukong_api_writes",
  reads: "wukong_api_reads",
  reconciles: "wukong_reconciles",
  duration: "wukong_reconcile_duration_ms",
  failures: "wukong_reconcile_failures",
  errors: "wukong_reconcile_errors",
  queueDepth: "wukong_queue_depth",
  phase: "wukong_wukongs",
} as const;

export interface ControllerMetrics {
  request(kind: "write" | "read"): void;
  reconciled(startedAt: number): void;
  /** A reconcile that threw and will be retried with backoff. */
  failed(reason: string): void;
  /** A reconcile that ended with the Wukong in Error: reported in status, looked at again later. */
  errored(reason: string): void;
  queueDepth(depth: number): void;
  /** The phase of one Wukong now (undefined once it is gone). */
  phase(key: string, phase: string | undefined): void;
}

export function controllerMetrics(): ControllerMetrics {
  metricsCollector.addCounter(NAMES.writes, "Writes the controller sent: applies, patches, deletes, status patches and Events.");
  metricsCollector.addCounter(NAMES.reads, "Reads no watch answers: StorageClasses and the user's own Secrets and NADs, cached once found.");
  metricsCollector.addCounter(NAMES.reconciles, "Reconciles run.");
  metricsCollector.addSummary(NAMES.duration, "How long one reconcile of one Wukong took, in milliseconds.");
  metricsCollector.addGauge(NAMES.failures, "Reconciles that failed and were retried with backoff, by reason.", ["reason"]);
  metricsCollector.addGauge(NAMES.errors, "Reconciles that ended with the Wukong in phase Error, by its Ready condition's reason.", ["reason"]);
  metricsCollector.addGauge(NAMES.queueDepth, "Wukongs waiting, running or scheduled for a retry in the work queue.", []);
  metricsCollector.addGauge(NAMES.phase, "Wukongs by status.phase.", ["phase"]);
  let depth = 0;
  const phases = new Map<string, string>();
  return {
    request: kind => metricsCollector.incCounter(kind === "write" ? NAMES.writes : NAMES.reads),
    reconciled(startedAt) {
      metricsCollector.incCounter(NAMES.reconciles);
      metricsCollector.observeEnd(startedAt, NAMES.duration);
    },
    failed: reason => metricsCollector.incGauge(NAMES.failures, { reason }),
    errored: reason => metricsCollector.incGauge(NAMES.errors, { reason }),
    queueDepth(next) {
      metricsCollector.incGauge(NAMES.queueDepth, {}, next - depth);
      depth = next;
    },
    phase(key, next) {
      const before = phases.get(key);
      if (before === next) return;
      if (before) metricsCollector.incGauge(NAMES.phase, { phase: before }, -1);
      if (next) metricsCollector.incGauge(NAMES.phase, { phase: next }, 1);
      if (next) phases.set(key, next);
      else phases.delete(key);
    },
  };
}
