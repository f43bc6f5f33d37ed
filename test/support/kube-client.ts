// The test tools' one REST client to the kube-apiserver (the simulator, the real-guest runtime, the benchmarks):
// one keep-alive undici Agent with the kubeconfig's TLS and credentials (@kubernetes/client-node's KubeConfig,
// which honours KUBECONFIG), JSON in and out. Plain requests rather than a generated client: the tools read and
// write arbitrary CRDs and status subresources, and need exact control over what is written and counted.
import type { RequestOptions } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { Agent, request } from "undici";

/** Where a kind is served. */
export interface Resource {
  group: string; // "" for the core group
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  deletionTimestamp?: string;
  creationTimestamp?: string;
  [key: string]: unknown;
}

/** Any Kubernetes object, loosely typed: the tools must survive any object a test throws at them. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  spec?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  status?: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  data?: any;
  [key: string]: unknown;
}

export interface KubeList {
  items: KubeObject[];
  metadata: { resourceVersion: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const isNotFound = (err: unknown) => err instanceof ApiError && err.status === 404;
export const isConflict = (err: unknown) => err instanceof ApiError && err.status === 409;

export interface ClientOptions {
  /** Who the API server's audit log and metrics see. */
  userAgent: string;
  /** Per request: until the response headers, and between body chunks. */
  timeoutMs?: number;
  /** Counts each request sent under the key this returns (none when undefined): see `sent`. */
  countAs?: (method: string, path: string, contentType?: string) => string | undefined;
  /** The kubeconfig file to read; KUBECONFIG (or the default places) when absent. */
  file?: string;
}

export const CONTENT = {
  json: "application/json",
  apply: "application/apply-patch+yaml",
  mergePatch: "application/merge-patch+json",
  jsonPatch: "application/json-patch+json",
} as const;

export class KubeClient {
  /** Requests sent, by the key of `countAs`. */
  readonly sent: Record<string, number> = {};

  private constructor(
    readonly server: string,
    private readonly agent: Agent,
    private readonly headers: Record<string, string>,
    private readonly options: ClientOptions,
  ) {}

