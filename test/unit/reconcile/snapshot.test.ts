// The WukongSnapshot controller against the in-memory cluster: the VirtualMachineSnapshot it makes, the status
// that follows it, and what happens when the Wukong is missing, the snapshot fails or its child goes away.
import type { LiveObject } from "../../../lib/cluster/live";
import { snapshotReconciler } from "../../../lib/reconcile/snapshot";
import { API_VERSION, LABELS } from "../../../schemas/wukong";
import { DELETE_WITH_WUKONG_ANNOTATION, SNAPSHOT_LABEL, type WukongSnapshotStatus } from "../../../schemas/wukongsnapshot";
import { MemoryCluster } from "./memory-cluster";

const NAMESPACE = "vms";
const WUKONG = "app-01";
const SNAPSHOT = "before-upgrade";
const KEY = `${NAMESPACE}/${SNAPSHOT}`;
const WAITING_MS = 15_000;

function setup({ withWukong = true, annotations }: { withWukong?: boolean; annotations?: Record<string, string> } = {}) {
  const cluster = new MemoryCluster();
  if (withWukong) {
    cluster.put("Wukong", {
      apiVersion: API_VERSION,
      kind: "Wukong",
      metadata: { name: WUKONG, namespace: NAMESPACE, uid: "wukong-uid", generation: 1 },
      spec: {
        cpu: 1,
        memory: "1Gi",
        disks: [
          { name: "system", size: "10Gi" },
          { name: "data", size: "5Gi" },
        ],
      },
    });
  }
  cluster.put("WukongSnapshot", {
    apiVersion: API_VERSION,
    kind: "WukongSnapshot",
    metadata: { name: SNAPSHOT, namespace: NAMESPACE, uid: "snapshot-uid", generation: 1, ...(annotations && { annotations }) },
    spec: { wukongName: WUKONG },
  });
  const reconcile = snapshotReconciler(cluster, { waitingMs: WAITING_MS });
  return { cluster, reconcile };
}

const snapshotOf = (cluster: MemoryCluster) => cluster.stored("WukongSnapshot", NAMESPACE, SNAPSHOT)!;
const statusOf = (cluster: MemoryCluster) => snapshotOf(cluster).status as WukongSnapshotStatus;
const vmSnapshotOf = (cluster: MemoryCluster) => cluster.stored("VirtualMachineSnapshot", NAMESPACE, SNAPSHOT);

/** Plays KubeVirt's snapshot controller. */
function kubevirtReports(cluster: MemoryCluster, status: Record<string, unknown>): void {
  cluster.put("VirtualMachineSnapshot", { ...vmSnapshotOf(cluster)!, status });
}

