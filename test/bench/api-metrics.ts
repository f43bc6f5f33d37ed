// API economy: kube-apiserver's apiserver_request_total, scraped before and after each phase, and who sent what.
//
// apiserver_request_total has no user or client label, so attribution uses two independent sources:
//   1. the server's counters, by class (verb, group, resource, subresource, scope): minus what the benchmark driver
//      itself sent (it counts every request), the rest is operator + simulator + kube-controller-manager;
//   2. the clients' own counts, by the same classes: support/request-counter.cjs is preloaded into the operator's
//      processes and the simulator (node --require) and counts their requests on Node's diagnostics channels.
// Writes of classes only the operator makes (server-side apply, Wukong and Wukong status patches, Events, NAD
// deletions) are also summed from the server side alone, as a check on the client counts. Whatever the server saw
// that no client claims is reported as "unattributed" (kube-controller-manager's GC, namespace and
// service-account controllers, and kubectl).
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import type { KubeClient } from "../support/kube-client";
import type { Counts } from "./support/kube";

/** apiserver_request_total by class, summed over response codes (and versions, components, dry_run). */
export async function scrapeRequestTotals(kube: KubeClient): Promise<Counts> {
  const { status, text } = await kube.raw("GET", "/metrics");
  if (status !== 200) throw new Error(`GET /metrics: ${status}`);
  const totals: Counts = {};
  for (const line of text.split("\n")) {
    if (!line.startsWith("apiserver_request_total{")) continue;
    const close = line.lastIndexOf("}");
    const labels: Record<string, string> = {};
    for (const m of line.slice("apiserver_request_total{".length, close).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1]] = m[2];
    const value = Number(line.slice(close + 1).trim());
    if (labels.dry_run || !labels.resource) continue; // dry runs (readiness probes) and non-resource paths
    const key = `${labels.verb} ${labels.group || "core"}/${labels.resource}${labels.subresource ? "/" + labels.subresource : ""} ${labels.scope}`;
    totals[key] = (totals[key] ?? 0) + value;
  }
  return totals;
}

export type ClientCounts = Record<string, Counts>; // role → counts

/** Pids that catch SIGUSR2 (request-counter.cjs is loaded): the only ones it is safe to signal. */
function catchesSigusr2(pid: number): boolean {
  try {
    const mask = readFileSync(`/proc/${pid}/status`, "utf8").match(/^SigCgt:\s*([0-9a-f]+)/m)?.[1];
    return mask !== undefined && (BigInt(`0x${mask}`) & (1n << 11n)) !== 0n; // SIGUSR2 = 12
  } catch {
    return false;
  }
}

/** Every descendant of `pid`, itself included. */
export function processTree(pid: number): number[] {
  let children: number[] = [];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [pid];
  }
  return [pid, ...children.flatMap(processTree)];
}

/**
 * Asks the counted processes under `roots` for a fresh file (SIGUSR2) and waits for them (at most 1 s), so that the
 * client counts and the server scrape that follows cover the same window. Without roots, waits for the periodic
 * flush instead.
 */
export async function refreshClientCounts(dir: string, roots: number[]): Promise<void> {
  const asked = Date.now();
  const signalled = roots.flatMap(processTree).filter(catchesSigusr2);
  for (const pid of signalled) {
    try {
      process.kill(pid, "SIGUSR2");
    } catch {
      // gone meanwhile
    }
  }
  const freshFiles = () => {
    let n = 0;
    try {
      for (const file of readdirSync(dir).filter(f => f.endsWith(".json"))) {
        try {
          if ((JSON.parse(readFileSync(join(dir, file), "utf8")) as { at: number }).at >= asked) n++;
        } catch {
          // being renamed into place
        }
      }
    } catch {
      return 0;
    }
    return n;
  };
  if (signalled.length === 0) return new Promise(r => setTimeout(r, 400));
  while (Date.now() - asked < 1000 && freshFiles() < signalled.length) await new Promise(r => setTimeout(r, 20));
}

/** The counts each preloaded process wrote (role-pid.json), summed by role. */
export function readClientCounts(dir: string): ClientCounts {
  const byRole: ClientCounts = {};
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter(f => f.endsWith(".json"));
  } catch {
    return byRole;
  }
  for (const file of files) {
    try {
      const { role, counts } = JSON.parse(readFileSync(join(dir, file), "utf8")) as { role: string; counts: Counts };
      byRole[role] = add(byRole[role] ?? {}, counts);
    } catch {
      // being renamed into place: the next read has it
    }
  }
  return byRole;
}

