// The controller's informer wiring with fake informers, as Kubernetes' sample-controller tests its controller
// (controller_test.go: fake informers fed objects, then the work queue's keys and the handlers checked): which
// watches start, and which keys each watch event puts into the Wukong and WukongSnapshot queues.
import { NODE_NETWORK_LABEL } from "../../../lib/networks/node-network-policy";
import { nodeNetworkPolicyName } from "../../../schemas/networks/names";
import { KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API } from "../../../lib/cluster/features";
import { LABELLED_CHILD_KINDS, type WatchedKind } from "../../../lib/cluster/kinds";
import type { LiveObject } from "../../../lib/cluster/live";
import { Readiness } from "../../../lib/cluster/readiness";
import { ClusterView, type WatchPhase } from "../../../lib/cluster/view";
import { type InformerSpec, wireWatches } from "../../../lib/reconcile/watches";
import { LABELS } from "../../../schemas/wukong";
import { SNAPSHOT_LABEL } from "../../../schemas/wukongsnapshot";

const NS = "vms";

/** Informers that start nothing: the test plays the watch events, fed to the view and then the handler, as the real one does. */
class FakeInformers {
  readonly started: InformerSpec[] = [];
  constructor(private readonly view: ClusterView) {}

  start = (spec: InformerSpec) => {
    this.started.push(spec);
  };

  kinds(): { kind: WatchedKind; label?: string }[] {
    return this.started.map(({ kind, label }) => ({ kind, ...(label && { label }) }));
  }

  emit(kind: WatchedKind, object: LiveObject, phase: WatchPhase = "ADDED"): void {
    const informers = this.started.filter(spec => spec.kind === kind);
    if (informers.length !== 1) throw new Error(`${informers.length} informers of ${kind}`);
    this.view.observe(kind, object, phase);
    informers[0].onChange(object);
  }

  /** The first list arrived. */
  list(kind: WatchedKind, items: LiveObject[] = []): void {
    for (const item of items) this.emit(kind, item);
    this.view.markSynced(kind);
  }
}

class FakeQueue {
  readonly keys: string[] = [];
  add(key: string): void {
    this.keys.push(key);
  }
  /** The keys added since the last take. */
  take(): string[] {
    return this.keys.splice(0).sort();
  }
}

function setup() {
  const view = new ClusterView();
  const readiness = new Readiness(kind => view.isSynced(kind));
  const informers = new FakeInformers(view);
  const wukongQueue = new FakeQueue();
  const snapshotQueue = new FakeQueue();
  const watches = wireWatches({ view, readiness, startInformer: informers.start, wukongQueue, snapshotQueue });
  return { view, readiness, informers, wukongQueue, snapshotQueue, watches };
}

const object = (name: string, extra: Partial<LiveObject["metadata"]> = {}, rest: Record<string, unknown> = {}): LiveObject =>
  ({ metadata: { name, namespace: NS, uid: `${name}-uid`, ...extra }, ...rest }) as LiveObject;
const wukong = (name: string, spec: Record<string, unknown> = {}, namespace = NS) => ({ ...object(name, { namespace }), spec }) as LiveObject;
const kubeVirt = (gates: string[], resourceVersion = "1") =>
  object("kubevirt", { namespace: "kubevirt", resourceVersion }, { spec: { configuration: { developerConfiguration: { featureGates: gates } } } });

describe("the Wukong watch (Pepr's binding)", () => {
  it("puts the Wukong into the view and its key into the queue", () => {
    const { view, wukongQueue, watches } = setup();
    watches.observeWukong(wukong("web"), "ADDED");
    expect(view.get("Wukong", NS, "web")).toBeDefined();
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    watches.observeWukong(wukong("web"), "DELETED");
    expect(view.get("Wukong", NS, "web")).toBeUndefined();
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
  });
});

describe("the children watches", () => {
  it("start one informer per child kind, selecting by the Wukong label, and reconciles wait for each to list", () => {
    const { informers, readiness, watches } = setup();
    watches.watchChildren(LABELLED_CHILD_KINDS);
    expect(informers.kinds()).toEqual(LABELLED_CHILD_KINDS.map(kind => ({ kind, label: LABELS.wukong })));
    readiness.discovered(new Set());
    for (const kind of LABELLED_CHILD_KINDS) {
      expect(readiness.wukongsReady()).toBe(false);
      informers.list(kind);
    }
    expect(readiness.wukongsReady()).toBe(true);
  });

  it("enqueue the Wukong a child is labelled for, and nothing for a child without the label", () => {
    const { informers, wukongQueue, watches } = setup();
    watches.watchChildren(LABELLED_CHILD_KINDS);
    informers.emit("DataVolume", object("web-system", { labels: { [LABELS.wukong]: "web" } }));
    informers.emit("VirtualMachineInstance", object("web", { labels: { [LABELS.wukong]: "web" } }), "MODIFIED");
    informers.emit("Secret", object("unrelated"));
    expect(wukongQueue.keys).toEqual([`${NS}/web`, `${NS}/web`]);
  });
});

