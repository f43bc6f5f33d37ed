// The real ClusterPort over a recording requester: the requests it makes, and what it keeps in the view.
import type { ApiRequester } from "../../../capabilities/runtime/kube-client";
import { kubePort } from "../../../capabilities/runtime/kube-port";
import type { LiveObject } from "../../../lib/cluster/live";
import { ClusterView } from "../../../lib/cluster/view";
import { LABELS } from "../../../schemas/wukong";

interface Call {
  method: string;
  path: string;
  body?: unknown;
  contentType?: string;
}

class ScriptedApi implements ApiRequester {
  readonly calls: Call[] = [];
  constructor(private readonly answer: (call: Call) => unknown) {}
  async request<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const call = { method, path, body, contentType };
    this.calls.push(call);
    const answer = this.answer(call);
    if (typeof (answer as { status?: unknown })?.status === "number") throw answer;
    return answer as T;
  }
}

const status = (code: number, reason: string) => ({ status: code, statusText: reason, data: { kind: "Status", reason, message: reason } });
const nad = (resourceVersion: string, uid = "nad-uid"): LiveObject => ({
  apiVersion: "k8s.cni.cncf.io/v1",
  kind: "NetworkAttachmentDefinition",
  metadata: { name: "app-01-lan", namespace: "vms", uid, resourceVersion, labels: { [LABELS.wukong]: "app-01" }, managedFields: [{}] },
  spec: { config: "{}" },
});

function port(answer: (call: Call) => unknown) {
  const api = new ScriptedApi(answer);
  const view = new ClusterView();
  const warnings: string[] = [];
  const counts = { write: 0, read: 0 };
  const counted = (request: "write" | "read") => counts[request]++;
  return { api, view, warnings, counts, port: kubePort({ client: async () => api, view, warn: (_f, m) => warnings.push(m), counted }) };
}

