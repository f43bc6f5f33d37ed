// Retained disks (spec.disks[].retainOnDelete): held without an ownerReference while the Wukong lives, so the garbage
// collector never takes them, even in a foreground deletion (k8s.io/kubernetes pkg/controller/garbagecollector/
// garbagecollector.go, attemptToDeleteItem, deletes the dependents of an owner waiting for them before its other
// finalizers run); labelled on deletion before the finalizer goes, finished by the next reconcile when a run is cut
// short, and adopted by a new Wukong of the same name.
// An imported disk's PVC is controlled by its DataVolume (CDI v1.66.0 pkg/controller/datavolume/controller-base.go,
// newPersistentVolumeClaim): the DataVolume is what keeps it, so the DataVolume is what is released.
import { withDefaults } from "../../../lib/defaults";
import type { WatchedKind } from "../../../lib/cluster/kinds";
import type { LiveObject } from "../../../lib/cluster/live";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import { API_VERSION, FINALIZER, LABELS, OWNER_UID_ANNOTATION } from "../../../schemas/wukong";
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

/**
 * Plays the garbage collector: whatever the Wukong (or a deleted dependent of it) owns goes. Once the Wukong is gone
 * (background), or at once while it waits for its dependents (`--cascade=foreground`: only the Wukong stays).
 */