  static async fromKubeconfig(options: ClientOptions): Promise<KubeClient> {
    const kc = new KubeConfig();
    if (options.file) kc.loadFromFile(options.file);
    else kc.loadFromDefault();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster (is KUBECONFIG set?)");
    const opts: RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const agent = new Agent({
      connect: { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized },
      connections: 16,
      keepAliveTimeout: 60_000,
    });
    const headers: Record<string, string> = { "user-agent": options.userAgent };
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === "string") headers[k.toLowerCase()] = v;
    if (opts.auth) headers.authorization = "Basic " + Buffer.from(opts.auth).toString("base64");
    return new KubeClient(cluster.server.replace(/\/$/, ""), agent, headers, options);
  }

  path(res: Resource, namespace?: string, name?: string, subresource?: string): string {
    const parts = [res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`];
    if (res.namespaced && namespace) parts.push("namespaces", encodeURIComponent(namespace));
    parts.push(res.plural);
    if (name) parts.push(encodeURIComponent(name));
    if (subresource) parts.push(subresource);
    return parts.join("/");
  }

  /** One request, whatever its status: for callers that read non-JSON (/metrics) or judge the status themselves. */
  async raw(method: string, path: string, body?: unknown, contentType: string = CONTENT.json): Promise<{ status: number; text: string }> {
    this.count(method, path, contentType);
    const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
    const timeout = this.options.timeoutMs ?? 15_000;
    const response = await request(this.server + path, {
      method: method as "GET",
      dispatcher: this.agent,
      headers: { ...this.headers, accept: CONTENT.json, ...(payload !== undefined && { "content-type": contentType }) },
      body: payload,
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
    return { status: response.statusCode, text: await response.body.text() };
  }

  /** The parsed JSON body of a 2xx; an ApiError with the server's reason and message otherwise. */
  async request<T>(method: string, path: string, body?: unknown, contentType: string = CONTENT.json): Promise<T> {
    const { status, text } = await this.raw(method, path, body, contentType);
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status >= 200 && status < 300) return parsed as T;
    const st = (parsed ?? {}) as { reason?: string; message?: string };
    throw new ApiError(status, st.reason ?? "", `${method} ${path.split("?")[0]}: ${status} ${st.message ?? text.slice(0, 300)}`);
  }

  list(res: Resource, namespace?: string, labelSelector?: string): Promise<KubeList> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    return this.request("GET", this.path(res, namespace) + query);
  }

  /** Lists a resource in all namespaces; undefined when the API (e.g. a CRD) is not installed. */
  listAll(res: Resource, labelSelector?: string): Promise<KubeObject[] | undefined> {
    return this.items(res, undefined, labelSelector);
  }

  /** Lists a namespaced resource in one namespace; undefined when its API is not served. */
  listIn(res: Resource, namespace: string): Promise<KubeObject[] | undefined> {
    return this.items(res, namespace);
  }

  /** The items of a list, with the apiVersion and kind that lists leave out, so they can be written back as-is. */
  private async items(res: Resource, namespace?: string, labelSelector?: string): Promise<KubeObject[] | undefined> {
    try {
      const list = await this.list(res, namespace, labelSelector);
      const apiVersion = res.group ? `${res.group}/${res.version}` : res.version;
      return (list.items ?? []).map(item => ({ ...item, apiVersion, kind: res.kind }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** The object, or undefined when it does not exist. */
  async get(res: Resource, namespace: string, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.request<KubeObject>("GET", this.path(res, namespace, name));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  create(res: Resource, obj: KubeObject): Promise<KubeObject> {
    return this.request("POST", this.path(res, obj.metadata.namespace), obj);
  }

  /** Server-side apply, forced, as `fieldManager`. */
  apply(res: Resource, obj: KubeObject, fieldManager: string): Promise<KubeObject> {
    const path = `${this.path(res, obj.metadata.namespace, obj.metadata.name)}?fieldManager=${encodeURIComponent(fieldManager)}&force=true`;
    return this.request("PATCH", path, obj, CONTENT.apply);
  }

  /** JSON merge patch (RFC 7386) of the object or one of its subresources ("status"). */
  mergePatch(res: Resource, namespace: string, name: string, patch: unknown, subresource?: string): Promise<KubeObject> {
    return this.request("PATCH", this.path(res, namespace, name, subresource), patch, CONTENT.mergePatch);
  }

  /** JSON patch (RFC 6902): unlike a merge patch it can store a null, e.g. a KubeVirt condition's lastProbeTime. */
  jsonPatch(res: Resource, namespace: string, name: string, ops: unknown[]): Promise<KubeObject> {
    return this.request("PATCH", this.path(res, namespace, name), ops, CONTENT.jsonPatch);
  }

  /** Deletes in the background; the uid precondition keeps a newer object that reused the name. 404 throws. */
  async delete(res: Resource, namespace: string, name: string, uid?: string, force = false): Promise<void> {
    const body = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
      ...(uid ? { preconditions: { uid } } : {}),
      ...(force ? { gracePeriodSeconds: 0 } : {}),
    };
    await this.request("DELETE", this.path(res, namespace, name), body);
  }

  /**
   * Lists, then watches `res` in `namespace` until `done()` or the signal aborts, calling `onObject` for every
   * object seen (listed, added, modified) and `onDeleted` for deletions. Lists again whenever the watch ends.
   */
  async watch(
    res: Resource,
    namespace: string,
    handlers: { onObject: (o: KubeObject) => void; onDeleted?: (o: KubeObject) => void; done: () => boolean },
    signal: AbortSignal,
  ): Promise<void> {
    while (!signal.aborted && !handlers.done()) {
      const listed = await this.list(res, namespace);
      for (const item of listed.items) handlers.onObject(item);
      if (handlers.done()) return;
      const path = `${this.path(res, namespace)}?watch=true&allowWatchBookmarks=true&resourceVersion=${listed.metadata.resourceVersion}&timeoutSeconds=600`;
      this.count("GET", path);
      try {
        const response = await request(this.server + path, { method: "GET", dispatcher: this.agent, signal, headers: this.headers, bodyTimeout: 0 });
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
            else if (event.type === "ERROR") throw new Error(`watch ${res.plural}: ${JSON.stringify(event.object).slice(0, 200)}`); // e.g. 410 Gone: list again
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

  private count(method: string, path: string, contentType?: string): void {
    const key = this.options.countAs?.(method, path, contentType);
    if (key) this.sent[key] = (this.sent[key] ?? 0) + 1;
  }
}
