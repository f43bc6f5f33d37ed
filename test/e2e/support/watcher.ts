// The deployed watcher's /metrics, fetched as Prometheus scrapes a pod: without verifying the certificate
// (Pepr's generated leaf has an empty issuer, which OpenSSL will not chain; the API server's Go TLS does).
import { Agent, request } from "undici";
import { waitFor } from "./kube";

const WATCHER_METRICS = `https://pepr-wukong-watcher.pepr-system.svc:${process.env.WUKONG_WATCHER_PORT ?? 3101}/metrics`;

export async function scrapeWatcher(): Promise<{ status: number; text: string }> {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const response = await request(WATCHER_METRICS, { dispatcher });
    return { status: response.statusCode, text: await response.body.text() };
  } catch (error) {
    return { status: 0, text: String(error) }; // not listening: the watcher is (re)starting
  } finally {
    await dispatcher.close();
  }
}

/** Until the watcher serves /metrics with its watches started: the readiness test/stack/deployed/start.sh uses. */
export async function waitForWatcher(timeoutMs = 120_000): Promise<void> {
  await waitFor(scrapeWatcher, {
    describe: `${WATCHER_METRICS} to answer with pepr_cache_miss (watches started)`,
    until: ({ status, text }) => status === 200 && /^pepr_cache_miss\{/m.test(text),
    timeoutMs,
  });
}
