import { AS_SOURCE_PROTECTION, BOUND_PROTECTION, planVolumeSnapshot, snapshotFailure, planVolumeSnapshotContent } from "./csi-snapshots";
import { snapshotSourceProblem } from "./pvc-binder";
import type { KubeObject } from "./resources";
import { emptySnapshot } from "./snapshot";
import { after, cfg, obj } from "./test-helpers";

const FINALIZERS = [AS_SOURCE_PROTECTION, BOUND_PROTECTION];

function world() {
  const snap = emptySnapshot();
  snap.volumeSnapshotClasses.set("/sim-snapclass", {
    metadata: { name: "sim-snapclass" },
    driver: "simulator.novasphere.dev",
    deletionPolicy: "Delete",
  } as KubeObject);
  snap.pvs.set("/pvc-1", { metadata: { name: "pvc-1" }, spec: { csi: { volumeHandle: "pvc-1" }, volumeMode: "Filesystem", capacity: { storage: "5Gi" } } });
  snap.pvcs.set("ns1/disk", obj("PersistentVolumeClaim", "disk", { spec: { volumeName: "pvc-1" }, status: { phase: "Bound", capacity: { storage: "5Gi" } } }));
  return snap;
}

const volumeSnapshot = (extra: Partial<KubeObject> = {}) =>
  obj("VolumeSnapshot", "vs", {
    ...extra,
    metadata: { finalizers: FINALIZERS, ...extra.metadata },
    spec: { source: { persistentVolumeClaimName: "disk" }, volumeSnapshotClassName: "sim-snapclass" },
  });

