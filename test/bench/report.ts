// Gathers one run's results (run.sh's output directory) into results.json and results.md, and prints the summary.
//   tsx test/bench/report.ts <run dir>
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Counts } from "./support/kube";

/* eslint-disable @typescript-eslint/no-explicit-any -- the phases' JSON, read back */
type Json = any;

const dir = process.argv[2];
if (!dir) throw new Error("usage: report.ts <run dir>");
const read = (file: string): Json => JSON.parse(readFileSync(join(dir, file), "utf8"));
const files = readdirSync(dir).filter(f => f.endsWith(".json") && f !== "results.json");
const bySize = (prefix: string) =>
  files
    .filter(f => f.startsWith(`${prefix}-`))
    .map(read)
    .sort((a, b) => a.size - b.size);

const floors = bySize("floor");
const converges = bySize("converge");
const ooms = (label: string, size: number) => {
  const file = join(dir, `${label}-${size}.oom`);
  return existsSync(file) ? Number(readFileSync(file, "utf8").trim() || 0) : undefined;
};
const maxold = files
  .filter(f => f.startsWith("maxold"))
  .map(read)
  .map(m => ({ ...m, outOfMemory: ooms(m.label, m.size) }));
const admission = existsSync(join(dir, "admission.json")) ? read("admission.json") : undefined;
const machine = { start: read("machine-start.json"), end: existsSync(join(dir, "machine-end.json")) ? read("machine-end.json") : undefined };

const fmt = (x: unknown, digits = 1) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits).replace(/\.0+$/, "") : "—");
const eventWrites = (c: Counts) => Object.entries(c).reduce((n, [k, v]) => (/^(POST|PATCH|PUT) (core|events\.k8s\.io)\/events /.test(k) ? n + v : n), 0);
const ratio = (a?: number, b?: number) => (a !== undefined && b ? a / b : undefined);

const rows = converges.map(c => {
  const f = floors.find(x => x.size === c.size);
  // Per-Wukong costs mean something only for a workload that converged (and a killed watcher loses its last counts).
  const e = c.converged ? (c.economy ?? {}) : {};
  return {
    size: c.size,
    floorSeconds: f?.convergeSeconds,
    operatorSeconds: c.convergeSeconds,
    ratio: ratio(c.convergeSeconds, f?.convergeSeconds),
    converged: c.converged,
    floorMachineBusyPercent: f?.machineBusyPercent,
    machineBusyPercent: c.machineBusyPercent,
    running: c.running,
    perWukongP50: c.perWukongSeconds?.p50,
    perWukongP95: c.perWukongSeconds?.p95,
    floorPerWukongP95: f?.perWukongSeconds?.p95,
    peakRssMiB: c.memory?.peakRssMiB,
    watcherCpuSeconds: c.memory?.cpuSecondsByPhase?.converge,
    writesPerWukong: e.writesPerWukong,
    writesPerChild: e.writesPerChild,
    serverOperatorOnlyWritesPerWukong: e.serverOperatorOnlyWritesPerWukong,
    reconcileReadsPerWukong: e.reconcileReadsPerWukong,
    idleSeconds: c.idleSeconds,
    idleWrites: e.idleWrites,
    // From the phase accounts, so that results written before these fields existed still report them.
    eventsPerWukong: c.converged ? eventWrites(c.api?.converge?.clients?.watcher ?? {}) / c.size : undefined,
    idleReconcileReads: c.api?.idle?.tallies?.watcher?.reconcileReads ?? 0,
    idleWatchLists: c.api?.idle?.tallies?.watcher?.clusterLists ?? 0,
    deleteSeconds: c.deleteSeconds,
    deleteWritesPerWukong: e.deleteWritesPerWukong,
    restarts: c.watcherRestarts,
    cgroupLimitMiB: c.watcherCgroup?.limitMiB,
    cgroupPeakMiB: c.watcherCgroup?.peakMiB,
    oomKills: c.watcherCgroup?.oomKills,
    outOfMemory: ooms("converge", c.size),
  };
});

const table = [
  "| N | floor s | operator s | ratio (≤ 1.3) | per Wukong p50 / p95 s | watcher peak RSS MiB (≤ 256) | watcher CPU s | writes per Wukong (≤ 8), of which Events | writes per child | reconcile reads per Wukong (0) | idle: writes (0), reconcile reads, watch re-lists | delete s |",
  "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
  ...rows.map(
    r =>
      `| ${r.size} | ${fmt(r.floorSeconds)} | ${r.converged ? fmt(r.operatorSeconds) : `not converged (${r.running}/${r.size})`} | ${fmt(r.ratio, 2)} | ` +
      `${fmt(r.perWukongP50)} / ${fmt(r.perWukongP95)} | ${fmt(r.peakRssMiB, 0)} | ${fmt(r.watcherCpuSeconds)} | ${fmt(r.writesPerWukong, 2)}, ${fmt(r.eventsPerWukong, 2)} | ` +
      `${fmt(r.writesPerChild, 2)} | ${fmt(r.reconcileReadsPerWukong, 2)} | ` +
      `${fmt(r.idleWrites, 0)}, ${fmt(r.idleReconcileReads, 0)}, ${fmt(r.idleWatchLists, 0)} in ${fmt(r.idleSeconds, 0)} s | ${fmt(r.deleteSeconds)} |`,
  ),
];

