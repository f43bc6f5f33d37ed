// The test tools' one API client, against a loopback HTTP server playing the API server: paths, errors with the
// server's reason, the not-found answers, request counting and the watch.
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { ApiError, isConflict, isNotFound, KubeClient, type Resource } from "../../support/kube-client";

const WIDGET: Resource = { group: "example.dev", version: "v1", plural: "widgets", kind: "Widget", namespaced: true };
const NODE: Resource = { group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false };

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
let handler: Handler;
const seen: { method: string; url: string; contentType?: string; userAgent?: string; authorization?: string; body: string }[] = [];
let server: Server;
let client: KubeClient;

const json = (res: ServerResponse, status: number, value: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(value));
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", chunk => (body += chunk));
    req.on("end", () => {
      seen.push({
        method: req.method ?? "",
        url: req.url ?? "",
        contentType: req.headers["content-type"],
        userAgent: req.headers["user-agent"],
        authorization: req.headers.authorization,
        body,
      });
      handler(req, body, res);
    });
  });
  await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
  const dir = mkdtempSync(path.join(tmpdir(), "kube-client-"));
  const kubeconfig = path.join(dir, "kubeconfig");
  writeFileSync(
    kubeconfig,
    JSON.stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, "insecure-skip-tls-verify": true } }],
      users: [{ name: "u", user: { token: "t0ken" } }],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
  process.env.KUBECONFIG = kubeconfig;
  client = await KubeClient.fromKubeconfig({ userAgent: "unit-test", countAs: method => (method === "GET" ? "reads" : "writes") });
});

afterAll(async () => {
  await client?.close();
  server.closeAllConnections();
  server.close();
});

beforeEach(() => (seen.length = 0));

describe("the test tools' API client", () => {
  it("builds core, group, namespaced and cluster-scoped paths", () => {
    expect(client.path(WIDGET, "ns 1", "a", "status")).toBe("/apis/example.dev/v1/namespaces/ns%201/widgets/a/status");
    expect(client.path(WIDGET)).toBe("/apis/example.dev/v1/widgets");
    expect(client.path(NODE, "ignored", "n1")).toBe("/api/v1/nodes/n1");
  });

  it("sends JSON with its user agent and credentials, and merge patches as merge patches", async () => {
    handler = (_req, body, res) => json(res, 200, JSON.parse(body || "{}"));
    await client.mergePatch(WIDGET, "ns", "a", { spec: { size: 2 } }, "status");
    expect(seen[0]).toMatchObject({
      method: "PATCH",
      url: "/apis/example.dev/v1/namespaces/ns/widgets/a/status",
      contentType: "application/merge-patch+json",
      userAgent: "unit-test",
      authorization: "Bearer t0ken",
      body: '{"spec":{"size":2}}',
    });
  });

  it("turns a refusal into an ApiError carrying the server's status, reason and message", async () => {
    handler = (_req, _body, res) => json(res, 409, { kind: "Status", reason: "Conflict", message: "the object has been modified" });
    const error = await client.create(WIDGET, { metadata: { name: "a", namespace: "ns" } }).catch(e => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(isConflict(error)).toBe(true);
    expect(error.reason).toBe("Conflict");
    expect(error.message).toContain("POST /apis/example.dev/v1/namespaces/ns/widgets: 409 the object has been modified");
  });

  it("answers undefined for an object or an API that is not there, and throws on other failures", async () => {
    handler = (_req, _body, res) => json(res, 404, { reason: "NotFound" });
    expect(await client.get(WIDGET, "ns", "gone")).toBeUndefined();
    expect(await client.listAll(WIDGET)).toBeUndefined();
    expect(await client.listIn(WIDGET, "ns")).toBeUndefined();
    expect(isNotFound(await client.delete(WIDGET, "ns", "gone").catch(e => e))).toBe(true);
    handler = (_req, _body, res) => json(res, 500, { message: "etcd down" });
    await expect(client.get(WIDGET, "ns", "a")).rejects.toThrow("500 etcd down");
  });

  it("fills in apiVersion and kind of listed items, which lists leave out", async () => {
    handler = (_req, _body, res) => json(res, 200, { items: [{ metadata: { name: "a" } }], metadata: { resourceVersion: "7" } });
    expect(await client.listAll(WIDGET, "app=x")).toEqual([{ apiVersion: "example.dev/v1", kind: "Widget", metadata: { name: "a" } }]);
    expect(seen[0].url).toBe("/apis/example.dev/v1/widgets?labelSelector=app%3Dx");
    expect(await client.listIn(WIDGET, "ns")).toEqual([{ apiVersion: "example.dev/v1", kind: "Widget", metadata: { name: "a" } }]);
    expect(seen[1].url).toBe("/apis/example.dev/v1/namespaces/ns/widgets");
  });

  it("deletes in the background with the uid precondition, and applies server-side, forced", async () => {
    handler = (_req, _body, res) => json(res, 200, {});
    await client.delete(WIDGET, "ns", "a", "uid-1", true);
    expect(JSON.parse(seen[0].body)).toEqual({
      kind: "DeleteOptions",
      apiVersion: "v1",
      propagationPolicy: "Background",
      preconditions: { uid: "uid-1" },
      gracePeriodSeconds: 0,
    });
    await client.apply(WIDGET, { metadata: { name: "a", namespace: "ns" } }, "bench");
    expect(seen[1]).toMatchObject({
      url: "/apis/example.dev/v1/namespaces/ns/widgets/a?fieldManager=bench&force=true",
      contentType: "application/apply-patch+yaml",
    });
  });

  it("counts what it sends by the caller's key", async () => {
    handler = (_req, _body, res) => json(res, 200, { items: [], metadata: { resourceVersion: "1" } });
    const before = { ...client.sent };
    await client.list(WIDGET, "ns");
    await client.create(WIDGET, { metadata: { name: "b", namespace: "ns" } });
    expect(client.sent.reads - (before.reads ?? 0)).toBe(1);
    expect(client.sent.writes - (before.writes ?? 0)).toBe(1);
  });

  it("watches after listing, until done: listed, added and modified objects, and deletions", async () => {
    handler = (req, _body, res) => {
      if (!req.url?.includes("watch=true")) return json(res, 200, { items: [{ metadata: { name: "listed" } }], metadata: { resourceVersion: "5" } });
      res.writeHead(200, { "content-type": "application/json" });
      res.write(JSON.stringify({ type: "ADDED", object: { metadata: { name: "added" } } }) + "\n");
      res.write(JSON.stringify({ type: "DELETED", object: { metadata: { name: "listed" } } }) + "\n");
      res.write(JSON.stringify({ type: "MODIFIED", object: { metadata: { name: "last" } } }) + "\n");
    };
    const objects: string[] = [];
    const deleted: string[] = [];
    await client.watch(
      WIDGET,
      "ns",
      { onObject: o => objects.push(o.metadata.name ?? ""), onDeleted: o => deleted.push(o.metadata.name ?? ""), done: () => objects.includes("last") },
      new AbortController().signal,
    );
    expect(objects).toEqual(["listed", "added", "last"]);
    expect(deleted).toEqual(["listed"]);
    expect(seen[1].url).toBe("/apis/example.dev/v1/namespaces/ns/widgets?watch=true&allowWatchBookmarks=true&resourceVersion=5&timeoutSeconds=600");
  });
});