describe("the WukongSnapshot watch", () => {
  it("enqueues the snapshot, its Wukong, and every Wukong of the namespace restoring from it", () => {
    const { informers, wukongQueue, snapshotQueue, watches } = setup();
    watches.watchSnapshots();
    expect(informers.kinds()).toEqual([{ kind: "WukongSnapshot" }]);
    watches.observeWukong(wukong("restorer", { restoreFromSnapshot: "nightly" }), "ADDED");
    watches.observeWukong(wukong("elsewhere", { restoreFromSnapshot: "nightly" }, "other"), "ADDED");
    watches.observeWukong(wukong("bystander"), "ADDED");
    wukongQueue.take();

    informers.emit("WukongSnapshot", object("nightly", {}, { spec: { wukongName: "web" } }));
    expect(snapshotQueue.take()).toEqual([`${NS}/nightly`]);
    expect(wukongQueue.take()).toEqual([`${NS}/restorer`, `${NS}/web`]);
  });
});

describe("the optional APIs' watches", () => {
  it("start only for the APIs discovery finds served, each once", () => {
    const { informers, watches } = setup();
    watches.discovered(new Set(), undefined);
    expect(informers.started).toEqual([]);
    watches.discovered(new Set([KUBEVIRT_SNAPSHOT_API]), undefined);
    expect(informers.kinds()).toEqual([
      { kind: "VirtualMachineSnapshot", label: SNAPSHOT_LABEL },
      { kind: "VirtualMachineRestore", label: LABELS.wukong },
    ]);
    watches.discovered(new Set([KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API, KUBEVIRT_CONFIG_API]), undefined);
    expect(informers.kinds().map(({ kind }) => kind)).toEqual([
      "VirtualMachineSnapshot",
      "VirtualMachineRestore",
      "NodeNetworkConfigurationPolicy",
      "VirtualMachineInstanceMigration",
      "KubeVirt",
    ]);
    expect(informers.kinds()[2]).toEqual({ kind: "NodeNetworkConfigurationPolicy", label: NODE_NETWORK_LABEL });
  });

  it("a VirtualMachineSnapshot enqueues its WukongSnapshot; a VirtualMachineRestore its Wukong", () => {
    const { informers, wukongQueue, snapshotQueue, watches } = setup();
    watches.discovered(new Set([KUBEVIRT_SNAPSHOT_API]), undefined);
    informers.emit("VirtualMachineSnapshot", object("wukong-nightly", { labels: { [SNAPSHOT_LABEL]: "nightly" } }));
    informers.emit("VirtualMachineRestore", object("web-restore", { labels: { [LABELS.wukong]: "web" } }));
    expect(snapshotQueue.take()).toEqual([`${NS}/nightly`]);
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
  });

  it("a node network policy enqueues every Wukong that uses it, in any namespace", () => {
    const { informers, wukongQueue, watches } = setup();
    const bridged = { networks: [{ name: "lan", type: "bridge", bridgeName: "br1", physicalInterface: "eth1" }] };
    watches.observeWukong(wukong("a", bridged), "ADDED");
    watches.observeWukong(wukong("b", bridged, "other"), "ADDED");
    watches.observeWukong(wukong("c"), "ADDED");
    wukongQueue.take();
    watches.discovered(new Set([NODE_NETWORK_API]), undefined);
    const policy = nodeNetworkPolicyName({ bridge: "br1", nic: "eth1" });
    informers.emit("NodeNetworkConfigurationPolicy", { metadata: { name: policy, labels: { [NODE_NETWORK_LABEL]: "" } } } as LiveObject);
    expect(wukongQueue.take()).toEqual(["other/b", `${NS}/a`]);
    informers.emit("NodeNetworkConfigurationPolicy", { metadata: { name: nodeNetworkPolicyName({ bridge: "br9", nic: "eth9" }) } } as LiveObject);
    expect(wukongQueue.take()).toEqual([]);
  });

  it("the KubeVirt CR requeues every Wukong and WukongSnapshot when its feature gates change, not on its status updates", () => {
    const { informers, wukongQueue, snapshotQueue, watches } = setup();
    watches.observeWukong(wukong("web"), "ADDED");
    watches.watchSnapshots();
    informers.emit("WukongSnapshot", object("nightly", {}, { spec: { wukongName: "web" } }));
    watches.discovered(new Set([KUBEVIRT_CONFIG_API]), undefined);
    wukongQueue.take();
    snapshotQueue.take();

    informers.emit("KubeVirt", kubeVirt(["Snapshot"]));
    expect([wukongQueue.take(), snapshotQueue.take()]).toEqual([[`${NS}/web`], [`${NS}/nightly`]]);
    informers.emit("KubeVirt", kubeVirt(["Snapshot"], "2"), "MODIFIED");
    expect([wukongQueue.take(), snapshotQueue.take()]).toEqual([[], []]);
    informers.emit("KubeVirt", kubeVirt(["Snapshot", "ExpandDisks"], "3"), "MODIFIED");
    expect([wukongQueue.take(), snapshotQueue.take()]).toEqual([[`${NS}/web`], [`${NS}/nightly`]]);
  });

  it("the KubeVirt CR requeues every Wukong when its vmRolloutStrategy or workload update methods change", () => {
    const { informers, wukongQueue, watches } = setup();
    watches.observeWukong(wukong("web"), "ADDED");
    watches.discovered(new Set([KUBEVIRT_CONFIG_API]), undefined);
    informers.emit("KubeVirt", kubeVirt([]));
    wukongQueue.take();
    const withSpec = (resourceVersion: string, spec: object) => object("kubevirt", { namespace: "kubevirt", resourceVersion }, { spec });
    informers.emit("KubeVirt", withSpec("2", { configuration: { vmRolloutStrategy: "Stage" } }), "MODIFIED");
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    informers.emit(
      "KubeVirt",
      withSpec("3", { configuration: { vmRolloutStrategy: "Stage" }, workloadUpdateStrategy: { workloadUpdateMethods: ["LiveMigrate"] } }),
      "MODIFIED",
    );
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    informers.list("KubeVirt");
    expect(watches.features().liveUpdate).toEqual({ rolloutStrategy: "Stage", liveMigrateUpdates: true });
  });
});

