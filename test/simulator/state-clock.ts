// Remembers since when each object has been in its current state, so the level-triggered loop can
// advance an object one step after a delay without writing timers into the cluster. In memory only:
// after a simulator restart every object simply waits one more delay.

export type Elapsed = (key: string, state: string) => number;

export class StateClock {
  private readonly entries = new Map<string, { state: string; since: number; seen: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds `key` has been in `state` (0 the first time this state is seen). */
  elapsed: Elapsed = (key, state) => {
    const t = this.now();
    const entry = this.entries.get(key);
    if (!entry || entry.state !== state) {
      this.entries.set(key, { state, since: t, seen: t });
      return 0;
    }
    entry.seen = t;
    return t - entry.since;
  };

  /** Forgets objects not looked at for a while (deleted objects). */
  sweep(maxIdleMs = 60_000): void {
    const t = this.now();
    for (const [key, entry] of this.entries) if (t - entry.seen > maxIdleMs) this.entries.delete(key);
  }
}
