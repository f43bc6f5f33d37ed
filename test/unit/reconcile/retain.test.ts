// Retained disks (spec.disks[].retainOnDelete): released on deletion before the finalizer goes, finished by the next
// reconcile when a run is cut short, and adopted by a new Wukong of the same name.
// An imported disk's PVC is controlled by its DataVolume (CDI v1.66.0 pkg/controller/datavolume/controller-base.go,
// newPersistentVolumeClaim): the DataVolume is what keeps it, so the DataVolume is what is released.
import { withDefaults } from "../../../lib/defaults";
import type { WatchedKind } from "../../../lib/cluster/kinds";
import type { LiveObject } from "../../../lib/cluster/live";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import { API_VERSION, FINALIZER, LABELS } from "../../../schemas/wukong";
import { apiError, MemoryCluster } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "db-01";
const KEY = `${NAMESPACE}/${NAME}`;
const NOW = "2026-12-07T21:00:00Z";
const RETAINED = { [LABELS.retainedFrom]: NAME };

function spec(retain: { system?: boolean; data?: boolean }): WukongSpec {
  return withDefaults({
    namespace: NAMESPACE,
    name: NAME,
    spec: {
      cpu: 1,
      memory: "1Gi",
      disks: [
        { name: "system", size: "10Gi", storageClassName: "longhorn", image: "http://images.example/os.qcow2", retainOnDelete: retain.system },
        { name: "data", size: "20Gi", storageClassName: "longhorn", retainOnDelete: retain.data },
      ],
    } as WukongSpec,
  });
}

function putWukong(cluster: MemoryCluster, uid: string, wukongSpec: WukongSpec): void {
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid, generation: 1, finalizers: [FINALIZER] },
    spec: wukongSpec as unknown as Record<string, unknown>,
  });
}

/** A Wukong whose volumes exist: its DataVolume, the PVC CDI made for it (the DataVolume its controller), its blank PVC. */
async function created(retain: { system?: boolean; data?: boolean }) {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  putWukong(cluster, "first-uid", spec(retain));
  const reconcile = wukongReconciler(cluster, { now: () => NOW, nowMs: () => 0 });
  await reconcile(KEY);
  const dataVolume = cluster.stored("DataVolume", NAMESPACE, `${NAME}-system`)!;
  cluster.put("PersistentVolumeClaim", {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: `${NAME}-system`,
      namespace: NAMESPACE,
      labels: { ...dataVolume.metadata.labels },
      ownerReferences: [{ uid: dataVolume.metadata.uid!, controller: true }],
    },
    spec: { resources: { requests: { storage: "10Gi" } } },
    status: { phase: "Bound" },
  });
  return { cluster, reconcile };
}

function deleteWukong(cluster: MemoryCluster): void {
  const wukong = cluster.stored("Wukong", NAMESPACE, NAME)!;
  cluster.put("Wukong", { ...wukong, metadata: { ...wukong.metadata, deletionTimestamp: NOW } });
}

/** Plays the garbage collector once the Wukong is gone: whatever it (or a deleted owner of it) controls goes too. */
function collectGarbage(cluster: MemoryCluster, uid: string): void {
  cluster.remove("Wukong", NAMESPACE, NAME);
  const gone = new Set([uid]);
  for (const kind of ["DataVolume", "PersistentVolumeClaim", "Secret", "VirtualMachine"] as WatchedKind[]) {
    for (const object of cluster.storedOf(kind)) {
      if (!object.metadata.ownerReferences?.some(ref => gone.has(ref.uid))) continue;
      gone.add(object.metadata.uid!);
      cluster.remove(kind, NAMESPACE, object.metadata.name);
    }
  }
}

const stored = (cluster: MemoryCluster, kind: WatchedKind, disk: string) => cluster.stored(kind, NAMESPACE, `${NAME}-${disk}`);
const owners = (object: LiveObject | undefined) => object?.metadata.ownerReferences?.map(ref => ref.uid);