describe("WukongSnapshot: taking the snapshot", () => {
  it("makes a VirtualMachineSnapshot of the Wukong's VM, owned by the WukongSnapshot, and reports InProgress", async () => {
    const { cluster, reconcile } = setup();
    expect(await reconcile(KEY)).toBeUndefined();

    const vmSnapshot = vmSnapshotOf(cluster)!;
    expect(vmSnapshot).toMatchObject({
      apiVersion: "snapshot.kubevirt.io/v1beta1",
      kind: "VirtualMachineSnapshot",
      spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: WUKONG }, deletionPolicy: "Delete" },
    });
    expect(vmSnapshot.metadata.labels).toMatchObject({ [LABELS.wukong]: WUKONG, [SNAPSHOT_LABEL]: SNAPSHOT });
    expect(vmSnapshot.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "WukongSnapshot", uid: "snapshot-uid", controller: true })]);
    // The WukongSnapshot is labelled for its Wukong, so the Wukong can list it.
    expect(snapshotOf(cluster).metadata.labels).toEqual({ [LABELS.wukong]: WUKONG });
    expect(statusOf(cluster)).toEqual({
      phase: "InProgress",
      readyToUse: false,
      snapshotName: SNAPSHOT,
      disks: ["system", "data"],
      observedGeneration: 1,
      conditions: [expect.objectContaining({ type: "ContentDeletedWithSnapshot", status: "True", reason: "DeletionPolicyDelete" })],
    });
  });

  it("follows KubeVirt to Succeeded with the creation time, then writes nothing while nothing changes", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    kubevirtReports(cluster, { phase: "Succeeded", readyToUse: true, creationTime: "2026-11-29T12:00:00Z" });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({ phase: "Succeeded", readyToUse: true, creationTime: "2026-11-29T12:00:00Z", snapshotName: SNAPSHOT });

    const writes = cluster.writes.length;
    for (let i = 0; i < 3; i++) await reconcile(KEY);
    expect(cluster.writes.length).toBe(writes);
  });

  // kubevirt v1.7.4 pkg/storage/snapshot/snapshot.go: getSnapshotPVC skips a claim that is not bound or whose
  // StorageClass has no VolumeSnapshotClass, updateSnapshotSnapshotableVolumes lists it under excludedVolumes (with
  // every non-claim volume, such as cloud-init's), and the snapshot still goes Succeeded.
  it("records the disks KubeVirt really captured, and warns on the snapshot (condition and Event) of any it left out", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    kubevirtReports(cluster, {
      phase: "Succeeded",
      readyToUse: true,
      creationTime: "2026-11-29T12:00:00Z",
      snapshotVolumes: { includedVolumes: ["system"], excludedVolumes: ["data", "cloudinitdisk"] },
    });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({
      phase: "Succeeded",
      readyToUse: true,
      disks: ["system", "data"],
      includedDisks: ["system"],
      excludedDisks: ["data"],
    });
    expect(statusOf(cluster).conditions).toContainEqual(
      expect.objectContaining({ type: "AllDisksIncluded", status: "False", reason: "DisksExcluded", message: expect.stringContaining("disks [data]") }),
    );
    expect(cluster.events).toEqual([expect.objectContaining({ type: "Warning", reason: "DisksExcluded", message: expect.stringContaining("disks [data]") })]);

    for (let i = 0; i < 2; i++) await reconcile(KEY);
    expect(cluster.events).toHaveLength(1); // said once
  });

  it("says every disk was captured when KubeVirt excluded only volumes that are not disks", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    kubevirtReports(cluster, {
      phase: "Succeeded",
      readyToUse: true,
      snapshotVolumes: { includedVolumes: ["system", "data"], excludedVolumes: ["cloudinitdisk"] },
    });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({ includedDisks: ["system", "data"], excludedDisks: [] });
    expect(statusOf(cluster).conditions).toContainEqual(expect.objectContaining({ type: "AllDisksIncluded", status: "True" }));
    expect(cluster.events).toEqual([]);
  });

  // Spec is immutable (kubevirt v1.7.4 pkg/storage/admitters/vmsnapshot.go), so a VirtualMachineSnapshot an older
  // Wukong made with "delete" keeps it, and deleteContentPolicy treats that as Retain: the user must be told.
  it('says so when its VirtualMachineSnapshot has a deletionPolicy KubeVirt retains the content for ("delete" of older versions)', async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    const made = vmSnapshotOf(cluster)!;
    cluster.put("VirtualMachineSnapshot", {
      ...made,
      spec: { ...made.spec, deletionPolicy: "delete" },
      status: { phase: "Succeeded", readyToUse: true, virtualMachineSnapshotContentName: "vmsnapshot-content-1" },
    });
    await reconcile(KEY);
    expect(statusOf(cluster).conditions).toContainEqual(
      expect.objectContaining({
        type: "ContentDeletedWithSnapshot",
        status: "False",
        reason: "ContentRetained",
        message: expect.stringContaining("delete VirtualMachineSnapshotContent vmsnapshot-content-1 yourself"),
      }),
    );
  });

  it("reports Failed with KubeVirt's error", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    kubevirtReports(cluster, { phase: "Failed", readyToUse: false, error: { message: "volume snapshot class not found", time: "2026-11-29T12:00:00Z" } });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({ phase: "Failed", readyToUse: false, error: "volume snapshot class not found" });
  });

  it("shows KubeVirt's error while it retries, InProgress until its failure deadline (kubevirt v1.7.4 pkg/storage/snapshot/snapshot.go)", async () => {
    // updateVMSnapshotContent copies a VolumeSnapshot's error to the content; updateSnapshotStatus copies it to the
    // VirtualMachineSnapshot, which stays InProgress until spec.failureDeadline (5 minutes by default) is exceeded.
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    const message = 'VolumeSnapshot vmsnapshot-1-volume-system error: failed to take snapshot of the volume pvc-1: "rpc error"';
    kubevirtReports(cluster, { phase: "InProgress", readyToUse: false, error: { message, time: "2026-11-29T12:00:00Z" } });
    await reconcile(KEY);
    expect(statusOf(cluster)).toMatchObject({ phase: "InProgress", readyToUse: false, error: message });
  });

  it("waits, Pending, while its Wukong does not exist: nothing is made and it looks again later", async () => {
    const { cluster, reconcile } = setup({ withWukong: false });
    expect(await reconcile(KEY)).toEqual({ requeueAfterMs: WAITING_MS });
    expect(vmSnapshotOf(cluster)).toBeUndefined();
    expect(statusOf(cluster)).toMatchObject({ phase: "Pending", error: `Wukong ${WUKONG} does not exist` });
  });

  it("does not silently retake a snapshot whose VirtualMachineSnapshot was deleted: Failed, saying so", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    cluster.remove("VirtualMachineSnapshot", NAMESPACE, SNAPSHOT);
    await reconcile(KEY);
    expect(vmSnapshotOf(cluster)).toBeUndefined();
    expect(statusOf(cluster)).toMatchObject({ phase: "Failed", error: `VirtualMachineSnapshot ${SNAPSHOT} was deleted` });
  });

  it("refuses to adopt a same-named VirtualMachineSnapshot it does not own", async () => {
    const { cluster, reconcile } = setup();
    cluster.put("VirtualMachineSnapshot", { metadata: { name: SNAPSHOT, namespace: NAMESPACE, uid: "someone-else" }, spec: {} });
    await reconcile(KEY);
    expect(vmSnapshotOf(cluster)?.metadata.uid).toBe("someone-else");
    expect(statusOf(cluster)).toMatchObject({ phase: "Failed", error: expect.stringContaining("does not belong to this WukongSnapshot") });
  });
});