describe("discovery answers", () => {
  it("requeue everything when what the cluster offers changed since the last answer, and only then", () => {
    const { wukongQueue, watches } = setup();
    watches.observeWukong(wukong("web"), "ADDED");
    wukongQueue.take();
    watches.discovered(new Set([NODE_NETWORK_API]), new Set(["nvidia.com/GA102GL_A10"]));
    expect(wukongQueue.take()).toEqual([]); // the first answer: reconciles were waiting for it anyway
    watches.discovered(new Set([NODE_NETWORK_API]), new Set(["nvidia.com/GA102GL_A10"]));
    expect(wukongQueue.take()).toEqual([]);
    watches.discovered(new Set([NODE_NETWORK_API]), new Set());
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    // The node list failed this time: the last answer stands, so neither this nor the next good answer requeues.
    watches.discovered(new Set([NODE_NETWORK_API]), undefined);
    expect(wukongQueue.take()).toEqual([]);
    expect(watches.features().nodeResources).toEqual(new Set());
    watches.discovered(new Set([NODE_NETWORK_API]), new Set());
    expect(wukongQueue.take()).toEqual([]);
    watches.discovered(new Set([NODE_NETWORK_API, KUBEVIRT_SNAPSHOT_API]), new Set());
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    // The VirtualMachineRestore CRD gained the fields restores need (KubeVirt upgraded to v1.7): restores may go on.
    watches.discovered(new Set([NODE_NETWORK_API, KUBEVIRT_SNAPSHOT_API]), new Set(), new Set(["target", "volumeOwnershipPolicy"]));
    expect(wukongQueue.take()).toEqual([`${NS}/web`]);
    watches.discovered(new Set([NODE_NETWORK_API, KUBEVIRT_SNAPSHOT_API]), new Set(), new Set(["target", "volumeOwnershipPolicy"]));
    expect(wukongQueue.take()).toEqual([]);
  });

  it("make the features: the served APIs, device resources and restore fields, and KubeVirt's gates once its watch has listed", () => {
    const { informers, watches } = setup();
    expect(watches.features()).toEqual({});
    watches.discovered(new Set([KUBEVIRT_CONFIG_API]), new Set(["nvidia.com/GA102GL_A10"]), new Set(["target"]));
    informers.emit("KubeVirt", kubeVirt(["Snapshot"]));
    expect(watches.features()).toEqual({
      servedApis: new Set([KUBEVIRT_CONFIG_API]),
      nodeResources: new Set(["nvidia.com/GA102GL_A10"]),
      restoreSpecFields: new Set(["target"]),
    });
    informers.list("KubeVirt");
    expect(watches.features()).toEqual({
      servedApis: new Set([KUBEVIRT_CONFIG_API]),
      nodeResources: new Set(["nvidia.com/GA102GL_A10"]),
      restoreSpecFields: new Set(["target"]),
      featureGates: new Set(["Snapshot"]),
      kubeVirt: { namespace: "kubevirt", name: "kubevirt" },
      liveUpdate: { rolloutStrategy: "LiveUpdate", liveMigrateUpdates: false },
    });
  });
});