const maxoldLines = maxold.map(
  m =>
    `- ${m.label} (N=${m.size}): ${m.converged ? `converged in ${fmt(m.convergeSeconds)} s` : `did NOT converge (${m.running}/${m.size} Running at the deadline)`}` +
    `${m.watcherRestarts ? `, with ${m.watcherRestarts} watcher restart(s) during the run (${m.outOfMemory ?? "?"} "JavaScript heap out of memory" in its log)` : ", without a watcher restart"}; ` +
    `peak RSS ${fmt(m.memory?.peakRssMiB, 0)} MiB` +
    (m.watcherCgroup
      ? `; container limit ${fmt(m.watcherCgroup.limitMiB, 0)} MiB, cgroup peak ${fmt(m.watcherCgroup.peakMiB, 0)} MiB, OOM kills ${m.watcherCgroup.oomKills}`
      : ""),
);

/** The watcher's requests in the converge phase, by class, most first: where the writes and reads go. */
const breakdown = converges.map(c => {
  const watcher: Counts = c.api?.converge?.clients?.watcher ?? {};
  const lines = Object.entries(watcher)
    .filter(([, v]) => v > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `| ${k} | ${v} | ${fmt(v / c.size, 2)} |`);
  const t = c.api?.converge?.tallies ?? {};
  const who = ["watcher", "admission", "simulator", "driver", "unattributed"]
    .filter(role => t[role])
    .map(role => `${role} ${t[role].writes} writes / ${t[role].reconcileReads + t[role].clusterLists} reads`)
    .join("; ");
  return [
    `#### N=${c.size}: the watcher's requests while converging`,
    "",
    `Server total (minus the driver's own): ${t.server?.writes ?? "?"} writes, ${(t.server?.reconcileReads ?? 0) + (t.server?.clusterLists ?? 0)} reads. ` +
      `By client: ${who}. Server-side writes of operator-only classes: ${c.api?.converge?.serverOperatorOnlyWrites ?? "?"}.`,
    "",
    "| class (verb group/resource scope) | requests | per Wukong |",
    "| --- | ---: | ---: |",
    ...lines,
    "",
  ].join("\n");
});

const m = machine.start;
const header = [
  `Run ${dir.split("/").pop()}: ${m.date}, ${m.nproc} CPUs (${m.cpu}), ${m.memTotalMiB} MiB, Linux ${m.kernel}, Node ${m.node}; ` +
    `load average at start ${m.loadavg.join(" ")}, at end ${machine.end?.loadavg?.join(" ") ?? "?"}. ` +
    `Simulator knobs: ${JSON.stringify(m.simulator ?? {})}.`,
  `Whole-machine CPU busy while converging (all processes, ours and others'): ` +
    rows.map(r => `N=${r.size} floor ${fmt(r.floorMachineBusyPercent, 0)}%, operator ${fmt(r.machineBusyPercent, 0)}%`).join("; ") +
    ".",
];
const restartLines = rows
  .filter(r => r.restarts || r.oomKills || r.cgroupLimitMiB)
  .map(
    r =>
      `- N=${r.size}: watcher restarts ${r.restarts ?? "?"} (heap OOMs in its log ${r.outOfMemory ?? "?"}, cgroup OOM kills ${r.oomKills ?? "?"}); ` +
      `container limit ${fmt(r.cgroupLimitMiB, 0)} MiB, cgroup peak ${fmt(r.cgroupPeakMiB, 0)} MiB`,
  );
// kube-controller-manager and the API server's housekeeping write a handful while converging; much more means a client
// nobody counts (another simulator, a test) used this API server during the run, and the times are suspect.
const foreign = [...floors.map(f => ["floor", f.size, f.api]), ...converges.map(c => ["converge", c.size, c.api?.converge])]
  .filter(([, , a]) => a && a.tallies.unattributed.writes > Math.max(20, 0.05 * a.tallies.server.writes))
  .map(
    ([phase, size, a]) =>
      `**Warning:** ${phase} N=${size}: ${a.tallies.unattributed.writes} of ${a.tallies.server.writes} writes came from no counted client: another client used this API server during the run.`,
  );
const markdown = [...header, "", ...foreign, ...(foreign.length ? [""] : []), ...table, "", ...restartLines, ...maxoldLines, "", ...breakdown].join("\n");
writeFileSync(join(dir, "results.md"), markdown + "\n");
writeFileSync(
  join(dir, "results.json"),
  JSON.stringify(
    { machine, rows, maxold: maxold.map(({ memory, api: _api, ...rest }) => ({ ...rest, peakRssMiB: memory?.peakRssMiB })), admission, floors, converges },
    null,
    1,
  ) + "\n",
);
console.log(markdown);
