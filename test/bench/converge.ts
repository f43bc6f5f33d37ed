// Convergence of N Wukongs against the running operator, and what it costs: time until every Wukong reports
// status.phase Running; the API requests of converging, of IDLE idle seconds and of deleting them all (api-metrics.ts);
// the watcher's memory throughout (memory.ts).
//   tsx test/bench/converge.ts --size 100 [--create-concurrency 4] [--idle-seconds 600] [--deadline-seconds S]
//       [--watcher PIDS] [--admission PIDS] [--simulator PIDS] [--counts DIR] [--label L] [--out FILE]
//       [--restarts-file <deploy dir>/watcher/restarts] [--cgroup-file <deploy dir>/watcher/cgroup]
// PIDS: space- or comma-separated roots (test/stack/deployed's supervisor pids, or the processes themselves).
import { readFileSync } from "node:fs";
import { KINDS, LABELLED_CHILD_KINDS } from "../../lib/cluster/kinds";
import { account, readClientCounts, snapshot, type Snapshot } from "./api-metrics";
import { MemorySampler, type MemoryReport } from "./memory";
import type { ApiError, KubeClient, KubeObject } from "../support/kube-client";
import { benchClient, pool, RESOURCES, retrying, sleep } from "./support/kube";
import { ReadyWatch, createNamespace, deleteNamespace, log, options, machineBusy, percentiles, pids, seconds, writeJson } from "./support/phase";
import { CHILDREN_PER_WUKONG, checkWorkload, wukong } from "./support/workload";

export interface ConvergeOptions {
  size: number;
  createConcurrency: number;
  idleMs: number;
  deadlineMs: number;
  countsDir: string;
  /** Roots of the watcher's processes (test/stack/deployed's supervisor, or controller.js): memory, counts. */
  watcher: number[];
  /** Roots of admission's processes: memory (reported beside), counts. */
  admission: number[];
  /** Roots of other counted processes (the simulator). */
  others: number[];
  label?: string;
  /** test/stack/deployed's restart counter of the watcher (<deploy dir>/watcher/restarts), read before and after. */
  restartsFile?: string;
  /** test/stack/deployed's record of the watcher's memory cgroup (<deploy dir>/watcher/cgroup). */
  cgroupFile?: string;
}

/** The watcher container's memory cgroup (test/stack/deployed puts each pod in one of its Deployment's limit). */
function cgroupMemory(file?: string): { limitMiB?: number; peakMiB?: number; oomKills?: number } | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, "utf8").trim();
    } catch {
      return undefined;
    }
  };
  const dir = file && read(file);
  if (!dir) return undefined;
  const mib = (bytes?: string) => (bytes && /^\d+$/.test(bytes) ? Math.round((Number(bytes) / 1048576) * 10) / 10 : undefined);
  const v2 = read(`${dir}/memory.peak`) !== undefined;
  const events = read(`${dir}/${v2 ? "memory.events" : "memory.oom_control"}`) ?? "";
  return {
    limitMiB: mib(read(`${dir}/${v2 ? "memory.max" : "memory.limit_in_bytes"}`)),
    peakMiB: mib(read(`${dir}/${v2 ? "memory.peak" : "memory.max_usage_in_bytes"}`)),
    oomKills: Number(events.match(/^oom_kill (\d+)/m)?.[1] ?? 0),
  };
}

const restarts = (file?: string) => {
  try {
    return file ? Number(readFileSync(file, "utf8").trim()) : undefined;
  } catch {
    return undefined;
  }
};

// The children are counted from the kinds table, so a new child kind is counted too.
const CHILD_RESOURCES = LABELLED_CHILD_KINDS.map(kind => ({ ...KINDS[kind], kind }));