function collectGarbage(cluster: MemoryCluster, uid: string, propagation: "Background" | "Foreground" = "Background"): void {
  if (propagation === "Background") cluster.remove("Wukong", NAMESPACE, NAME);
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
const owners = (object: LiveObject | undefined) => object?.metadata.ownerReferences?.map(ref => ref.uid) ?? [];
const ownerUid = (object: LiveObject | undefined) => object?.metadata.annotations?.[OWNER_UID_ANNOTATION];

describe("a retained disk's volume while its Wukong lives", () => {
  it("carries no ownerReference to the Wukong, only its uid in an annotation; the other disks' volumes are owned", async () => {
    const { cluster } = await created({ system: true });
    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual([]);
    expect(ownerUid(stored(cluster, "DataVolume", "system"))).toBe("first-uid");
    expect(stored(cluster, "DataVolume", "system")!.metadata.labels).toMatchObject({ [LABELS.wukong]: NAME });
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual(["first-uid"]);
    expect(ownerUid(stored(cluster, "PersistentVolumeClaim", "data"))).toBeUndefined();
  });

  it("switches form when retainOnDelete changes, in one patch each way, and says so", async () => {
    const { cluster, reconcile } = await created({ system: true });
    const wukong = cluster.stored("Wukong", NAMESPACE, NAME)!;
    const change = (retain: { system?: boolean; data?: boolean }) =>
      cluster.put("Wukong", { ...wukong, spec: spec(retain) as unknown as Record<string, unknown> });

    change({ data: true });
    let mark = cluster.writes.length;
    await reconcile(KEY);
    expect(cluster.writesSince(mark).filter(w => w.kind !== "Wukong" && w.kind !== "VirtualMachine" && w.kind !== "Secret")).toEqual([
      { verb: "patch", kind: "DataVolume", name: `${NAME}-system` },
      { verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-data` },
    ]);
    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual(["first-uid"]);
    expect(ownerUid(stored(cluster, "DataVolume", "system"))).toBeUndefined();
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual([]);
    expect(ownerUid(stored(cluster, "PersistentVolumeClaim", "data"))).toBe("first-uid");
    const messages = cluster.events.map(e => e.message).join("\n");
    expect(messages).toContain(`DataVolume ${NAME}-system (no longer retained: deleted with the Wukong)`);
    expect(messages).toContain(`PersistentVolumeClaim ${NAME}-data (retained on deletion: no ownerReference to the Wukong)`);

    mark = cluster.writes.length;
    await reconcile(KEY);
    expect(cluster.writesSince(mark).filter(w => w.kind === "DataVolume" || w.kind === "PersistentVolumeClaim")).toEqual([]);
  });

  it("a volume made while it was not retained loses our ownerReference at the next reconcile", async () => {
    const { cluster, reconcile } = await created({});
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual(["first-uid"]);
    const wukong = cluster.stored("Wukong", NAMESPACE, NAME)!;
    cluster.put("Wukong", { ...wukong, spec: spec({ data: true }) as unknown as Record<string, unknown> });
    await reconcile(KEY);
    expect(owners(stored(cluster, "PersistentVolumeClaim", "data"))).toEqual([]);
    collectGarbage(cluster, "first-uid", "Foreground");
    expect(stored(cluster, "PersistentVolumeClaim", "data")).toBeDefined();
  });
});

describe("deleting a Wukong with retained disks", () => {
  it("labels each retained volume and drops its annotation before the finalizer goes; the others go with the Wukong", async () => {
    const { cluster, reconcile } = await created({ system: true });
    const dataVolumeUid = stored(cluster, "DataVolume", "system")!.metadata.uid!;
    deleteWukong(cluster);
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.stored("Wukong", NAMESPACE, NAME)!.metadata.finalizers).toEqual([]);

    expect(owners(stored(cluster, "DataVolume", "system"))).toEqual([]);
    expect(ownerUid(stored(cluster, "DataVolume", "system"))).toBeUndefined();
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

  it("in the foreground (the garbage collector first, our finalizer after), nothing retained is lost", async () => {
    const { cluster, reconcile } = await created({ system: true, data: true });
    deleteWukong(cluster);
    collectGarbage(cluster, "first-uid", "Foreground");
    for (const [kind, disk] of [
      ["DataVolume", "system"],
      ["PersistentVolumeClaim", "system"],
      ["PersistentVolumeClaim", "data"],
    ] as const)
      expect(stored(cluster, kind, disk)).toBeDefined();
    expect(cluster.stored("VirtualMachine", NAMESPACE, NAME)).toBeUndefined();

    expect(await reconcile(KEY)).toBeUndefined();
    expect(stored(cluster, "PersistentVolumeClaim", "data")!.metadata.labels).toMatchObject(RETAINED);
    expect(stored(cluster, "DataVolume", "system")!.metadata.labels).toMatchObject(RETAINED);
  });

  it("keeps the finalizer when the process dies halfway, and the next reconcile finishes without redoing what was done", async () => {
    const { cluster, reconcile } = await created({ system: true, data: true });
    deleteWukong(cluster);
    cluster.failNext("PersistentVolumeClaim", "patch", apiError(503, "ServiceUnavailable"));
    await expect(reconcile(KEY)).rejects.toMatchObject({ status: 503 });
    expect(cluster.stored("Wukong", NAMESPACE, NAME)!.metadata.finalizers).toEqual([FINALIZER]);
    expect(stored(cluster, "DataVolume", "system")!.metadata.labels).toMatchObject(RETAINED);
    expect(ownerUid(stored(cluster, "PersistentVolumeClaim", "data"))).toBe("first-uid");

    const mark = cluster.writes.length;
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.writesSince(mark)).toEqual([
      { verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-system` },
      { verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-data` },
      { verb: "patch", kind: "Wukong", name: NAME },
    ]);
    expect(ownerUid(stored(cluster, "PersistentVolumeClaim", "data"))).toBeUndefined();
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

  it("deletes a volume still held although the disk is no longer retained (the switch had not run yet)", async () => {
    const { cluster, reconcile } = await created({ data: true });
    const wukong = cluster.stored("Wukong", NAMESPACE, NAME)!;
    cluster.put("Wukong", { ...wukong, spec: spec({}) as unknown as Record<string, unknown> });
    deleteWukong(cluster);
    expect(await reconcile(KEY)).toBeUndefined();
    expect(stored(cluster, "PersistentVolumeClaim", "data")).toBeUndefined();
  });

  it("leaves alone a same-named claim it never made", async () => {
    const { cluster, reconcile } = await created({ data: true });
    const data = stored(cluster, "PersistentVolumeClaim", "data")!;
    cluster.put("PersistentVolumeClaim", {
      ...data,
      metadata: { ...data.metadata, annotations: {}, ownerReferences: [{ uid: "someone-else", controller: true }] },
    });
    deleteWukong(cluster);
    const mark = cluster.writes.length;
    expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.writesSince(mark)).toEqual([{ verb: "patch", kind: "Wukong", name: NAME }]);
    expect(stored(cluster, "PersistentVolumeClaim", "data")!.metadata.labels?.[LABELS.retainedFrom]).toBeUndefined();
  });
});

describe("a new Wukong of the same name", () => {
  it.each<[string, { system?: boolean; data?: boolean }]>([
    ["owned", {}],
    ["retained again", { system: true, data: true }],
  ])("adopts the retained volumes by name instead of making new ones, and drops their label (%s)", async (_, retainAgain) => {
    const { cluster, reconcile } = await created({ system: true, data: true });
    deleteWukong(cluster);
    await reconcile(KEY);
    collectGarbage(cluster, "first-uid");
    const dataVolumeUid = stored(cluster, "DataVolume", "system")!.metadata.uid;

    putWukong(cluster, "second-uid", spec(retainAgain));
    const mark = cluster.writes.length;
    await reconcile(KEY);
    const volumeWrites = cluster.writesSince(mark).filter(w => w.kind === "DataVolume" || w.kind === "PersistentVolumeClaim");
    expect(volumeWrites.every(w => w.verb === "patch")).toBe(true);

    expect(stored(cluster, "DataVolume", "system")!.metadata.uid).toBe(dataVolumeUid);
    const retained = retainAgain.system === true;
    for (const [kind, disk] of [
      ["DataVolume", "system"],
      ["PersistentVolumeClaim", "data"],
    ] as const) {
      expect(owners(stored(cluster, kind, disk))).toEqual(retained ? [] : ["second-uid"]);
      expect(ownerUid(stored(cluster, kind, disk))).toBe(retained ? "second-uid" : undefined);
    }
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
