// Admission latency of the deployed Wukong module against a no-op Pepr module served the same way.
//
// Both modules are built, staged and started by test/stack/deployed/ exactly as their admission Deployments would run
// them (node /app/node_modules/pepr/dist/controller.js <hash>, forking the module), admission only, webhooks not
// registered. This script then POSTs AdmissionReviews (CREATE of one realistic Wukong: a static NIC on a VLAN
// bridge, a DHCP NIC on OVS, a boot and a data disk, a cloud-init user) straight to each module's /mutate and
// /validate endpoints over HTTPS, through one keep-alive undici Agent, at several concurrencies. The validate
// requests carry the object as the mutate response patched it, as the API server would send it. Wukong's
// validator looks up StorageClasses and other Wukongs through the API server, so this runs against the local
// control plane (test/stack/cluster/up.sh; started here if it is not running, and stopped again afterwards).
//
//   npx tsx test/bench/admission.ts            (root: test/stack/deployed runs each process in its own namespaces)
//
// Environment:
//   BENCH_ADMISSION_REQUESTS      requests per module, endpoint and concurrency (default 200)
//   BENCH_ADMISSION_SECONDS       instead, seconds per module, endpoint and concurrency
//   BENCH_ADMISSION_WARMUP        warm-up requests per module and endpoint (default 200); each cell is also
//                                 preceded by max(4×concurrency, 20) untimed requests that open its connections
//   BENCH_ADMISSION_CONCURRENCY   comma-separated (default 1,8,32)
//   BENCH_BUILD=0                 no `npx pepr build`: reuse the modules an earlier run staged (else stage dist/)
//   BENCH_BUILD_REF=<git ref>     build a clean `git archive` of that ref (stage.sh --ref)
//   BENCH_WUKONG_PORT, BENCH_NOOP_PORT   admission ports (default 7100, 7110)
//   BENCH_ADMISSION_OUT=<file>    also write the results as JSON
//   BENCH_KEEP=1                  leave both modules (and a control plane this script started) running
//   WUKONG_STATE, WUKONG_APISERVER_PORT, … and WUKONG_NODE_OPTIONS are passed on to test/stack/cluster and test/stack/deployed.
// Prints one table; asserts nothing about timing. Exits 1 if any request fails: not HTTP 200, a response for
// another uid, or a Wukong AdmissionReview denied (the spec is valid).
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { applyPatch, type Operation } from "fast-json-patch";
import { Agent, request } from "undici";