export async function runConverge(kube: KubeClient, o: ConvergeOptions) {
  const namespace = `bench-${o.size}-${Date.now().toString(36)}`;
  checkWorkload(namespace, o.size);
  const restartsBefore = restarts(o.restartsFile);
  const indices = Array.from({ length: o.size }, (_, i) => i + 1);
  const wukongs = indices.map(i => wukong(namespace, i));
  const memory = o.watcher.length ? new MemorySampler(o.watcher) : undefined;
  const admissionMemory = o.admission.length ? new MemorySampler(o.admission) : undefined;
  const counted = [...o.watcher, ...o.admission, ...o.others];
  const operatorAlive = () => memory?.alive() ?? true;
  await createNamespace(kube, namespace);
  created.namespace = namespace;
  const snapshots: Record<string, Snapshot> = { start: await snapshot(kube, o.countsDir, counted) };

  // ---- converge
  memory?.mark("converge");
  admissionMemory?.mark("converge");
  const running = new ReadyWatch(kube, "Wukong", namespace, w => (w.status as { phase?: string } | undefined)?.phase === "Running", o.size);
  const createdAt = new Map<string, number>();
  const busy = machineBusy();
  const t0 = Date.now();
  let createdMs = 0;
  const createRetries = { count: 0 };
  const createFailures: string[] = [];
  const creating = pool(wukongs, o.createConcurrency, async w => {
    createdAt.set(w.metadata.name, Date.now());
    try {
      await retrying(async () => {
        try {
          await kube.create(RESOURCES.Wukong, w as unknown as KubeObject);
        } catch (error) {
          if ((error as ApiError).status !== 409) throw error; // a retried create that had gone through
        }
      }, createRetries);
    } catch (error) {
      createFailures.push(String((error as Error).message).slice(0, 300)); // the workload will not converge: recorded
    }
  }).then(() => (createdMs = Date.now() - t0));
  let last = -1;
  const converged = await running.wait(t0 + o.deadlineMs, () => {
    const n = running.readyAt.size;
    if (n !== last && (n === o.size || n % Math.max(1, Math.round(o.size / 10)) === 0)) {
      log(`converge: ${n}/${o.size} Wukongs Running after ${seconds(Date.now() - t0)} s${memory ? `, watcher RSS ${memory.sample()} MiB` : ""}`);
    }
    last = n;
  });
  await creating;
  const convergedMs = converged ? Math.max(...running.readyAt.values()) - t0 : undefined;
  const machineBusyPercent = busy();
  if (createFailures.length) log(`converge: ${createFailures.length} Wukongs could not be created, e.g. ${createFailures[0]}`);
  if (!converged) log(`converge: NOT converged: ${running.readyAt.size}/${o.size} Running at the deadline; operator alive: ${operatorAlive()}`);
  const latencies = [...running.readyAt].map(([name, at]) => at - (createdAt.get(name) ?? t0));

  // ---- settle: the last status writes and events after the last Running, until the watcher is quiet for 5 s
  const settleStart = Date.now();
  await settle(o.countsDir, 5000, 120_000);
  const settleSeconds = seconds(Date.now() - settleStart);
  snapshots.converged = await snapshot(kube, o.countsDir, counted);

  // ---- idle
  memory?.mark("idle");
  admissionMemory?.mark("idle");
  const idleSeconds = converged ? seconds(o.idleMs) : 0; // no idle window for a workload that did not converge
  if (converged && o.idleMs > 0) {
    log(`idle: ${idleSeconds} s`);
    await sleep(o.idleMs);
  }
  snapshots.idle = await snapshot(kube, o.countsDir, counted);

  // ---- delete all Wukongs; done when no Wukong and no labelled child is left
  memory?.mark("delete");
  admissionMemory?.mark("delete");
  const d0 = Date.now();
  await kube.raw("DELETE", `/apis/vm.novasphere.dev/v1alpha1/namespaces/${namespace}/wukongs`, {
    kind: "DeleteOptions",
    apiVersion: "v1",
    propagationPolicy: "Background",
  });
  let deleteMs: number | undefined;
  while (Date.now() - d0 < o.deadlineMs) {
    const left = (await kube.list(RESOURCES.Wukong, namespace)).items.length;
    let children = 0;
    for (const resource of CHILD_RESOURCES) children += (await kube.list(resource, namespace, "vm.novasphere.dev/wukong")).items.length;
    if (left === 0 && children === 0) {
      deleteMs = Date.now() - d0;
      break;
    }
    await sleep(1000);
  }
  await settle(o.countsDir, 3000, 30_000);
  snapshots.deleted = await snapshot(kube, o.countsDir, counted);
  const memoryReport: MemoryReport | undefined = memory?.stop();
  const cgroup = cgroupMemory(o.cgroupFile); // before the operator stops: its cgroup goes with it
  const admissionReport = admissionMemory?.stop();

  log(`converge: deleting namespace ${namespace}`);
  const cleanupSeconds = await deleteNamespace(kube, namespace, o.deadlineMs);

  const phases = {
    converge: account(snapshots.start, snapshots.converged),
    idle: account(snapshots.converged, snapshots.idle),
    delete: account(snapshots.idle, snapshots.deleted),
  };
  const watcher = phases.converge.tallies.watcher;
  return {
    phase: "converge",
    label: o.label,
    size: o.size,
    namespace,
    childrenPerWukong: CHILDREN_PER_WUKONG,
    createConcurrency: o.createConcurrency,
    converged,
    running: running.readyAt.size,
    operatorAlive: operatorAlive(),
    createSeconds: seconds(createdMs),
    /** Creates retried because admission answered "retry" (a lookup timed out), or the server was busy. */
    createRetries: createRetries.count,
    createFailures,
    convergeSeconds: convergedMs === undefined ? undefined : seconds(convergedMs),
    perWukongSeconds: percentiles(latencies),
    machineBusyPercent,
    settleSeconds,
    idleSeconds,
    deleteSeconds: deleteMs === undefined ? undefined : seconds(deleteMs),
    cleanupSeconds,
    economy: watcher && {
      writesPerWukong: round(watcher.writes / o.size),
      writesPerChild: round(watcher.writes / (o.size * CHILDREN_PER_WUKONG)),
      writeBudgetPerWukong: CHILDREN_PER_WUKONG + 2,
      reconcileReadsPerWukong: round(watcher.reconcileReads / o.size),
      serverOperatorOnlyWritesPerWukong: round(phases.converge.serverOperatorOnlyWrites / o.size),
      eventsPerWukong: round(eventWrites(phases.converge.clients.watcher ?? {}) / o.size),
      idleWrites: phases.idle.tallies.watcher?.writes ?? 0,
      idleReconcileReads: phases.idle.tallies.watcher?.reconcileReads ?? 0,
      /** Cluster-wide LISTs in the idle window: the watches' re-lists, not reconciles. */
      idleWatchLists: phases.idle.tallies.watcher?.clusterLists ?? 0,
      deleteWritesPerWukong: round((phases.delete.tallies.watcher?.writes ?? 0) / o.size),
      deleteReadsPerWukong: round((phases.delete.tallies.watcher?.reconcileReads ?? 0) / o.size),
    },
    api: phases,
    memory: memoryReport,
    /** Node processes of the watcher seen during the run: 2 unless its container restarted. */
    watcherProcessesSeen: memory?.seen,
    watcherRestarts: restartsBefore === undefined ? undefined : (restarts(o.restartsFile) ?? 0) - restartsBefore,
    /** The container's memory cgroup: its limit, its peak usage since the container started (page cache included), OOM kills. */
    watcherCgroup: cgroup,
    admissionMemory: admissionReport && { peakRssMiB: admissionReport.peakRssMiB, peakByPhaseMiB: admissionReport.peakByPhaseMiB },
  };
}

