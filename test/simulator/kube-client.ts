// A minimal REST client for the kube-apiserver: one keep-alive HTTPS agent built from the
// kubeconfig (via @kubernetes/client-node's KubeConfig, which honours KUBECONFIG), JSON in and out.
// Plain requests rather than a generated client because the simulator needs list/create/merge-patch/
// delete on arbitrary CRDs, a status subresource, and exact control over what is written.
import http from "node:http";
import https from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { KubeObject, Resource } from "./resources";

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

const REQUEST_TIMEOUT_MS = 15_000;

export class KubeClient {
  private constructor(
    private readonly server: URL,
    private readonly agent: http.Agent,
    private readonly headers: Record<string, string>,
  ) {}

  /** From KUBECONFIG (or the default places), or from the kubeconfig file given. */
  static async fromKubeconfig(file?: string): Promise<KubeClient> {
    const kc = new KubeConfig();
    if (file) kc.loadFromFile(file);
    else kc.loadFromDefault();
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error("kubeconfig has no current cluster (is KUBECONFIG set?)");
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const server = new URL(cluster.server);
    const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized };
    const agent = server.protocol === "http:" ? new http.Agent({ keepAlive: true }) : new https.Agent({ ...tls, keepAlive: true, maxSockets: 8 });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === "string") headers[k] = v;
    if (opts.auth) headers["Authorization"] = "Basic " + Buffer.from(opts.auth).toString("base64");
    return new KubeClient(server, agent, headers);
  }

  get serverUrl(): string {
    return this.server.toString();
  }

  path(res: Resource, namespace?: string, name?: string, subresource?: string): string {
    const base = res.group ? `/apis/${res.group}/${res.version}` : `/api/${res.version}`;
    const parts = [base];
    if (res.namespaced && namespace) parts.push("namespaces", encodeURIComponent(namespace));
    parts.push(res.plural);
    if (name) parts.push(encodeURIComponent(name));
    if (subresource) parts.push(subresource);
    return parts.join("/");
  }

  /** Lists a resource in all namespaces; returns undefined when the API (e.g. a CRD) is not installed. */
  listAll(res: Resource, labelSelector?: string): Promise<KubeObject[] | undefined> {
    return this.list(res, undefined, labelSelector);
  }

  /** Lists a namespaced resource in one namespace (undefined when its API is not served). */
  listIn(res: Resource, namespace: string): Promise<KubeObject[] | undefined> {
    return this.list(res, namespace);
  }

  private async list(res: Resource, namespace?: string, labelSelector?: string): Promise<KubeObject[] | undefined> {
    const query = labelSelector ? `?labelSelector=${encodeURIComponent(labelSelector)}` : "";
    try {
      const list = await this.request<{ items?: KubeObject[] }>("GET", this.path(res, namespace) + query);
      const apiVersion = res.group ? `${res.group}/${res.version}` : res.version;
      // List items carry no apiVersion/kind; fill them in so objects can be written back as-is.
      return (list.items ?? []).map(item => ({ ...item, apiVersion, kind: res.kind }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

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

  /** JSON merge patch (RFC 7386) of the object or one of its subresources ("status"). */
  mergePatch(res: Resource, namespace: string, name: string, patch: unknown, subresource?: string): Promise<KubeObject> {
    return this.request("PATCH", this.path(res, namespace, name, subresource), patch, "application/merge-patch+json");
  }

  async delete(res: Resource, namespace: string, name: string, uid?: string, force = false): Promise<void> {
    // The uid precondition keeps us from deleting a newer object that reused the name.
    const body = {
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
      ...(uid ? { preconditions: { uid } } : {}),
      ...(force ? { gracePeriodSeconds: 0 } : {}),
    };
    await this.request("DELETE", this.path(res, namespace, name), body);
  }

  request<T>(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<T> {
    const url = new URL(path, this.server);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Record<string, string> = {
      ...this.headers,
      Accept: "application/json",
      "User-Agent": "wukong-vm-runtime-simulator",
    };
    if (payload) {
      headers["Content-Type"] = contentType;
      headers["Content-Length"] = String(payload.length);
    }
    const transport = url.protocol === "http:" ? http : https;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(url, { method, headers, agent: this.agent, timeout: REQUEST_TIMEOUT_MS }, res => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown = undefined;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(parsed as T);
          const st = (parsed ?? {}) as { reason?: string; message?: string };
          reject(new ApiError(status, st.reason ?? "", `${method} ${url.pathname}: ${status} ${st.message ?? text.slice(0, 200)}`));
        });
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${url.pathname}: timed out`)));
      req.on("error", reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
