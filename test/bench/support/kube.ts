// The benchmark's own API client: one undici Agent with keep-alive for every request (kubernetes-fluent-client's
// K8s() opens a new TLS agent per call, which would make the floor slower than it needs to be), the admin client
// certificate from the kubeconfig, and a count of every request it sends, by the classes of
// apiserver_request_total, so that the driver's own traffic can be subtracted from the server's totals.
import { readFileSync } from "node:fs";
import { Agent, request } from "undici";
import { parse } from "yaml";
import { classify, keyOf } from "./classify.cjs";

export type Counts = Record<string, number>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Where each kind the benchmark touches is served. */
export const RESOURCES = {
  Namespace: { prefix: "/api/v1", plural: "namespaces", namespaced: false },
  Wukong: { prefix: "/apis/vm.novasphere.dev/v1alpha1", plural: "wukongs", namespaced: true },
  NetworkAttachmentDefinition: { prefix: "/apis/k8s.cni.cncf.io/v1", plural: "network-attachment-definitions", namespaced: true },
  DataVolume: { prefix: "/apis/cdi.kubevirt.io/v1beta1", plural: "datavolumes", namespaced: true },
  PersistentVolumeClaim: { prefix: "/api/v1", plural: "persistentvolumeclaims", namespaced: true },
  Secret: { prefix: "/api/v1", plural: "secrets", namespaced: true },
  VirtualMachine: { prefix: "/apis/kubevirt.io/v1", plural: "virtualmachines", namespaced: true },
  VirtualMachineInstance: { prefix: "/apis/kubevirt.io/v1", plural: "virtualmachineinstances", namespaced: true },
} as const;
export type KindName = keyof typeof RESOURCES;

export function pathOf(kind: KindName, namespace?: string, name?: string, subresource?: string): string {
  const r = RESOURCES[kind];
  let p = r.prefix;
  if (r.namespaced && namespace) p += `/namespaces/${encodeURIComponent(namespace)}`;
  p += `/${r.plural}`;
  if (name) p += `/${encodeURIComponent(name)}`;
  if (subresource) p += `/${subresource}`;
  return p;
}

export class Kube {
  /** Requests this client sent, by class (see classify.cjs). */
  readonly sent: Counts = {};

  private constructor(
    readonly server: string,
    private readonly agent: Agent,
  ) {}

  static fromKubeconfig(file = process.env.KUBECONFIG ?? ""): Kube {
    const config = parse(readFileSync(file, "utf8"));
    const contextName = config["current-context"];
    const context = config.contexts.find((c: { name: string }) => c.name === contextName).context;
    const cluster = config.clusters.find((c: { name: string }) => c.name === context.cluster).cluster;
    const user = config.users.find((u: { name: string }) => u.name === context.user).user;
    const b64 = (value: string) => Buffer.from(value, "base64");
    const agent = new Agent({
      connect: {
        ca: b64(cluster["certificate-authority-data"]),
        cert: b64(user["client-certificate-data"]),
        key: b64(user["client-key-data"]),
      },
      keepAliveTimeout: 60_000,
      connections: 16,
    });
    return new Kube(cluster.server, agent);
  }