const round = (x: number) => Math.round(x * 100) / 100;
const eventWrites = (c: Record<string, number>) =>
  Object.entries(c).reduce((n, [k, v]) => (/^(POST|PATCH|PUT) (core|events\.k8s\.io)\/events /.test(k) ? n + v : n), 0);

/** Waits until the watcher's request counts stop changing for `quietMs` (at most `maxMs`). */
async function settle(countsDir: string, quietMs: number, maxMs: number): Promise<void> {
  const start = Date.now();
  const total = () => Object.values(readClientCounts(countsDir).watcher ?? {}).reduce((a, b) => a + b, 0);
  let last = total();
  let quietSince = Date.now();
  while (Date.now() - start < maxMs && Date.now() - quietSince < quietMs) {
    await sleep(500);
    const now = total();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    }
  }
}

async function main() {
  const opt = options();
  const size = Number(opt.size ?? process.env.BENCH_SIZE ?? 20);
  const kube = await benchClient();
  try {
    const result = await runConverge(kube, {
      size,
      createConcurrency: Number(opt["create-concurrency"] ?? 4),
      idleMs: 1000 * Number(opt["idle-seconds"] ?? process.env.BENCH_IDLE_SECONDS ?? 30),
      deadlineMs: 1000 * Number(opt["deadline-seconds"] ?? 300 + size),
      countsDir: opt.counts ?? process.env.BENCH_REQUEST_COUNTS ?? "/nonexistent",
      watcher: pids(opt.watcher),
      admission: pids(opt.admission),
      others: pids(opt.simulator),
      label: opt.label,
      restartsFile: opt["restarts-file"],
      cgroupFile: opt["cgroup-file"],
    });
    log(
      `converge: ${result.running}/${size} Running; created in ${result.createSeconds} s, all Running after ${result.convergeSeconds ?? "—"} s; ` +
        `peak watcher RSS ${result.memory?.peakRssMiB ?? "—"} MiB; economy ${JSON.stringify(result.economy)}`,
    );
    writeJson(opt.out, result);
    process.exitCode = result.converged ? 0 : 3;
  } catch (error) {
    // Never leave N Wukongs behind: the next run's admission would find their addresses taken.
    log(`converge: failed: ${(error as Error).stack ?? error}`);
    if (created.namespace) {
      log(`converge: deleting namespace ${created.namespace}`);
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