const repo = resolve(__dirname, "../..");
const stateRoot = process.env.WUKONG_STATE ?? join(repo, ".wukong");
const env = (name: string, fallback: number) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${raw}`);
  return value;
};
const REQUESTS = env("BENCH_ADMISSION_REQUESTS", 200);
const SECONDS = env("BENCH_ADMISSION_SECONDS", 0);
const WARMUP = env("BENCH_ADMISSION_WARMUP", 200);
const CONCURRENCY = (process.env.BENCH_ADMISSION_CONCURRENCY ?? "1,8,32").split(",").map(c => {
  const n = Number(c.trim());
  if (!Number.isInteger(n) || n < 1) throw new Error(`BENCH_ADMISSION_CONCURRENCY: bad value ${c}`);
  return n;
});

interface Target {
  label: string;
  deployName: string;
  moduleDir: string;
  port: number;
  /** A denial counts as a failure: the spec is valid, so the real module must admit it. */
  mustAllow: boolean;
}
const targets: Target[] = [
  { label: "wukong", deployName: "bench-wukong", moduleDir: repo, port: env("BENCH_WUKONG_PORT", 7100), mustAllow: true },
  { label: "noop", deployName: "bench-noop", moduleDir: join(repo, "test/bench/noop-module"), port: env("BENCH_NOOP_PORT", 7110), mustAllow: true },
];
const ENDPOINTS = ["mutate", "validate"] as const;
type Endpoint = (typeof ENDPOINTS)[number];

const log = (message: string) => process.stderr.write(`[bench:admission] ${message}\n`);

function run(command: string, args: string[], extraEnv: Record<string, string> = {}): number {
  const result = spawnSync(command, args, { cwd: repo, env: { ...process.env, ...extraEnv }, stdio: ["ignore", 2, 2] });
  if (result.error) throw result.error;
  return result.status ?? 1;
}
const must = (what: string, status: number) => {
  if (status !== 0) throw new Error(`${what} failed (exit ${status})`);
};
const deployEnv = (t: Target) => ({
  WUKONG_DEPLOY_NAME: t.deployName,
  WUKONG_MODULE_DIR: t.moduleDir,
  WUKONG_ADMISSION_PORT: String(t.port),
  WUKONG_REGISTER_WEBHOOKS: "0",
});

// ---- the workload ----------------------------------------------------------------------------------------
const NAMESPACE = "bench-admission";
let serial = 0;

/** Wukong number n as `kubectl create` would send it: unique name and static address; a segment no sample uses. */
function wukong(n: number) {
  const host = (n % 250) + 2;
  return {
    apiVersion: "vm.novasphere.dev/v1alpha1",
    kind: "Wukong",
    metadata: { name: `bench-${n}`, namespace: NAMESPACE },
    spec: {
      cpu: 2,
      memory: "4Gi",
      osImage: "docker://quay.io/containerdisks/ubuntu:24.04",
      cloudInitUser: {
        name: "ubuntu",
        passwordHash: "$6$rounds=4096$wukong$0NCd3o0Lb8C5HhyJ0KqfF8RXBDOFMzJtnvDRn0cb5Zx7xHhw7u5/9lC3Ko4V1x0dA9sVpJ9a6BvO6yXz8c7tW/",
        sudo: "ALL=(ALL) NOPASSWD:ALL",
        shell: "/bin/bash",
        groups: ["sudo", "adm"],
      },
      networks: [
        {
          name: "mgmt",
          type: "bridge",
          vlanId: 3901,
          bridgeName: "br-bench",
          ipConfig: { mode: "static", address: `10.239.${Math.floor(n / 250) % 250}.${host}/16`, gateway: "10.239.0.1", dnsServers: ["10.239.0.1"] },
        },
        { name: "storage", type: "ovs", bridgeName: "br-bench-stor", vlanId: 3902, ipConfig: { mode: "dhcp" } },
      ],
      disks: [
        { name: "system", size: "30Gi", boot: true },
        { name: "data", size: "100Gi", storageClassName: "longhorn" },
      ],
    },
  };
}

function review(object: object, uid = randomUUID()) {
  const metadata = (object as { metadata: { name: string; namespace: string } }).metadata;
  const gvk = { group: "vm.novasphere.dev", version: "v1alpha1", kind: "Wukong" };
  const gvr = { group: "vm.novasphere.dev", version: "v1alpha1", resource: "wukongs" };
  return {
    apiVersion: "admission.k8s.io/v1",
    kind: "AdmissionReview",
    request: {
      uid,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: metadata.name,
      namespace: metadata.namespace,
      operation: "CREATE",
      userInfo: { username: "wukong-admin", groups: ["system:masters", "system:authenticated"] },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: "meta.k8s.io/v1", kind: "CreateOptions", fieldManager: "kubectl-create" },
    },
  };
}

interface AdmissionResponse {
  uid?: string;
  allowed?: boolean;
  patch?: string;
  patchType?: string;
  status?: { code?: number; message?: string };
}

// ---- HTTP --------------------------------------------------------------------------------------------------
let agent: Agent;
const paths = new Map<string, string>(); // deployName → api path
const hosts = new Map<string, string>(); // deployName → the admission Service's name, which the generated certificate holds

async function post(t: Target, endpoint: Endpoint, body: string): Promise<{ status: number; response?: AdmissionResponse; text?: string }> {
  const res = await request(`https://${hosts.get(t.deployName)}:${t.port}/${endpoint}/${paths.get(t.deployName)}?timeout=10s`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    dispatcher: agent,
  });
  if (res.statusCode !== 200) return { status: res.statusCode, text: (await res.body.text()).slice(0, 300) };
  const review = (await res.body.json()) as { response?: AdmissionResponse };
  return { status: res.statusCode, response: review.response };
}

/** The object the API server would send to validation: the CREATE object with the mutate response's patch. */
async function mutated(t: Target, object: object): Promise<object> {
  const { status, response, text } = await post(t, "mutate", JSON.stringify(review(object)));
  if (status !== 200 || !response?.allowed) throw new Error(`${t.label} mutate: HTTP ${status} ${text ?? JSON.stringify(response)}`);
  if (!response.patch) return object;
  const ops = JSON.parse(Buffer.from(response.patch, "base64").toString()) as Operation[];
  return applyPatch(structuredClone(object), ops, true, false).newDocument;
}

