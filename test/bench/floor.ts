// The floor: the same children the operator would build for N Wukongs, applied directly by a plain client at the
// operator's concurrency (4 Wukongs at a time; one Wukong's children in order NADs → volumes → Secret → VM), against the
// same simulator; timed until every VMI is Running. Then the namespace is deleted.
//   tsx test/bench/floor.ts --size 100 [--concurrency 4] [--deadline-seconds S] [--counts DIR] [--simulator PID] [--out FILE]
import { account, snapshot } from "./api-metrics";
import type { KubeClient } from "../support/kube-client";
import { benchClient, pool, RESOURCES, retrying } from "./support/kube";
import { ReadyWatch, createNamespace, deleteNamespace, log, options, machineBusy, percentiles, pids, seconds, writeJson } from "./support/phase";
import { CHILDREN_PER_WUKONG, checkWorkload, floorSteps, nameOf } from "./support/workload";

export interface FloorOptions {
  size: number;
  concurrency: number;
  deadlineMs: number;
  countsDir: string;
  /** Roots of counted processes (the simulator), signalled for fresh counts at each snapshot. */
  counted: number[];
  namespace?: string;
}

export async function runFloor(kube: KubeClient, o: FloorOptions) {
  const namespace = o.namespace ?? `bench-floor-${o.size}-${Date.now().toString(36)}`;
  checkWorkload(namespace, o.size);
  const indices = Array.from({ length: o.size }, (_, i) => i + 1);
  const steps = indices.map(i => floorSteps(namespace, i)); // built before the clock starts
  await createNamespace(kube, namespace);
  created.namespace = namespace;
  const before = await snapshot(kube, o.countsDir, o.counted);

  const vmis = new ReadyWatch(kube, "VirtualMachineInstance", namespace, vmi => (vmi.status as { phase?: string } | undefined)?.phase === "Running", o.size);
  const startedAt = new Map<string, number>();
  const applyRetries = { count: 0 };
  const busy = machineBusy();
  const t0 = Date.now();
  let appliedMs = 0;
  const applying = pool(indices, o.concurrency, async (index, i) => {
    startedAt.set(nameOf(index), Date.now());
    for (const step of steps[i]) await retrying(() => kube.apply(RESOURCES[step.kind], step.object, "wukong-bench-floor"), applyRetries);
  }).then(() => (appliedMs = Date.now() - t0));
  let last = -1;
  const converged = await vmis.wait(t0 + o.deadlineMs, () => {
    const n = vmis.readyAt.size;
    if (n !== last && (n === o.size || n % Math.max(1, Math.round(o.size / 10)) === 0))
      log(`floor: ${n}/${o.size} VMIs Running after ${seconds(Date.now() - t0)} s`);
    last = n;
  });
  await applying;
  const convergedMs = Math.max(...vmis.readyAt.values()) - t0;
  const machineBusyPercent = busy();
  const after = await snapshot(kube, o.countsDir, o.counted);
  const latencies = [...vmis.readyAt].map(([name, at]) => at - (startedAt.get(name) ?? t0));

  log(`floor: deleting namespace ${namespace}`);
  const cleanupSeconds = await deleteNamespace(kube, namespace, o.deadlineMs);
  return {
    phase: "floor",
    size: o.size,
    namespace,
    concurrency: o.concurrency,
    childrenPerWukong: CHILDREN_PER_WUKONG,
    converged,
    running: vmis.readyAt.size,
    applySeconds: seconds(appliedMs),
    applyRetries: applyRetries.count,
    convergeSeconds: converged ? seconds(convergedMs) : undefined,
    perWukongSeconds: percentiles(latencies),
    machineBusyPercent,
    api: account(before, after),
    cleanupSeconds,
  };
}

async function main() {
  const opt = options();
  const size = Number(opt.size ?? process.env.BENCH_SIZE ?? 20);
  const kube = await benchClient();
  try {
    const result = await runFloor(kube, {
      size,
      concurrency: Number(opt.concurrency ?? 4),
      deadlineMs: 1000 * Number(opt["deadline-seconds"] ?? 300 + size),
      countsDir: opt.counts ?? process.env.BENCH_REQUEST_COUNTS ?? "/nonexistent",
      counted: pids(opt.simulator),
    });
    log(`floor: ${result.running}/${size} Running; all applied after ${result.applySeconds} s, all Running after ${result.convergeSeconds ?? "—"} s`);
    writeJson(opt.out, result);
    process.exitCode = result.converged ? 0 : 3;
  } catch (error) {
    // Never leave N Wukongs behind: the next run's admission would find their addresses taken.
    log(`floor: failed: ${(error as Error).stack ?? error}`);
    if (created.namespace) {
      log(`floor: deleting namespace ${created.namespace}`);
      await deleteNamespace(kube, created.namespace, 600_000).catch(() => undefined);
    }
    process.exitCode = 1;
  } finally {
    await kube.close();
  }
}

/** The namespace this process created, for the clean-up after a failure. */
const created: { namespace?: string } = {};

if (require.main === module) void main();