export const add = (a: Counts, b: Counts): Counts => {
  const out = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = (out[k] ?? 0) + v;
  return out;
};
export const minus = (a: Counts, b: Counts): Counts => {
  const out: Counts = {};
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    const v = (a[k] ?? 0) - (b[k] ?? 0);
    if (v !== 0) out[k] = v;
  }
  return out;
};
const sum = (c: Counts, pick: (key: string) => boolean) => Object.entries(c).reduce((s, [k, v]) => (pick(k) ? s + v : s), 0);

const verbOf = (key: string) => key.split(" ")[0];
const scopeOf = (key: string) => key.split(" ")[2];
const resourceOf = (key: string) => key.split(" ")[1];
export const isRead = (key: string) => ["GET", "LIST"].includes(verbOf(key));
export const isWatch = (key: string) => verbOf(key) === "WATCH";
export const isWrite = (key: string) => !isRead(key) && !isWatch(key);

/** Write classes that, during a benchmark phase, only the operator produces. */
export function operatorOnlyWrite(key: string): boolean {
  const verb = verbOf(key);
  const resource = resourceOf(key);
  if (verb === "APPLY") return true;
  if (resource.startsWith("vm.novasphere.dev/wukongs")) return verb === "PATCH" || verb === "PUT";
  if (resource === "core/events" || resource === "events.k8s.io/events") return verb === "POST" || verb === "PATCH" || verb === "PUT";
  if (resource === "k8s.cni.cncf.io/network-attachment-definitions") return verb === "DELETE";
  return false;
}

const noWatches = (c: Counts): Counts => Object.fromEntries(Object.entries(c).filter(([k]) => !isWatch(k)));

/** Pepr's own store (pepr.dev/peprstores in pepr-system): its watch and re-lists, never a reconcile's. */
const pepr = (key: string) => resourceOf(key).startsWith("pepr.dev/");

export interface Tally {
  writes: number;
  /** GET and namespaced LIST: what a reconcile reads (Pepr's store excluded). */
  reconcileReads: number;
  /** Cluster-wide LISTs (a watch's initial list and re-lists, admission's lookups), and Pepr's store LISTs. */
  clusterLists: number;
  watches: number;
}

export function tally(c: Counts): Tally {
  return {
    writes: sum(c, isWrite),
    reconcileReads: sum(c, k => !pepr(k) && (verbOf(k) === "GET" || (verbOf(k) === "LIST" && scopeOf(k) !== "cluster"))),
    clusterLists: sum(c, k => verbOf(k) === "LIST" && (scopeOf(k) === "cluster" || pepr(k))),
    watches: sum(c, isWatch),
  };
}

export interface PhaseAccount {
  /** The server's delta, minus the driver's own requests. */
  server: Counts;
  driver: Counts;
  /** Per client role (watcher, admission, simulator, …), from the preloaded counters. */
  clients: ClientCounts;
  /** Server delta that no instrumented client claims (kube-controller-manager, kubectl, uninstrumented clients). */
  unattributed: Counts;
  /** From the server side alone: writes of classes only the operator makes. */
  serverOperatorOnlyWrites: number;
  tallies: Record<string, Tally>;
}

export interface Snapshot {
  server: Counts;
  driver: Counts;
  clients: ClientCounts;
}

/** Server and client counts at one moment; `roots`: pids of the counted processes (operator, simulator). */
export async function snapshot(kube: KubeClient, countsDir: string, roots: number[] = []): Promise<Snapshot> {
  await refreshClientCounts(countsDir, roots);
  const clients = readClientCounts(countsDir);
  const driver = { ...kube.sent };
  return { server: await scrapeRequestTotals(kube), driver, clients };
}

export function account(before: Snapshot, after: Snapshot): PhaseAccount {
  const driver = minus(after.driver, before.driver);
  // apiserver_request_total counts a WATCH only when it ends, so server-side watch counts say little: left out.
  const server = noWatches(minus(minus(after.server, before.server), driver));
  const clients: ClientCounts = {};
  for (const role of new Set([...Object.keys(after.clients), ...Object.keys(before.clients)])) {
    clients[role] = minus(after.clients[role] ?? {}, before.clients[role] ?? {});
  }
  const claimed = Object.values(clients).reduce(add, {});
  const unattributed = minus(server, noWatches(claimed));
  const tallies: Record<string, Tally> = { server: tally(server), driver: tally(driver), unattributed: tally(unattributed) };
  for (const [role, counts] of Object.entries(clients)) tallies[role] = tally(counts);
  tallies.operator = tally(add(clients.watcher ?? {}, clients.admission ?? {}));
  return { server, driver, clients, unattributed, serverOperatorOnlyWrites: sum(server, operatorOnlyWrite), tallies };
}