  /** The admin credentials, for scrapers that need them (e.g. /metrics). */
  async raw(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; text: string }> {
    const c = classify(method, path, contentType);
    if (c) this.sent[keyOf(c)] = (this.sent[keyOf(c)] ?? 0) + 1;
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const response = await request(this.server + path, {
      method: method as "GET",
      dispatcher: this.agent,
      headers: { accept: "application/json", "user-agent": "wukong-bench", ...(payload !== undefined && { "content-type": contentType }) },
      body: payload,
      headersTimeout: 120_000,
      bodyTimeout: 120_000,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  async json<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const { status, text } = await this.raw(method, path, body, contentType);
    if (status >= 300) throw new ApiError(status, `${method} ${path}: ${status} ${text.slice(0, 300)}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Server-side apply, forced, as `fieldManager`. */
  apply(kind: KindName, object: KubeObject, fieldManager: string): Promise<KubeObject> {
    const path = `${pathOf(kind, object.metadata.namespace, object.metadata.name)}?fieldManager=${fieldManager}&force=true`;
    return this.json("PATCH", path, object, "application/apply-patch+yaml");
  }

  create(kind: KindName, object: KubeObject): Promise<KubeObject> {
    return this.json("POST", pathOf(kind, object.metadata.namespace), object);
  }

  async list(kind: KindName, namespace?: string, labelSelector?: string): Promise<{ items: KubeObject[]; metadata: { resourceVersion: string } }> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    return this.json("GET", pathOf(kind, namespace) + query);
  }

  /** Deletes; true if it existed. */
  async delete(kind: KindName, namespace: string | undefined, name?: string): Promise<boolean> {
    const { status, text } = await this.raw("DELETE", pathOf(kind, namespace, name), {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
    });
    if (status === 404) return false;
    if (status >= 300) throw new ApiError(status, `DELETE ${kind} ${namespace}/${name ?? "*"}: ${status} ${text.slice(0, 300)}`);
    return true;
  }

  async exists(kind: KindName, namespace: string | undefined, name: string): Promise<boolean> {
    const { status } = await this.raw("GET", pathOf(kind, namespace, name));
    return status === 200;
  }

  /**
   * Lists, then watches `kind` in `namespace` until `until` returns true or the signal aborts, calling `onObject` for
   * every object seen (listed, added, modified) and `onDeleted` for deletions. Re-lists if the watch ends.
   */
  async watch(
    kind: KindName,
    namespace: string,
    handlers: { onObject: (o: KubeObject) => void; onDeleted?: (o: KubeObject) => void; done: () => boolean },
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted && !handlers.done()) {
      const listed = await this.list(kind, namespace);
      for (const item of listed.items) handlers.onObject(item);
      if (handlers.done()) return;
      const path = `${pathOf(kind, namespace)}?watch=true&allowWatchBookmarks=true&resourceVersion=${listed.metadata.resourceVersion}&timeoutSeconds=600`;
      const c = classify("GET", path);
      if (c) this.sent[keyOf(c)] = (this.sent[keyOf(c)] ?? 0) + 1;
      try {
        const response = await request(this.server + path, {
          method: "GET",
          dispatcher: this.agent,
          signal,
          headers: { "user-agent": "wukong-bench" },
          bodyTimeout: 0,
        });
        if (response.statusCode !== 200) {
          await response.body.text();
          continue;
        }
        let buffered = "";
        for await (const chunk of response.body) {
          buffered += chunk.toString("utf8");
          let newline: number;
          while ((newline = buffered.indexOf("\n")) >= 0) {
            const line = buffered.slice(0, newline);
            buffered = buffered.slice(newline + 1);
            if (!line.trim()) continue;
            const event = JSON.parse(line) as { type: string; object: KubeObject };
            if (event.type === "ADDED" || event.type === "MODIFIED") handlers.onObject(event.object);
            else if (event.type === "DELETED") handlers.onDeleted?.(event.object);
            else if (event.type === "ERROR") throw new Error(`watch ${kind}: ${JSON.stringify(event.object).slice(0, 200)}`); // e.g. 410 Gone: re-list
          }
          if (handlers.done()) {
            response.body.destroy();
            return;
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        if ((error as { name?: string }).name !== "AbortError") await new Promise(r => setTimeout(r, 200));
      }
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

/**
 * Retries what a user would retry: throttling, server errors, network failures, and admission's own "retry"
 * (a webhook whose cluster lookup timed out under load). Counts the retries in `retries`.
 */
export async function retrying<T>(work: () => Promise<T>, retries: { count: number }, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const message = String((error as { message?: string }).message ?? "");
      const transient = status === undefined || status === 429 || status >= 500 || (status === 422 && /\bretry\b/.test(message));
      if (!transient || attempt >= attempts) throw error;
      retries.count++;
      await sleep(Math.min(500 * 2 ** (attempt - 1), 8000));
    }
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
