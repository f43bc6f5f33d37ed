// The watch-fed view: what reconcile reads instead of the API server.
import type { LiveObject } from "../../../lib/cluster/live";
import { ClusterView } from "../../../lib/cluster/view";
import { LABELS } from "../../../schemas/wukong";

const nad = (name: string, resourceVersion: string, owner = "app-01"): LiveObject => ({
  apiVersion: "k8s.cni.cncf.io/v1",
  kind: "NetworkAttachmentDefinition",
  metadata: {
    name,
    namespace: "vms",
    resourceVersion,
    labels: { [LABELS.wukong]: owner },
    annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{...}", keep: "me" },
    managedFields: [{ manager: "pepr" }],
  },
  spec: { config: "{}" },
});

describe("ClusterView", () => {
  it("indexes objects by namespace and name, and by the Wukong whose label they carry", () => {
    const view = new ClusterView();
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "1"), "ADDED");
    view.observe("NetworkAttachmentDefinition", nad("app-01-b", "2"), "ADDED");
    view.observe("NetworkAttachmentDefinition", nad("other-a", "3", "other"), "ADDED");
    expect(view.get("NetworkAttachmentDefinition", "vms", "app-01-b")?.metadata.resourceVersion).toBe("2");
    expect(view.labelledFor("NetworkAttachmentDefinition", "vms", "app-01").map(o => o.metadata.name).sort()).toEqual(["app-01-a", "app-01-b"]);
    expect(view.labelledFor("NetworkAttachmentDefinition", "other-ns", "app-01")).toEqual([]);
  });

  it("keeps only what Wukong reads: no managedFields, no kubectl last-applied copy", () => {
    const view = new ClusterView();
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "1"), "ADDED");
    const kept = view.get("NetworkAttachmentDefinition", "vms", "app-01-a")!;
    expect(kept.metadata.managedFields).toBeUndefined();
    expect(kept.metadata.annotations).toEqual({ keep: "me" });
    expect(kept.spec).toEqual({ config: "{}" });
  });

  it("forgets deleted objects, also from the owner index, and follows a relabelled object", () => {
    const view = new ClusterView();
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "1"), "ADDED");
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "2", "app-02"), "MODIFIED");
    expect(view.labelledFor("NetworkAttachmentDefinition", "vms", "app-01")).toEqual([]);
    expect(view.labelledFor("NetworkAttachmentDefinition", "vms", "app-02")).toHaveLength(1);
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "3", "app-02"), "DELETED");
    expect(view.get("NetworkAttachmentDefinition", "vms", "app-01-a")).toBeUndefined();
    expect(view.labelledFor("NetworkAttachmentDefinition", "vms", "app-02")).toEqual([]);
  });

  it("takes a write's answer only when the watch has not already delivered something newer", () => {
    const view = new ClusterView();
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "10"), "MODIFIED");
    view.written("NetworkAttachmentDefinition", nad("app-01-a", "9"));
    expect(view.get("NetworkAttachmentDefinition", "vms", "app-01-a")?.metadata.resourceVersion).toBe("10");
    view.written("NetworkAttachmentDefinition", nad("app-01-a", "11"));
    expect(view.get("NetworkAttachmentDefinition", "vms", "app-01-a")?.metadata.resourceVersion).toBe("11");
  });

  it("drops what a full list (relist, or a watch started over) no longer has, and says what went", () => {
    const view = new ClusterView();
    view.observe("NetworkAttachmentDefinition", nad("app-01-a", "1"), "ADDED");
    view.observe("NetworkAttachmentDefinition", nad("app-01-b", "2"), "ADDED");
    const gone = view.listed("NetworkAttachmentDefinition", [nad("app-01-b", "2")]);
    expect(gone.map(o => o.metadata.name)).toEqual(["app-01-a"]);
    expect(view.all("NetworkAttachmentDefinition").map(o => o.metadata.name)).toEqual(["app-01-b"]);
    expect(view.labelledFor("NetworkAttachmentDefinition", "vms", "app-01").map(o => o.metadata.name)).toEqual(["app-01-b"]);
  });

  it("says a kind is synced only after its first full list", () => {
    const view = new ClusterView();
    expect(view.isSynced("Secret")).toBe(false);
    view.markSynced("Secret");
    expect(view.isSynced("Secret")).toBe(true);
    expect(view.isSynced("VirtualMachine")).toBe(false);
  });
});
