// One consistent-enough read of everything the simulated controllers look at, taken once per loop.
// A missing API (CRD not installed yet) reads as "no objects" so the simulator runs on any cluster.
import type { KubeClient } from "../support/kube-client";
import { indexWukongs, WukongIndex } from "./faults";
import { networkDataSecretNames } from "./network-data";
import {
  DATA_VOLUME,
  KubeObject,
  keyOf,
  LEASE,
  NNCE,
  NNCP,
  NNS,
  NODE,
  NODE_LEASE_NAMESPACE,
  POD,
  PV,
  PVC,
  SECRET,
  STORAGE_CLASS,
  VMI,
  VMI_MIGRATION,
  VOLUME_SNAPSHOT,
  VOLUME_SNAPSHOT_CLASS,
  VOLUME_SNAPSHOT_CONTENT,
  WUKONG,
} from "./resources";

export interface Snapshot {
  pods: Map<string, KubeObject>; // every pod (the real controllers create them)
  pvs: Map<string, KubeObject>; // every PV by "/name" (the simulated provisioner makes them)
  pvcs: Map<string, KubeObject>; // every PVC by "namespace/name" (VM volumes may name unlabelled ones)
  storageClasses: Set<string>;
  /** The classes whose volumeBindingMode is WaitForFirstConsumer (the CSI provisioner waits for the scheduler). */
  waitForFirstConsumerClasses?: Set<string>;
  dataVolumes: Map<string, KubeObject>;
  vmis: Map<string, KubeObject>;
  vmiMigrations: Map<string, KubeObject>; // virt-controller's, e.g. its workload updater's
  wukongs: WukongIndex;
  secrets: Map<string, KubeObject>; // only those holding network data of VMIs that have not booted yet
  volumeSnapshots: Map<string, KubeObject>;
  volumeSnapshotContents: Map<string, KubeObject>; // by "/name" (cluster-scoped)
  volumeSnapshotClasses: Map<string, KubeObject>; // by "/name" (cluster-scoped)
  nodes: Map<string, KubeObject>; // by "/name" (cluster-scoped)
  nodeLeases: Map<string, KubeObject>; // the Leases in kube-node-lease, by "kube-node-lease/<node>"
  nodeNetworkStates: Map<string, KubeObject>;
  nodeNetworkPolicies: Map<string, KubeObject>;
  enactments: Map<string, KubeObject>;
  missingApis: string[]; // resources whose API is not served (CRD not installed)
}

export function byKey(objects: KubeObject[] | undefined): Map<string, KubeObject> {
  return new Map((objects ?? []).map(o => [keyOf(o), o]));
}

export function emptySnapshot(): Snapshot {
  return {
    pods: new Map(),
    pvs: new Map(),
    pvcs: new Map(),
    storageClasses: new Set(),
    dataVolumes: new Map(),
    vmis: new Map(),
    vmiMigrations: new Map(),
    wukongs: new Map(),
    secrets: new Map(),
    volumeSnapshots: new Map(),
    volumeSnapshotContents: new Map(),
    volumeSnapshotClasses: new Map(),
    nodes: new Map(),
    nodeLeases: new Map(),
    nodeNetworkStates: new Map(),
    nodeNetworkPolicies: new Map(),
    enactments: new Map(),
    missingApis: [],
  };
}

export async function readSnapshot(client: KubeClient): Promise<Snapshot> {
  const [
    pods,
    pvs,
    pvcs,
    storageClasses,
    dataVolumes,
    vmis,
    vmiMigrations,
    wukongs,
    volumeSnapshots,
    volumeSnapshotContents,
    volumeSnapshotClasses,
    nodes,
    nodeLeases,
    nodeNetworkStates,
    nodeNetworkPolicies,
    enactments,
  ] = await Promise.all([
    client.listAll(POD),
    client.listAll(PV),
    client.listAll(PVC),
    client.listAll(STORAGE_CLASS),
    client.listAll(DATA_VOLUME),
    client.listAll(VMI),
    client.listAll(VMI_MIGRATION),
    client.listAll(WUKONG),
    client.listAll(VOLUME_SNAPSHOT),
    client.listAll(VOLUME_SNAPSHOT_CONTENT),
    client.listAll(VOLUME_SNAPSHOT_CLASS),
    client.listAll(NODE),
    client.listIn(LEASE, NODE_LEASE_NAMESPACE),
    client.listAll(NNS),
    client.listAll(NNCP),
    client.listAll(NNCE),
  ]);
  const missingApis = [
    [storageClasses, STORAGE_CLASS],
    [dataVolumes, DATA_VOLUME],
    [vmis, VMI],
    [wukongs, WUKONG],
    [nodeNetworkPolicies, NNCP],
  ]
    .filter(([list]) => list === undefined)
    .map(([, res]) => `${(res as typeof VMI).plural}.${(res as typeof VMI).group}`);

  const snapshot: Snapshot = {
    pods: byKey(pods),
    pvs: byKey(pvs),
    pvcs: byKey(pvcs),
    storageClasses: new Set((storageClasses ?? []).map(sc => sc.metadata.name ?? "")),
    waitForFirstConsumerClasses: new Set(
      (storageClasses ?? []).filter(sc => sc.volumeBindingMode === "WaitForFirstConsumer").map(sc => sc.metadata.name ?? ""),
    ),
    dataVolumes: byKey(dataVolumes),
    vmis: byKey(vmis),
    vmiMigrations: byKey(vmiMigrations),
    wukongs: indexWukongs(wukongs),
    secrets: new Map(),
    volumeSnapshots: byKey(volumeSnapshots),
    volumeSnapshotContents: byKey(volumeSnapshotContents),
    volumeSnapshotClasses: byKey(volumeSnapshotClasses),
    nodes: byKey(nodes),
    nodeLeases: byKey(nodeLeases),
    nodeNetworkStates: byKey(nodeNetworkStates),
    nodeNetworkPolicies: byKey(nodeNetworkPolicies),
    enactments: byKey(enactments),
    missingApis,
  };

  // Network data is read when a VMI "boots", so only those VMIs' Secrets are fetched.
  const wanted = new Set<string>();
  for (const vmi of snapshot.vmis.values()) {
    if (vmi.status?.phase === "Running") continue;
    for (const name of networkDataSecretNames(vmi.spec?.volumes)) wanted.add(`${vmi.metadata.namespace}/${name}`);
  }
  await Promise.all(
    [...wanted].map(async key => {
      const [ns, name] = key.split("/");
      const secret = await client.get(SECRET, ns, name);
      if (secret) snapshot.secrets.set(key, secret);
    }),
  );
  return snapshot;
}
