import { WorkQueue } from "../../../lib/reconcile/work-queue";

const flush = () => new Promise(resolve => setImmediate(resolve));

describe("WorkQueue", () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ["setImmediate"] }));
  afterEach(() => jest.useRealTimers());

  it("collapses repeated adds of a waiting key into one run", async () => {
    const runs: string[] = [];
    const queue = new WorkQueue(
      async key => void runs.push(key),
      () => undefined,
      undefined,
      1,
    );
    queue.add("a");
    queue.add("b");
    queue.add("b");
    queue.add("b");
    await flush();
    await flush();
    expect(runs).toEqual(["a", "b"]);
  });

  it("never runs one key twice at once, and reruns it when it was added during a run", async () => {
    let active = 0;
    let maxActive = 0;
    let release: () => void = () => undefined;
    const runs: number[] = [];
    const queue = new WorkQueue(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        runs.push(runs.length);
        if (runs.length === 1) await new Promise<void>(resolve => (release = resolve));
        active--;
      },
      () => undefined,
    );
    queue.add("a");
    await flush();
    queue.add("a"); // arrives while the first run is in progress
    await flush();
    expect(runs).toHaveLength(1);
    release();
    await flush();
    await flush();
    expect(runs).toHaveLength(2);
    expect(maxActive).toBe(1);
  });

  it("retries a failing key with capped exponential backoff, without blocking other keys", async () => {
    const attempts: Record<string, number[]> = { bad: [], good: [] };
    const delays: number[] = [];
    const queue = new WorkQueue(
      async key => {
        attempts[key].push(Date.now());
        if (key === "bad") throw new Error("503 from the API server");
      },
      (_key, _error, retryInMs) => delays.push(retryInMs),
      { baseDelayMs: 100, maxDelayMs: 400 },
    );
    queue.add("bad");
    queue.add("good");
    await flush();
    expect(attempts.good).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      await jest.advanceTimersByTimeAsync(400);
      await flush();
    }
    expect(delays.slice(0, 4)).toEqual([100, 200, 400, 400]);
    expect(attempts.bad.length).toBeGreaterThanOrEqual(4);
    queue.stop();
  });

  it("resets the backoff after a success and honours requeueAfterMs", async () => {
    let calls = 0;
    const delays: number[] = [];
    const queue = new WorkQueue(
      async () => {
        calls++;
        if (calls === 1) throw new Error("timeout");
        if (calls === 2) return { requeueAfterMs: 1000 };
      },
      (_key, _error, retryInMs) => delays.push(retryInMs),
      { baseDelayMs: 50, maxDelayMs: 1000 },
    );
    queue.add("k");
    await flush();
    await jest.advanceTimersByTimeAsync(50);
    await flush();
    expect(calls).toBe(2);
    await jest.advanceTimersByTimeAsync(999);
    expect(calls).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    await flush();
    expect(calls).toBe(3);
    expect(delays).toEqual([50]);
    expect(queue.size).toBe(0);
  });

  it("an immediate add replaces a scheduled retry", async () => {
    let calls = 0;
    const queue = new WorkQueue(
      async () => {
        calls++;
        return calls === 1 ? { requeueAfterMs: 60_000 } : undefined;
      },
      () => undefined,
    );
    queue.add("k");
    await flush();
    queue.add("k");
    await flush();
    expect(calls).toBe(2);
    expect(queue.size).toBe(0);
  });

  it("a requeue after NaN or Infinity waits the longest backoff instead of running at once, forever", async () => {
    for (const requeueAfterMs of [NaN, Infinity]) {
      let calls = 0;
      const queue = new WorkQueue(
        async () => {
          calls++;
          return { requeueAfterMs }; // what Number("abc") as the error resync made of every Wukong in Error
        },
        () => undefined,
        { baseDelayMs: 50, maxDelayMs: 1000 },
      );
      queue.add("k");
      for (let i = 0; i < 5; i++) await flush();
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(999);
      expect(calls).toBe(1);
      await jest.advanceTimersByTimeAsync(1);
      await flush();
      expect(calls).toBe(2);
      queue.stop();
    }
  });
});