describe("kubePort", () => {
  it("server-side applies with a forced, strict apply patch, and keeps the answer (slimmed) in the view", async () => {
    const { api, view, port: p } = port(() => nad("5"));
    const { metadata, ...rest } = nad("1");
    await p.apply("NetworkAttachmentDefinition", {
      ...rest,
      apiVersion: "k8s.cni.cncf.io/v1",
      kind: "NetworkAttachmentDefinition",
      metadata: { name: metadata.name, namespace: "vms" },
    });
    expect(api.calls[0]).toMatchObject({
      method: "PATCH",
      path: "/apis/k8s.cni.cncf.io/v1/namespaces/vms/network-attachment-definitions/app-01-lan?fieldManager=pepr&fieldValidation=Strict&force=true",
      contentType: "application/apply-patch+yaml",
    });
    const kept = view.get("NetworkAttachmentDefinition", "vms", "app-01-lan")?.metadata;
    expect(kept?.resourceVersion).toBe("5");
    expect(kept).not.toHaveProperty("managedFields");
    expect(p.list("NetworkAttachmentDefinition", "vms", "app-01")).toHaveLength(1);
  });

  it("deletes with a uid precondition; gone or replaced by a successor both count as done", async () => {
    for (const answer of [status(404, "NotFound"), status(409, "Conflict"), { kind: "Status", status: "Success" }]) {
      const { api, view, port: p } = port(() => answer);
      view.observe("NetworkAttachmentDefinition", nad("3"), "ADDED");
      await p.delete("NetworkAttachmentDefinition", "vms", "app-01-lan", "nad-uid");
      expect(api.calls[0]).toMatchObject({ method: "DELETE", body: { preconditions: { uid: "nad-uid" }, propagationPolicy: "Background" } });
      expect(view.get("NetworkAttachmentDefinition", "vms", "app-01-lan")).toBeUndefined();
    }
    const { port: p } = port(() => status(503, "ServiceUnavailable"));
    await expect(p.delete("NetworkAttachmentDefinition", "vms", "app-01-lan", "nad-uid")).rejects.toMatchObject({ status: 503 });
  });

  it("merge-patches the status subresource", async () => {
    const { api, counts, port: p } = port(() => ({ kind: "Wukong", metadata: { name: "app-01", namespace: "vms", resourceVersion: "9" } }));
    await p.patchStatus("vms", "app-01", { phase: "Running", nodeName: null });
    expect(counts).toEqual({ write: 1, read: 0 });
    expect(api.calls[0]).toEqual({
      method: "PATCH",
      path: "/apis/vm.novasphere.dev/v1alpha1/namespaces/vms/wukongs/app-01/status",
      body: { status: { phase: "Running", nodeName: null } },
      contentType: "application/merge-patch+json",
    });
  });

  it("trusts a found StorageClass for a while, asks again about a missing one", async () => {
    const {
      api,
      counts,
      port: p,
    } = port(call => (call.path.endsWith("/fast") ? { metadata: { name: "fast" }, volumeBindingMode: "WaitForFirstConsumer" } : status(404, "NotFound")));
    for (let i = 0; i < 3; i++) expect(await p.storageClass("fast")).toEqual({ volumeBindingMode: "WaitForFirstConsumer" });
    for (let i = 0; i < 2; i++) expect(await p.storageClass("slow")).toBeUndefined();
    expect(counts).toEqual({ write: 0, read: 3 });
    expect(api.calls.map(c => c.path)).toEqual([
      "/apis/storage.k8s.io/v1/storageclasses/fast",
      "/apis/storage.k8s.io/v1/storageclasses/slow",
      "/apis/storage.k8s.io/v1/storageclasses/slow",
    ]);
  });

  it("records Events best effort: a failure is logged, never thrown", async () => {
    const { api, warnings, port: p } = port(() => status(403, "Forbidden"));
    await p.event(nad("1"), "Normal", "Created", "Created x");
    expect(api.calls[0]).toMatchObject({ method: "POST", path: "/api/v1/namespaces/vms/events", body: { reason: "Created", type: "Normal" } });
    expect(warnings).toEqual(["could not record event"]);
  });

  it("reads each node's interfaces, routes and labels from the NodeNetworkStates and Nodes, once per TTL; without NMState (404) there are none to read", async () => {
    const state = (node: string, names: string[]) => ({
      metadata: { name: node },
      status: {
        currentState: {
          interfaces: names.map(name => ({ name, ...(name === "eth1" && { controller: "br0" }) })),
          routes: { running: [{ destination: "0.0.0.0/0", "next-hop-interface": "eth0" }] },
        },
      },
    });
    const nodes = { items: [{ metadata: { name: "n1", labels: { rack: "a" } } }, { metadata: { name: "n2" } }] };
    const { api, port: p } = port(call =>
      call.path.endsWith("/nodes") ? nodes : { items: [state("n1", ["eth0", "eth1", "br0"]), state("n2", ["eth0"]), { metadata: { name: "n3" } }] },
    );
    const expected = [
      { node: "n1", interfaces: ["eth0", "eth1", "br0"], routed: ["eth0"], controllers: { eth1: "br0" }, labels: { rack: "a" } },
      { node: "n2", interfaces: ["eth0"], routed: ["eth0"], controllers: {}, labels: {} },
      { node: "n3", interfaces: [], routed: [], controllers: {}, labels: {} },
    ];
    expect(await p.nodeInterfaces()).toEqual(expected);
    expect(await p.nodeInterfaces()).toEqual(expected);
    expect(api.calls).toEqual([
      { method: "GET", path: "/apis/nmstate.io/v1beta1/nodenetworkstates" },
      { method: "GET", path: "/api/v1/nodes" },
    ]);
    const { port: without } = port(() => status(404, "NotFound"));
    expect(await without.nodeInterfaces()).toBeUndefined();
    const { port: forbidden } = port(() => status(403, "Forbidden"));
    await expect(forbidden.nodeInterfaces()).rejects.toMatchObject({ status: 403 });
  });

  it("names the object an Event is about: a Wukong by default, or the kind the object carries (a WukongSnapshot)", async () => {
    const { api, port: p } = port(() => ({}));
    const metadata = { name: "before-upgrade", namespace: "vms", uid: "snapshot-uid" };
    await p.event({ metadata }, "Normal", "Created", "x");
    await p.event({ apiVersion: "vm.novasphere.dev/v1alpha1", kind: "WukongSnapshot", metadata }, "Warning", "DisksExcluded", "y");
    expect(api.calls.map(call => (call.body as { involvedObject: unknown }).involvedObject)).toEqual([
      { apiVersion: "vm.novasphere.dev/v1alpha1", kind: "Wukong", ...metadata },
      { apiVersion: "vm.novasphere.dev/v1alpha1", kind: "WukongSnapshot", ...metadata },
    ]);
  });
});
