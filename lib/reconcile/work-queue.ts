// A keyed work queue: each key is worked by one worker at a time, repeats collapse into one run, and a
// failed run comes back after a capped exponential backoff through a timer — nobody sleeps in the queue.
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** What a run asks for next: nothing, or another run after a delay (polling a slow or broken dependency). */
export type RunOutcome = { requeueAfterMs?: number } | void;

export type Worker = (key: string) => Promise<RunOutcome>;

export class WorkQueue {
  readonly #pending = new Set<string>();
  readonly #running = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #failures = new Map<string, number>();
  #stopped = false;

  constructor(
    private readonly worker: Worker,
    private readonly onError: (key: string, error: unknown, retryInMs: number) => void,
    private readonly retry: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 60_000 },
    private readonly concurrency = 4,
  ) {}

  /**
   * Schedules a run of `key`, now or after `delayMs`. An earlier request for the same key wins. A delay that is no
   * finite number (NaN from a bad setting) waits the longest backoff: it must never turn into a run at once, forever.
   */
  add(key: string, delayMs = 0): void {
    if (this.#stopped) return;
    if (!Number.isFinite(delayMs)) delayMs = this.retry.maxDelayMs;
    if (delayMs > 0) {
      if (this.#timers.has(key)) return;
      this.#timers.set(
        key,
        setTimeout(() => {
          this.#timers.delete(key);
          this.add(key);
        }, delayMs),
      );
      return;
    }
    this.#clearTimer(key);
    if (this.#running.has(key)) {
      this.#dirty.add(key); // run again when the current run ends: it may have read stale state
      return;
    }
    this.#pending.add(key);
    this.#drain();
  }

  /** Keys waiting or running: for tests and shutdown. */
  get size(): number {
    return this.#pending.size + this.#running.size + this.#timers.size;
  }

  stop(): void {
    this.#stopped = true;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#pending.clear();
  }

  #drain(): void {
    for (const key of this.#pending) {
      if (this.#running.size >= this.concurrency) return;
      this.#pending.delete(key);
      this.#running.add(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    let next: RunOutcome;
    try {
      next = await this.worker(key);
      this.#failures.delete(key);
    } catch (error) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      const delay = Math.min(this.retry.baseDelayMs * 2 ** (failures - 1), this.retry.maxDelayMs);
      this.onError(key, error, delay);
      next = { requeueAfterMs: delay };
    }
    this.#running.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
    else if (next?.requeueAfterMs !== undefined) this.add(key, next.requeueAfterMs);
    this.#drain();
  }

  #clearTimer(key: string): void {
    const timer = this.#timers.get(key);
    if (timer) clearTimeout(timer);
    this.#timers.delete(key);
  }
}
