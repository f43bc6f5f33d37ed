// Deployed mode only: the watcher's /metrics, scraped as Prometheus would scrape the pod, carries Wukong's own
// series (reconciles and their duration, queue depth, errors by reason, Wukongs by phase), and they move.
import { apply, createNamespace, deleteNamespace, waitFor, waitForPhase, wukong, wukongManifest } from "./support/kube";
import { scrapeWatcher, waitForWatcher } from "./support/watcher";

type Samples = Map<string, number>;

/** `name{labels} value` lines → "name{labels}" → value. */
async function scrape(): Promise<Samples> {
  const { status, text } = await scrapeWatcher();
  expect(status).toBe(200);
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    const match = /^(pepr_wukong_[a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1], Number(match[2]));
  }
  return samples;
}

const value = (samples: Samples, series: string) => samples.get(series) ?? 0;

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("metrics");
  await waitForWatcher(); // an earlier journey may have just restarted it
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("the watcher's /metrics", () => {
  test("reconciles, their duration, phases and errors by reason move as Wukongs are reconciled", async () => {
    const before = await scrape();
    expect(before.has("pepr_wukong_queue_depth")).toBe(true);

    // No PVC over 1Gi here: the API server's LimitRanger refuses the second Wukong's disk (403 Forbidden),
    // so it ends in Error with reason ClaimForbidden, and is looked at again now and then.
    await apply(ns, JSON.stringify({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: "small-disks" },
      spec: { limits: [{ type: "PersistentVolumeClaim", max: { storage: "1Gi" } }] },
    }));
    await apply(ns, [
      wukongManifest("fits", { cpu: 1, memory: "512Mi", disks: [{ name: "system", size: "1Gi" }] }),
      wukongManifest("too-big", { cpu: 1, memory: "512Mi", disks: [{ name: "system", size: "2Gi" }] }),
    ].join("\n---\n"));
    await waitForPhase(ns, "fits", "Running");

    const forbidden = 'pepr_wukong_reconcile_errors{reason="ClaimForbidden"}';
    const after = await waitFor(scrape, { describe: `${forbidden} to grow`, until: samples => value(samples, forbidden) > value(before, forbidden), timeoutMs: 60_000 });
    expect(value(after, "pepr_wukong_reconciles")).toBeGreaterThan(value(before, "pepr_wukong_reconciles"));
    expect(value(after, "pepr_wukong_reconcile_duration_ms_count")).toBeGreaterThan(value(before, "pepr_wukong_reconcile_duration_ms_count"));
    expect(value(after, "pepr_wukong_reconcile_duration_ms_sum")).toBeGreaterThan(value(before, "pepr_wukong_reconcile_duration_ms_sum"));
    expect(value(after, "pepr_wukong_api_writes")).toBeGreaterThan(value(before, "pepr_wukong_api_writes"));
    // Other journeys' Wukongs come and go meanwhile, so the gauges are checked against ours, not against before.
    const tooBigPhase = (await wukong(ns, "too-big")).status?.phase as string;
    expect(value(after, 'pepr_wukong_wukongs{phase="Running"}')).toBeGreaterThanOrEqual(1);
    expect(value(after, `pepr_wukong_wukongs{phase="${tooBigPhase}"}`)).toBeGreaterThanOrEqual(1);
  });
});