describe("deleting a Wukong with retained disks", () => {
  it("frees each retained volume of our ownerReference and labels it before the finalizer goes; the others go with the Wukong", async () => {
    const { cluster, reconcile } = await created({ system: true });
    const dataVolumeUid = stored(cluster, "DataVolume", "system")!.metadata.uid!;
    deleteWukong(cluster);
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.stored("Wukong", NAMESPACE, NAME)!.metadata.finalizers).toEqual([]);

    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual([]);
    expect(stored(cluster, "DataVolume", "system")!.metadata.labels).toMatchObject(RETAINED);
    // CDI's claim stays the DataVolume's, and can be found by the label too.
    expect(owners(stored(cluster, "PersistentVolumeClaim", "system"))).toEqual([dataVolumeUid]);
    expect(stored(cluster, "PersistentVolumeClaim", "system")!.metadata.labels).toMatchObject(RETAINED);
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual(["first-uid"]);
    expect(stored(cluster, "PersistentVolumeClaim", "data")!.metadata.labels?.[LABELS.retainedFrom]).toBeUndefined();

    collectGarbage(cluster, "first-uid");
    expect(stored(cluster, "DataVolume", "system")).toBeDefined();
    expect(stored(cluster, "PersistentVolumeClaim", "system")).toBeDefined();
    expect(stored(cluster, "PersistentVolumeClaim", "data")).toBeUndefined();
  });

  it("keeps the finalizer when the process dies halfway, and the next reconcile finishes without redoing what was done", async () => {
    const { cluster, reconcile } = await created({ system: true, data: true });
    deleteWukong(cluster);
    cluster.failNext("PersistentVolumeClaim", "patch", apiError(503, "ServiceUnavailable"));
    await expect(reconcile(KEY)).rejects.toMatchObject({ status: 503 });
    expect(cluster.stored("Wukong", NAMESPACE, NAME)!.metadata.finalizers).toEqual([FINALIZER]);
    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual([]);
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual(["first-uid"]);

    const mark = cluster.writes.length;
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.writesSince(mark)).toEqual([
      { verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-system` },
      { verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-data` },
      { verb: "patch", kind: "Wukong", name: NAME },
    ]);
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual([]);
    expect(stored(cluster, "PersistentVolumeClaim", "data")!.metadata.labels).toMatchObject(RETAINED);

    // Released already: a further run writes nothing for the volumes.
    const again = cluster.writes.length;
    cluster.put("Wukong", {
      ...cluster.stored("Wukong", NAMESPACE, NAME)!,
      metadata: { ...cluster.stored("Wukong", NAMESPACE, NAME)!.metadata, finalizers: [FINALIZER] },
    });
    await reconcile(KEY);
    expect(cluster.writesSince(again)).toEqual([{ verb: "patch", kind: "Wukong", name: NAME }]);
  });

  it("leaves alone a same-named claim it never made", async () => {
    const { cluster, reconcile } = await created({ data: true });
    const data = stored(cluster, "PersistentVolumeClaim", "data")!;
    cluster.put("PersistentVolumeClaim", { ...data, metadata: { ...data.metadata, ownerReferences: [{ uid: "someone-else", controller: true }] } });
    deleteWukong(cluster);
    const mark = cluster.writes.length;
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.writesSince(mark)).toEqual([{ verb: "patch", kind: "Wukong", name: NAME }]);
    expect(stored(cluster, "PersistentVolumeClaim", "data")!.metadata.labels?.[LABELS.retainedFrom]).toBeUndefined();
  });
});

describe("a new Wukong of the same name", () => {
  it("adopts the retained volumes by name instead of making new ones, and drops their label", async () => {
    const { cluster, reconcile } = await created({ system: true, data: true });
    deleteWukong(cluster);
    await reconcile(KEY);
    collectGarbage(cluster, "first-uid");
    const dataVolumeUid = stored(cluster, "DataVolume", "system")!.metadata.uid;

    putWukong(cluster, "second-uid", spec({}));
    const mark = cluster.writes.length;
    await reconcile(KEY);
    const volumeWrites = cluster.writesSince(mark).filter(w => w.kind === "DataVolume" || w.kind === "PersistentVolumeClaim");
    expect(volumeWrites.every(w => w.verb === "patch")).toBe(true);

    expect(stored(cluster, "DataVolume", "system")!.metadata.uid).toBe(dataVolumeUid);
    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual(["second-uid"]);
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual(["second-uid"]);
    for (const [kind, disk] of [
      ["DataVolume", "system"],
      ["PersistentVolumeClaim", "system"],
      ["PersistentVolumeClaim", "data"],
    ] as const) {
      expect(stored(cluster, kind, disk)!.metadata.labels?.[LABELS.retainedFrom]).toBeUndefined();
    }
    expect(cluster.events.map(e => e.message).join("\n")).toContain(`retained from Wukong ${NAME}`);
  });
});
