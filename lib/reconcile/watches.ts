// The controller's informer wiring, as Kubernetes' sample-controller wires its informers: which watches start
// (from the kinds table), and which work-queue keys each watch event adds. The informers and queues are passed
// in, so unit tests feed events through fakes; capabilities/controller.ts passes the real ones.
import { NODE_NETWORK_LABEL } from "../networks/node-network-policy";
import { type ClusterFeatures, kubeVirtConfig, type KubeVirtObject } from "../cluster/features";
import { type ChildKind, type KindsWatched, OPTIONAL_WATCHES, type WatchedKind } from "../cluster/kinds";
import type { LiveObject } from "../cluster/live";
import type { Readiness } from "../cluster/readiness";
import type { ClusterView, WatchPhase } from "../cluster/view";
import { LABELS, type Wukong } from "../../schemas/wukong";
import { SNAPSHOT_LABEL, type WukongSnapshot } from "../../schemas/wukongsnapshot";
import { wukongsUsingPolicy } from "../networks/reconcile-node-networks";

/** What one informer needs: the kind, an optional label key to select by, and what to do after the view took in a change. */
export interface InformerSpec {
  kind: WatchedKind;
  /** Only objects carrying this label key (any value). */
  label?: string;
  onChange(object: LiveObject): void;
}

export interface WatchWiringDeps {
  view: ClusterView;
  readiness: Readiness;
  /** Starts one informer feeding `view` (capabilities/runtime/informer.ts, or a fake). */
  startInformer(spec: InformerSpec): void;
  /** The Wukong and the WukongSnapshot work queues: keys are "namespace/name". */
  wukongQueue: { add(key: string): void };
  snapshotQueue: { add(key: string): void };
}

/**
 * What discovery found: the optional APIs served, the nodes' device resources and the VirtualMachineRestore spec
 * fields the cluster's CRD has (each undefined when unknown).
 */
export type Discovered = Pick<ClusterFeatures, "servedApis" | "nodeResources" | "restoreSpecFields">;

export interface Watches {
  /** A Wukong watch event (from Pepr's binding): into the view, and its key into the queue. */
  observeWukong(wukong: LiveObject, phase: WatchPhase): void;
  /** Starts one watch per child kind; reconciles wait until each has listed once. */
  watchChildren(kinds: readonly ChildKind[]): void;
  /** Starts the watch of WukongSnapshots, feeding the WukongSnapshot queue. */
  watchSnapshots(): void;
  /**
   * Discovery answered: starts the watches of each optional API served for the first time, and requeues every
   * Wukong and WukongSnapshot when what the cluster offers changed since the last answer.
   */
  discovered(found: ReadonlySet<string>, nodeResources: ReadonlySet<string> | undefined, restoreSpecFields?: ReadonlySet<string>): void;
  /** What discovery last found, with the KubeVirt CR's feature gates once its watch has listed. */
  features(): ClusterFeatures;
}

export function wireWatches({ view, readiness, startInformer, wukongQueue, snapshotQueue }: WatchWiringDeps): Watches {
  let discovered: Discovered | undefined;
  const enqueue = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) wukongQueue.add(`${namespace}/${name}`);
  };
  const enqueueSnapshot = (namespace: string | undefined, name: string | undefined) => {
    if (namespace && name) snapshotQueue.add(`${namespace}/${name}`);
  };
  // What the cluster offers changed (an API appeared, a feature gate flipped): every Wukong and snapshot looks again.
  const requeueAll = () => {
    for (const wukong of view.all("Wukong")) enqueue(wukong.metadata.namespace, wukong.metadata.name);
    for (const snapshot of view.all("WukongSnapshot")) enqueueSnapshot(snapshot.metadata.namespace, snapshot.metadata.name);
  };
  const byLabel = (label: string, add: typeof enqueue) => ({
    label,
    onChange: (object: LiveObject) => add(object.metadata.namespace, object.metadata.labels?.[label]),
  });
  // Only a change of KubeVirt's feature gates or live-update settings matters: its status updates and the periodic
  // relist requeue nothing.
  let gates = "";
  const onKubeVirt = () => {
    const config = kubeVirtConfig(view.all("KubeVirt") as KubeVirtObject[]);
    const now = JSON.stringify([[...(config.featureGates ?? [])].sort(), config.liveUpdate]);
    if (now !== gates) requeueAll();
    gates = now;
  };

  // The watches of each optional API's kinds, started once discovery finds the API served.
  const optional: Record<KindsWatched<"optional">, Omit<InformerSpec, "kind">> = {
    VirtualMachineSnapshot: byLabel(SNAPSHOT_LABEL, enqueueSnapshot),
    VirtualMachineRestore: byLabel(LABELS.wukong, enqueue),
    VirtualMachineInstanceMigration: byLabel(LABELS.wukong, enqueue),
    NodeNetworkConfigurationPolicy: {
      label: NODE_NETWORK_LABEL,
      onChange: policy => wukongsUsingPolicy(view.all("Wukong") as Wukong[], policy.metadata.name).forEach(key => wukongQueue.add(key)),
    },
    KubeVirt: { onChange: onKubeVirt },
  };

  return {
    observeWukong(wukong, phase) {
      view.observe("Wukong", wukong, phase);
      enqueue(wukong.metadata.namespace, wukong.metadata.name);
    },
    watchChildren(kinds) {
      for (const kind of kinds) {
        readiness.waitFor(kind);
        startInformer({ kind, ...byLabel(LABELS.wukong, enqueue) });
      }
    },
    watchSnapshots() {
      readiness.waitFor("WukongSnapshot");
      // A WukongSnapshot matters to itself and to its Wukong (status.snapshots, a restore waiting for it).
      startInformer({
        kind: "WukongSnapshot",
        onChange: snapshot => {
          const { namespace, name } = snapshot.metadata;
          enqueueSnapshot(namespace, name);
          enqueue(namespace, (snapshot as WukongSnapshot).spec?.wukongName);
          // A Wukong restoring from another Wukong's snapshot waits for this one to be ready.
          for (const wukong of view.all("Wukong") as Wukong[])
            if (wukong.metadata?.namespace === namespace && wukong.spec?.restoreFromSnapshot === name) enqueue(namespace, wukong.metadata?.name);
        },
      });
    },
    discovered(servedApis, listedNodeResources, restoreSpecFields) {
      // A node list that failed this time says nothing new: the last answer stands, and nothing is requeued for it.
      const nodeResources = listedNodeResources ?? discovered?.nodeResources;
      const changed =
        discovered !== undefined &&
        !(
          sameSet(discovered.servedApis, servedApis) &&
          sameSet(discovered.nodeResources, nodeResources) &&
          sameSet(discovered.restoreSpecFields, restoreSpecFields)
        );
      discovered = { servedApis, ...(nodeResources && { nodeResources }), ...(restoreSpecFields && { restoreSpecFields }) };
      for (const api of readiness.discovered(servedApis)) for (const kind of OPTIONAL_WATCHES[api]) startInformer({ kind, ...optional[kind] });
      if (changed) requeueAll();
    },
    features: () => ({
      ...discovered,
      ...(view.isSynced("KubeVirt") && kubeVirtConfig(view.all("KubeVirt") as KubeVirtObject[])),
    }),
  };
}

const sameSet = (a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined) =>
  a === b || (a !== undefined && b !== undefined && a.size === b.size && [...a].every(item => b.has(item)));