describe("simulated snapshot-controller and csi-snapshotter (external-snapshotter v8)", () => {
  it("protects a new VolumeSnapshot with its finalizers, then binds it to a content made from the claim's volume", () => {
    const snap = world();
    const plan = planVolumeSnapshot(volumeSnapshot({ metadata: { finalizers: [] } }), snap, after(0), cfg);
    expect(plan.map(a => a.type)).toEqual(["patch", "create", "patch"]);
    expect(plan[0]).toMatchObject({ patch: { metadata: { finalizers: FINALIZERS } } });
    expect(plan[1]).toMatchObject({
      obj: {
        kind: "VolumeSnapshotContent",
        metadata: { name: "snapcontent-uid-VolumeSnapshot-vs" },
        spec: {
          volumeSnapshotRef: { kind: "VolumeSnapshot", namespace: "ns1", name: "vs", uid: "uid-VolumeSnapshot-vs" },
          source: { volumeHandle: "pvc-1" },
          deletionPolicy: "Delete",
          driver: "simulator.novasphere.dev",
          volumeSnapshotClassName: "sim-snapclass",
        },
      },
    });
    expect(plan[2]).toMatchObject({
      subresource: "status",
      patch: { status: { boundVolumeSnapshotContentName: "snapcontent-uid-VolumeSnapshot-vs", readyToUse: false } },
    });
  });

  it("waits while the claim is unbound or the class is missing", () => {
    const snap = world();
    snap.pvcs.set("ns1/disk", obj("PersistentVolumeClaim", "disk", { status: { phase: "Pending" } }));
    expect(planVolumeSnapshot(volumeSnapshot(), snap, after(0), cfg)).toEqual([expect.objectContaining({ type: "note" })]);
    snap.volumeSnapshotClasses.clear();
    expect(planVolumeSnapshot(volumeSnapshot(), snap, after(0), cfg)[0].log).toContain("no VolumeSnapshotClass sim-snapclass");
  });

  it("under sim.novasphere.dev/snapshot: fail on the claim's Wukong, reports the driver's error on content and VolumeSnapshot", () => {
    const snap = world();
    const content = {
      metadata: { name: "snapcontent-uid-VolumeSnapshot-vs", uid: "c1" },
      spec: { deletionPolicy: "Delete", source: { volumeHandle: "pvc-1" } },
    };
    snap.volumeSnapshotContents.set("/snapcontent-uid-VolumeSnapshot-vs", content);
    snap.pvcs.set("ns1/disk", { ...snap.pvcs.get("ns1/disk")!, metadata: { name: "disk", namespace: "ns1", labels: { "vm.novasphere.dev/wukong": "web" } } });
    snap.wukongs.set("ns1/web", obj("Wukong", "web", { metadata: { annotations: { "sim.novasphere.dev/snapshot": "fail" } } }));
    const error = { message: snapshotFailure("pvc-1") };
    expect(planVolumeSnapshot(volumeSnapshot(), snap, after(1000), cfg)).toEqual([
      expect.objectContaining({
        res: expect.objectContaining({ kind: "VolumeSnapshotContent" }),
        patch: { status: { readyToUse: false, error: expect.objectContaining(error) } },
      }),
      expect.objectContaining({
        res: expect.objectContaining({ kind: "VolumeSnapshot" }),
        patch: { status: expect.objectContaining({ readyToUse: false, error: expect.objectContaining(error) }) },
      }),
    ]);
    snap.wukongs.clear();
    expect(planVolumeSnapshot(volumeSnapshot(), snap, after(1000), cfg)[0]).toMatchObject({ patch: { status: { readyToUse: true } } });
  });

  it("cuts the snapshot after the delay, then reports creationTime, readyToUse and restoreSize on the VolumeSnapshot", () => {
    const snap = world();
    const content = { metadata: { name: "snapcontent-uid-VolumeSnapshot-vs", uid: "c1" }, spec: { deletionPolicy: "Delete" } };
    snap.volumeSnapshotContents.set("/snapcontent-uid-VolumeSnapshot-vs", content);
    expect(planVolumeSnapshot(volumeSnapshot(), snap, after(0), cfg)).toEqual([]);
    const [cut] = planVolumeSnapshot(volumeSnapshot(), snap, after(1000), cfg);
    expect(cut).toMatchObject({
      res: { kind: "VolumeSnapshotContent" },
      subresource: "status",
      patch: { status: { readyToUse: true, restoreSize: 5 * 2 ** 30 } },
    });

    snap.volumeSnapshotContents.set("/snapcontent-uid-VolumeSnapshot-vs", {
      ...content,
      status: { readyToUse: true, restoreSize: 5 * 2 ** 30, creationTime: 1.7e18 },
    });
    const [ready] = planVolumeSnapshot(volumeSnapshot(), snap, after(0), cfg);
    const status = {
      boundVolumeSnapshotContentName: "snapcontent-uid-VolumeSnapshot-vs",
      readyToUse: true,
      restoreSize: String(5 * 2 ** 30),
      creationTime: "2023-11-14T22:13:20Z",
    };
    expect(ready).toMatchObject({ res: { kind: "VolumeSnapshot" }, subresource: "status", patch: { status } });
    expect(planVolumeSnapshot(volumeSnapshot({ status }), snap, after(0), cfg)).toEqual([]);
  });

  it("deleting a VolumeSnapshot deletes its content under Delete, then releases its finalizers", () => {
    const snap = world();
    const deleting = volumeSnapshot({ metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" }, status: { boundVolumeSnapshotContentName: "sc1" } });
    snap.volumeSnapshotContents.set("/sc1", { metadata: { name: "sc1", uid: "c1" }, spec: { deletionPolicy: "Delete" } });
    expect(planVolumeSnapshot(deleting, snap, after(0), cfg)).toEqual([expect.objectContaining({ type: "delete", name: "sc1", uid: "c1" })]);
    snap.volumeSnapshotContents.clear();
    expect(planVolumeSnapshot(deleting, snap, after(0), cfg)).toEqual([
      expect.objectContaining({ type: "patch", patch: { metadata: expect.objectContaining({ finalizers: [] }) } }),
    ]);
  });

  it("keeps a Retain content, and holds the as-source finalizer while a claim is still restored from the snapshot", () => {
    const snap = world();
    const deleting = volumeSnapshot({ metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" }, status: { boundVolumeSnapshotContentName: "sc1" } });
    snap.volumeSnapshotContents.set("/sc1", { metadata: { name: "sc1", uid: "c1" }, spec: { deletionPolicy: "Retain" } });
    snap.pvcs.set(
      "ns1/restored",
      obj("PersistentVolumeClaim", "restored", { spec: { dataSource: { kind: "VolumeSnapshot", name: "vs" } }, status: { phase: "Pending" } }),
    );
    expect(planVolumeSnapshot(deleting, snap, after(0), cfg)).toEqual([expect.objectContaining({ type: "note" })]);
    snap.pvcs.delete("ns1/restored");
    expect(planVolumeSnapshot(deleting, snap, after(0), cfg)[0].log).toContain("content sc1 retained");
  });

  it("deletes a Delete content whose bound VolumeSnapshot is gone, never one still bound or retained", () => {
    const snap = world();
    const content = (policy: string) => ({
      metadata: { name: "sc1", uid: "c1" },
      spec: { deletionPolicy: policy, volumeSnapshotRef: { namespace: "ns1", name: "vs", uid: "uid-VolumeSnapshot-vs" } },
    });
    expect(planVolumeSnapshotContent(content("Delete"), snap)).toEqual([expect.objectContaining({ type: "delete", name: "sc1" })]);
    expect(planVolumeSnapshotContent(content("Retain"), snap)).toEqual([]);
    snap.volumeSnapshots.set("ns1/vs", volumeSnapshot());
    expect(planVolumeSnapshotContent(content("Delete"), snap)).toEqual([]);
  });
});

describe("provisioning a claim from a VolumeSnapshot (external-provisioner)", () => {
  const restored = obj("PersistentVolumeClaim", "restored", {
    spec: { dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "vs" } },
  });
  const snapshots = (status: object) => new Map([["ns1/vs", volumeSnapshot({ status })]]);

  it("waits for the snapshot to be ready, and refuses a request below its restoreSize", () => {
    expect(snapshotSourceProblem(restored, "5Gi", new Map())).toBe("VolumeSnapshot vs not found");
    expect(snapshotSourceProblem(restored, "5Gi", snapshots({ readyToUse: false }))).toBe("VolumeSnapshot vs is not ready to use");
    expect(snapshotSourceProblem(restored, "4Gi", snapshots({ readyToUse: true, restoreSize: "5Gi" }))).toContain("less than the size 5Gi");
    expect(snapshotSourceProblem(restored, "5Gi", snapshots({ readyToUse: true, restoreSize: String(5 * 2 ** 30) }))).toBeUndefined();
    expect(snapshotSourceProblem(obj("PersistentVolumeClaim", "plain", { spec: {} }), "1Gi")).toBeUndefined();
  });
});
