// Where the operator's memory went: the same N reads through kubernetes-fluent-client's K8s() (a new
// KubeConfig and TLS agent per call, as the old controller did) and through the shared KubeClient, with
// process.memoryUsage() after a forced GC and the number of open sockets.
//   KUBECONFIG=... node --expose-gc --import tsx test/bench/client-memory.ts [N=1000]
import { readdirSync, readlinkSync } from "node:fs";
import { K8s, kind } from "kubernetes-fluent-client";
import { resourcePath } from "../../lib/cluster/kinds";
import { KubeClient } from "../../capabilities/runtime/kube-client";

const n = Number(process.argv[2] ?? 1000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const sockets = () => readdirSync("/proc/self/fd").filter(fd => readlinkOr(`/proc/self/fd/${fd}`).startsWith("socket:")).length;

function readlinkOr(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return "";
  }
}

function report(label: string): void {
  gc!();
  const m = process.memoryUsage();
  console.log(
    `${label.padEnd(34)} rss ${mib(m.rss).padStart(10)}  heapUsed ${mib(m.heapUsed).padStart(9)}  external ${mib(m.external).padStart(9)}  arrayBuffers ${mib(m.arrayBuffers).padStart(8)}  open sockets ${sockets()}`,
  );
}

async function main(): Promise<void> {
  report("start");
  const client = await KubeClient.fromDefault();
  for (let i = 0; i < n; i++) await client.request("GET", resourcePath("StorageClass", undefined));
  report(`after ${n} GETs, shared KubeClient`);
  for (let i = 0; i < n; i++) await K8s(kind.StorageClass).Get();
  report(`after ${n} GETs, K8s() per call`);
  process.exit(0);
}

void main();
