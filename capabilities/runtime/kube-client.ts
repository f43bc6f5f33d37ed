// The one HTTP client to the API server: the kubeconfig is read once and every request shares one
// keep-alive connection pool. kubernetes-fluent-client's K8s() builds a new TLS agent per call, whose idle
// sockets linger for ten minutes: at fleet scale that was most of the operator's memory (docs/memory.md).
import type { RequestOptions } from "node:https";
import { KubeConfig } from "@kubernetes/client-node";
import { fetch } from "kubernetes-fluent-client";
import { Agent, type RequestInit } from "undici";
import { isNotFound } from "../../lib/cluster/api-errors";

export type Method = "GET" | "POST" | "PATCH" | "DELETE";

export const CONTENT = {
  json: "application/json",
  apply: "application/apply-patch+yaml",
  jsonPatch: "application/json-patch+json",
  mergePatch: "application/merge-patch+json",
} as const;

/** Credentials may rotate (projected ServiceAccount tokens): the Authorization header is re-read this often. */
const AUTH_REFRESH_MS = 60_000;

/** What callers need of the client: one request, answered with the parsed body. */
export interface ApiRequester {
  request<T>(method: Method, path: string, body?: unknown, contentType?: string): Promise<T>;
}

export class KubeClient implements ApiRequester {
  readonly #config: KubeConfig;
  readonly #server: string;
  readonly #dispatcher: Agent;
  #auth?: { header?: string; at: number };

  private constructor(config: KubeConfig, tls: RequestOptions) {
    this.#config = config;
    this.#server = config.getCurrentCluster()?.server ?? "";
    if (!this.#server) throw new Error("the kubeconfig has no current cluster");
    this.#dispatcher = new Agent({
      connections: 16,
      keepAliveTimeout: 30_000,
      connect: { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized },
    });
  }

  /** In a pod: the ServiceAccount; otherwise $KUBECONFIG or ~/.kube/config. */
  static async fromDefault(): Promise<KubeClient> {
    const config = new KubeConfig();
    config.loadFromDefault();
    const tls: RequestOptions = {};
    await config.applyToHTTPSOptions(tls);
    return new KubeClient(config, tls);
  }

  /** Resolves to the parsed body; rejects like kubernetes-fluent-client does, with `{status, statusText, data}`. */
  async request<T>(method: Method, path: string, body?: unknown, contentType: string = CONTENT.json): Promise<T> {
    const headers: Record<string, string> = { "Content-Type": contentType, Accept: CONTENT.json, "User-Agent": "wukong" };
    const authorization = await this.#authorization();
    if (authorization) headers.Authorization = authorization;
    const response = await fetch<T>(new URL(path, this.#server), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher: this.#dispatcher,
    } satisfies RequestInit);
    if (response.ok) return response.data;
    throw { status: response.status, statusText: response.statusText, data: response.data };
  }

  async #authorization(): Promise<string | undefined> {
    if (this.#auth && Date.now() - this.#auth.at < AUTH_REFRESH_MS) return this.#auth.header;
    const options: RequestOptions = {};
    await this.#config.applyToHTTPSOptions(options);
    const header = (options.headers as Record<string, string> | undefined)?.Authorization;
    this.#auth = { header, at: Date.now() };
    return header;
  }
}

/** Whether the API server serves group/version: discovery, which every authenticated client may read. */
export async function apiServed(requester: ApiRequester, group: string, version: string): Promise<boolean> {
  try {
    await requester.request("GET", `/apis/${group}/${version}`);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}