const failures: string[] = [];
let failureCount = 0;
function fail(message: string) {
  failureCount++;
  if (failures.length < 10) failures.push(message);
}

/** One body per request: a fresh Wukong (name, address, uid) for mutate; for validate, its defaulted form. */
async function bodies(t: Target, endpoint: Endpoint, count: number): Promise<{ uid: string; body: string }[]> {
  const out: { uid: string; body: string }[] = [];
  // Defaulting is deterministic per name: patch a handful and reuse them, each under a fresh uid.
  const defaulted = endpoint === "validate" ? await Promise.all(Array.from({ length: 16 }, () => mutated(t, wukong(++serial)))) : [];
  for (let i = 0; i < count; i++) {
    const uid = randomUUID();
    const object = endpoint === "mutate" ? wukong(++serial) : defaulted[i % defaulted.length];
    out.push({ uid, body: JSON.stringify(review(object, uid)) });
  }
  return out;
}

interface Cell {
  module: string;
  endpoint: Endpoint;
  concurrency: number;
  requests: number;
  seconds: number;
  p50: number;
  p99: number;
  rps: number;
}

async function measure(t: Target, endpoint: Endpoint, concurrency: number, count: number, seconds: number): Promise<Cell> {
  // With a time budget, bodies are prepared for a generous upper bound and reused round-robin if exceeded.
  const prepared = await bodies(t, endpoint, seconds > 0 ? 2000 : count);
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const more = () => (seconds > 0 ? performance.now() < deadline : next < count);
  const worker = async () => {
    while (more()) {
      const { uid, body } = prepared[next++ % prepared.length];
      const t0 = performance.now();
      try {
        const { status, response, text } = await post(t, endpoint, body);
        latencies.push(performance.now() - t0);
        if (status !== 200) fail(`${t.label} ${endpoint}: HTTP ${status} ${text}`);
        else if (response?.uid !== uid) fail(`${t.label} ${endpoint}: response uid ${response?.uid} for request ${uid}`);
        else if (t.mustAllow && !response.allowed) fail(`${t.label} ${endpoint}: denied: ${response.status?.message}`);
      } catch (error) {
        latencies.push(performance.now() - t0);
        fail(`${t.label} ${endpoint}: ${String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  const sorted = latencies.sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  return { module: t.label, endpoint, concurrency, requests: sorted.length, seconds: elapsed, p50: at(0.5), p99: at(0.99), rps: sorted.length / elapsed };
}

// ---- orchestration -------------------------------------------------------------------------------------
async function main() {
  if (process.getuid?.() !== 0) throw new Error("run as root: test/stack/deployed runs each process in its own mount namespace");
  const kubectlBin = spawnSync(join(repo, "test/stack/cluster/build.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", 2] }).stdout.trim();
  const kubeconfig = join(stateRoot, "kubeconfig");
  const clusterWasUp =
    spawnSync(join(kubectlBin, "kubectl"), ["--kubeconfig", kubeconfig, "--request-timeout", "3s", "get", "--raw", "/readyz"], { stdio: "ignore" }).status ===
    0;
  const keep = process.env.BENCH_KEEP === "1";
  const stopAll = () => {
    for (const t of targets) run(join(repo, "test/stack/deployed/stop.sh"), ["admission"], deployEnv(t));
    if (!clusterWasUp) run(join(repo, "test/stack/cluster/down.sh"), []);
  };
  try {
    must("test/stack/cluster/up.sh", run(join(repo, "test/stack/cluster/up.sh"), []));
    const build = process.env.BENCH_BUILD === "0" ? [] : process.env.BENCH_BUILD_REF ? ["--ref", process.env.BENCH_BUILD_REF] : ["--build"];
    for (const t of targets) {
      if (build.length === 0 && existsSync(join(stateRoot, "deployed", t.deployName, "module/hash"))) {
        log(`BENCH_BUILD=0: reusing the ${t.label} module staged as ${t.deployName} by an earlier run`);
      } else {
        log(`staging ${t.label} (${t.moduleDir}) as ${t.deployName}`);
        must(`stage.sh ${t.deployName}`, run(join(repo, "test/stack/deployed/stage.sh"), build, deployEnv(t)));
      }
      must(`start.sh ${t.deployName}`, run(join(repo, "test/stack/deployed/start.sh"), ["admission"], deployEnv(t)));
      paths.set(t.deployName, readFileSync(join(stateRoot, "deployed", t.deployName, "module/api-path/value"), "utf8").trim());
      const uuid = readFileSync(join(stateRoot, "deployed", t.deployName, "module/uuid"), "utf8").trim();
      hosts.set(t.deployName, `pepr-${uuid}.pepr-system.svc`); // start.sh maps it to 127.0.0.1
    }
    // Pepr's generated leaf has an empty subject and issuer: OpenSSL, unlike the API server's Go TLS, will not
    // chain it to the generated CA. Loopback only, so the benchmark skips verification.
    agent = new Agent({ connections: Math.max(...CONCURRENCY), keepAliveTimeout: 60_000, connect: { rejectUnauthorized: false } });

    const widest = Math.max(...CONCURRENCY);
    log(`warm-up: ${WARMUP} requests per module and endpoint at concurrency ${widest}`);
    for (const t of targets) for (const e of ENDPOINTS) if (WARMUP > 0) await measure(t, e, widest, WARMUP, 0);
    if (failureCount > 0) throw new Error(`warm-up failed:\n  ${failures.join("\n  ")}`);

    const cells: Cell[] = [];
    for (const c of CONCURRENCY) {
      for (const e of ENDPOINTS) {
        for (const t of targets) {
          // Untimed: opens the c connections (Node's server closes idle ones after 5 s) and settles the module.
          await measure(t, e, c, Math.max(4 * c, 20), 0);
          const cell = await measure(t, e, c, REQUESTS, SECONDS);
          cells.push(cell);
          log(`${e} c=${c} ${t.label}: p50 ${cell.p50.toFixed(2)} ms, p99 ${cell.p99.toFixed(2)} ms, ${cell.rps.toFixed(0)} req/s`);
        }
      }
    }
    const rss = targets.map(t => {
      const line = spawnSync(join(repo, "test/stack/deployed/status.sh"), ["admission"], { env: { ...process.env, ...deployEnv(t) }, encoding: "utf8" }).stdout;
      const kib = Number(/rss_kib=(\d+)/.exec(line)?.[1] ?? NaN);
      return `${t.label} ${(kib / 1024).toFixed(0)} MiB`;
    });

    printTable(cells, rss.join(", "));
    if (process.env.BENCH_ADMISSION_OUT) writeFileSync(process.env.BENCH_ADMISSION_OUT, JSON.stringify({ cells, failures: failureCount }, null, 2));
    if (failureCount > 0) {
      console.log(`\n${failureCount} request(s) failed; the first ones:\n  ${failures.join("\n  ")}`);
      process.exitCode = 1;
    }
  } finally {
    await agent?.close();
    if (keep) log("BENCH_KEEP=1: leaving the modules running (test/stack/deployed/stop.sh --all)");
    else stopAll();
  }
}

function printTable(cells: Cell[], rss: string) {
  const get = (m: string, e: Endpoint, c: number) => cells.find(x => x.module === m && x.endpoint === e && x.concurrency === c)!;
  const budget = SECONDS > 0 ? `${SECONDS} s` : `${REQUESTS} requests`;
  console.log(
    `Admission latency: AdmissionReview CREATE of one Wukong (2 NICs, 2 disks, cloud-init user), ${budget} per cell after ` +
      `${WARMUP} warm-up (and 4×concurrency untimed before each); deployed shape (controller.js → module), HTTPS keep-alive, one undici Agent`,
  );
  const head = ["endpoint", "conc", "wukong p50", "p99", "req/s", "noop p50", "p99", "req/s", "p99 wukong/noop"];
  const rows = [head];
  for (const e of ENDPOINTS) {
    for (const c of CONCURRENCY) {
      const w = get("wukong", e, c);
      const n = get("noop", e, c);
      rows.push([
        e,
        String(c),
        w.p50.toFixed(2),
        w.p99.toFixed(2),
        w.rps.toFixed(0),
        n.p50.toFixed(2),
        n.p99.toFixed(2),
        n.rps.toFixed(0),
        (w.p99 / n.p99).toFixed(2),
      ]);
    }
  }
  const widths = head.map((_, i) => Math.max(...rows.map(r => r[i].length)));
  for (const r of rows) console.log(r.map((v, i) => (i < 1 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join("  "));
  console.log(`latencies in ms; RSS after the run (controller.js + module): ${rss}`);
}

main().catch(error => {
  console.error(`bench:admission: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
