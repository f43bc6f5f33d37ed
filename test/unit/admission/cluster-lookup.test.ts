// Admission's cluster lookups: other Wukongs from its own watch-fed index once synced, never a LIST per
// request after that; StorageClasses listed at most every few seconds.
import { clusterLookup } from "../../../capabilities/admission/cluster-lookup";
import type { ApiRequester } from "../../../capabilities/runtime/kube-client";
import { ClusterView } from "../../../lib/cluster/view";

const wukong = (name: string) => ({
  apiVersion: "vm.novasphere.dev/v1alpha1",
  kind: "Wukong",
  metadata: { name, namespace: "vms" },
  spec: { cpu: 1, memory: "1Gi", networks: [{ name: "lan", type: "bridge", ipConfig: { mode: "static", address: "10.0.0.5/24" } }] },
});

class RecordingApi implements ApiRequester {
  readonly paths: string[] = [];
  constructor(private readonly answers: Record<string, unknown>) {}
  async request<T>(_method: string, path: string): Promise<T> {
    this.paths.push(path);
    if (!(path in this.answers)) throw { status: 404, statusText: "NotFound", data: { kind: "Status", reason: "NotFound" } };
    return this.answers[path] as T;
  }
}

describe("admission's cluster lookup", () => {
  const answers = {
    "/apis/vm.novasphere.dev/v1alpha1/wukongs": { items: [wukong("listed")] },
    "/apis/storage.k8s.io/v1/storageclasses": {
      items: [{ metadata: { name: "longhorn", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } }, allowVolumeExpansion: true }],
    },
    "/apis/k8s.cni.cncf.io/v1/namespaces/vms/network-attachment-definitions/lan": {},
  };

  it("LISTs Wukongs until its index has synced, then answers from the index alone", async () => {
    const api = new RecordingApi(answers);
    const index = new ClusterView();
    const lookup = clusterLookup(async () => api, index);
    expect((await lookup.addressClaims()).map(claim => claim.owner)).toEqual(["vms/listed"]);
    expect(api.paths).toEqual(["/apis/vm.novasphere.dev/v1alpha1/wukongs"]);

    index.observe("Wukong", wukong("watched"), "ADDED");
    index.markSynced("Wukong");
    for (let i = 0; i < 5; i++) expect((await lookup.addressClaims()).map(claim => claim.owner)).toEqual(["vms/watched"]);
    expect(api.paths).toHaveLength(1);
  });

  it("lists StorageClasses once for many requests, and does not remember a failure", async () => {
    const api = new RecordingApi(answers);
    const lookup = clusterLookup(async () => api, new ClusterView());
    for (let i = 0; i < 5; i++) expect(await lookup.storageClasses()).toEqual([{ name: "longhorn", allowVolumeExpansion: true, isDefault: true }]);
    expect(api.paths).toHaveLength(1);

    const failing = new RecordingApi({});
    const lookupWhileDown = clusterLookup(async () => failing, new ClusterView());
    await expect(lookupWhileDown.storageClasses()).rejects.toMatchObject({ status: 404 });
    await expect(lookupWhileDown.storageClasses()).rejects.toMatchObject({ status: 404 });
    expect(failing.paths).toHaveLength(2);
  });

  it("lists StorageClasses anew when asked for a fresh list, and keeps that list for the next requests", async () => {
    const api = new RecordingApi(answers);
    const lookup = clusterLookup(async () => api, new ClusterView());
    await lookup.storageClasses();
    await lookup.storageClasses({ fresh: true });
    await lookup.storageClasses();
    expect(api.paths).toEqual(["/apis/storage.k8s.io/v1/storageclasses", "/apis/storage.k8s.io/v1/storageclasses"]);
  });

  it("tells an existing NAD from a missing one", async () => {
    const lookup = clusterLookup(async () => new RecordingApi(answers), new ClusterView());
    expect(await lookup.networkAttachmentDefinitionExists("vms", "lan")).toBe(true);
    expect(await lookup.networkAttachmentDefinitionExists("vms", "nope")).toBe(false);
  });
});
