// Shared by the phases: CLI options, waiting for a count of ready objects through one watch, latency summaries.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { isNotFound, type KubeClient, type KubeObject } from "../../support/kube-client";
import { type KindName, RESOURCES, sleep } from "./kube";

/** --name value pairs, with defaults from the environment. */
export function options(argv = process.argv.slice(2)): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = argv[i].match(/^--([\w-]+)(?:=(.*))?$/);
    if (!m) throw new Error(`unexpected argument ${argv[i]}`);
    out[m[1]] = m[2] ?? argv[++i];
  }
  return out;
}

/** "12 34,56" → [12, 34, 56] */
export const pids = (list: string | undefined): number[] =>
  (list ?? "")
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);

export const seconds = (ms: number) => Math.round(ms / 100) / 10;

export function percentiles(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] : NaN);
  return { p50: seconds(at(0.5)), p95: seconds(at(0.95)), max: seconds(at(1)) };
}

/**
 * Watches `kind` in `namespace` and records when each object first satisfies `ready`. `wait()` resolves when `expected`
 * objects are ready or the deadline passes.
 */
export class ReadyWatch {
  readonly readyAt = new Map<string, number>();
  readonly #abort = new AbortController();
  readonly #done: Promise<void>;

  constructor(
    kube: KubeClient,
    kind: KindName,
    namespace: string,
    private readonly ready: (o: KubeObject) => boolean,
    private readonly expected: number,
  ) {
    this.#done = kube
      .watch(
        RESOURCES[kind],
        namespace,
        {
          onObject: o => {
            const name = o.metadata.name ?? "";
            if (!this.readyAt.has(name) && this.ready(o)) this.readyAt.set(name, Date.now());
          },
          done: () => this.readyAt.size >= this.expected,
        },
        this.#abort.signal,
      )
      .catch(error => {
        if (!this.#abort.signal.aborted) throw error;
      });
  }

  /** True when all are ready, false at the deadline; `tick` runs every second meanwhile (progress, liveness). */
  async wait(deadline: number, tick?: () => void): Promise<boolean> {
    while (this.readyAt.size < this.expected && Date.now() < deadline) {
      await Promise.race([this.#done, sleep(1000)]);
      tick?.();
    }
    this.#abort.abort();
    await this.#done;
    return this.readyAt.size >= this.expected;
  }
}

export async function createNamespace(kube: KubeClient, name: string): Promise<void> {
  await kube.create(RESOURCES.Namespace, { apiVersion: "v1", kind: "Namespace", metadata: { name, labels: { "wukong-bench": "true" } } });
}

/** Deletes the namespace and waits until it is gone; returns the seconds it took, or undefined at the deadline. */
export async function deleteNamespace(kube: KubeClient, name: string, timeoutMs: number): Promise<number | undefined> {
  const t0 = Date.now();
  await kube.delete(RESOURCES.Namespace, "", name).catch(error => {
    if (!isNotFound(error)) throw error;
  });
  while (Date.now() - t0 < timeoutMs) {
    if ((await kube.get(RESOURCES.Namespace, "", name)) === undefined) return seconds(Date.now() - t0);
    await sleep(1000);
  }
  return undefined;
}

export function writeJson(file: string | undefined, value: unknown): void {
  const text = JSON.stringify(value, null, 1);
  if (!file) {
    console.log(text);
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text + "\n");
}

/** Whole-machine CPU use between two calls of the returned function, in % of all CPUs (contention indicator). */
export function machineBusy(): () => number {
  const read = () => {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = cpu[3] + cpu[4]; // idle + iowait
    const total = cpu.reduce((a, b) => a + b, 0);
    return { idle, total };
  };
  const start = read();
  return () => {
    const end = read();
    const total = end.total - start.total;
    return total > 0 ? Math.round((1000 * (total - (end.idle - start.idle))) / total) / 10 : 0;
  };
}

export const log = (...parts: unknown[]) => console.error(`[bench ${new Date().toISOString().slice(11, 19)}]`, ...parts);