describe("WukongSnapshot: lifetime relative to its Wukong", () => {
  const wukongReferences = (snapshot: LiveObject) => (snapshot.metadata.ownerReferences ?? []).filter(ref => (ref as { kind?: string }).kind === "Wukong");

  it("outlives its Wukong by default: no ownerReference to the Wukong", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    expect(wukongReferences(snapshotOf(cluster))).toEqual([]);
  });

  it(`is deleted with its Wukong when annotated ${DELETE_WITH_WUKONG_ANNOTATION}=true, and not once the annotation goes`, async () => {
    const { cluster, reconcile } = setup({ annotations: { [DELETE_WITH_WUKONG_ANNOTATION]: "true" } });
    await reconcile(KEY);
    expect(wukongReferences(snapshotOf(cluster))).toEqual([
      { apiVersion: API_VERSION, kind: "Wukong", name: WUKONG, uid: "wukong-uid", blockOwnerDeletion: false },
    ]);

    const annotated = snapshotOf(cluster);
    cluster.put("WukongSnapshot", { ...annotated, metadata: { ...annotated.metadata, annotations: {} } });
    await reconcile(KEY);
    expect(wukongReferences(snapshotOf(cluster))).toEqual([]);
  });

  it("keeps the reference while the Wukong is being deleted (it is what deletes the snapshot with it)", async () => {
    const { cluster, reconcile } = setup({ annotations: { [DELETE_WITH_WUKONG_ANNOTATION]: "true" } });
    await reconcile(KEY);
    const wukong = cluster.stored("Wukong", NAMESPACE, WUKONG)!;
    cluster.put("Wukong", { ...wukong, metadata: { ...wukong.metadata, deletionTimestamp: "2026-11-29T12:00:00Z" } });
    const annotated = snapshotOf(cluster);
    cluster.put("WukongSnapshot", { ...annotated, metadata: { ...annotated.metadata, annotations: {} } });
    await reconcile(KEY);
    expect(wukongReferences(snapshotOf(cluster))).toHaveLength(1);
  });
});
