// Memory of the watcher as deployed: RSS of its node processes (Pepr's controller.js and the module it forks, summed
// as a container's memory counts them), sampled every second from /proc, with the peak per phase. Roots may be
// test/stack/deployed's supervisor: its node descendants are found at every sample, so a restarted container is followed.
import { readFileSync } from "node:fs";
import { processTree } from "./api-metrics";

function status(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, "utf8");
    const kib = (field: string) => Number(text.match(new RegExp(`^${field}:\\s+(\\d+) kB`, "m"))?.[1] ?? 0);
    return { rssKiB: kib("VmRSS"), hwmKiB: kib("VmHWM") };
  } catch {
    return undefined;
  }
}

/** utime + stime of a process, in clock ticks (USER_HZ, 100 on Linux). */
function cpuTicks(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3 (state)
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}
const TICKS_PER_SECOND = 100;

/** The node processes under `root` (itself included): under a test/stack/deployed supervisor, controller.js and its fork. */
function nodeProcesses(root: number): number[] {
  return processTree(root).filter(pid => {
    try {
      return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "node";
    } catch {
      return false;
    }
  });
}

export interface MemoryReport {
  roots: number[];
  /** Peak of the summed RSS over every sample, MiB. */
  peakRssMiB: number;
  /** Peak per phase (mark()), MiB. */
  peakByPhaseMiB: Record<string, number>;
  /** Last VmHWM seen per process (its own peak, which the 1 s samples can miss), MiB. */
  hwmMiB: Record<string, number>;
  /** Sum of the processes' VmHWM: an upper bound of the tree's peak. */
  hwmSumMiB: number;
  /** CPU seconds (user + system) of the processes, per phase. */
  cpuSecondsByPhase: Record<string, number>;
  /** [seconds since start, MiB] every sample. */
  samples: [number, number][];
  /** Processes that were seen and then went away before stop() (a crash, an OOM kill). */
  exited: number[];
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

export class MemorySampler {
  readonly #roots: number[];
  readonly #t0 = Date.now();
  readonly #samples: [number, number][] = [];
  readonly #peak: Record<string, number> = {};
  readonly #hwm = new Map<number, number>();
  readonly #seen = new Set<number>();
  readonly #ticks = new Map<number, number>();
  readonly #cpuAtMark: Record<string, number> = {};
  readonly #cpu: Record<string, number> = {};
  #phase = "start";
  #timer?: NodeJS.Timeout;

  constructor(roots: number[], intervalMs = 1000) {
    this.#roots = roots;
    this.sample();
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  mark(phase: string): void {
    this.sample();
    this.#closePhase();
    this.#phase = phase;
    this.#cpuAtMark[phase] = this.#totalTicks();
    this.sample();
  }

  #totalTicks(): number {
    return [...this.#ticks.values()].reduce((a, b) => a + b, 0);
  }

  #closePhase(): void {
    const start = this.#cpuAtMark[this.#phase] ?? 0;
    this.#cpu[this.#phase] = Math.round(((this.#totalTicks() - start) / TICKS_PER_SECOND) * 10) / 10;
  }

  sample(): number {
    const pids = this.#roots.flatMap(nodeProcesses);
    let rss = 0;
    for (const pid of pids) {
      const s = status(pid);
      if (!s) continue;
      this.#seen.add(pid);
      rss += s.rssKiB;
      this.#hwm.set(pid, s.hwmKiB);
      const ticks = cpuTicks(pid);
      if (ticks !== undefined) this.#ticks.set(pid, ticks);
    }
    this.#samples.push([Math.round((Date.now() - this.#t0) / 100) / 10, mib(rss)]);
    this.#peak[this.#phase] = Math.max(this.#peak[this.#phase] ?? 0, mib(rss));
    return mib(rss);
  }

  /** Every root is alive and has node processes under it. */
  alive(): boolean {
    return this.#roots.every(pid => status(pid) !== undefined && nodeProcesses(pid).length > 0);
  }

  /** Node processes seen so far (a restarted container brings new ones). */
  get seen(): number {
    return this.#seen.size;
  }

  stop(): MemoryReport {
    this.sample();
    this.#closePhase();
    if (this.#timer) clearInterval(this.#timer);
    const exited = [...this.#seen].filter(pid => status(pid) === undefined);
    const hwmMiB = Object.fromEntries([...this.#hwm].map(([pid, kib]) => [String(pid), mib(kib)]));
    return {
      roots: this.#roots,
      peakRssMiB: Math.max(0, ...Object.values(this.#peak)),
      peakByPhaseMiB: { ...this.#peak },
      hwmMiB,
      hwmSumMiB: mib([...this.#hwm.values()].reduce((a, b) => a + b, 0)),
      cpuSecondsByPhase: { ...this.#cpu },
      samples: this.#samples,
      exited,
    };
  }
}
