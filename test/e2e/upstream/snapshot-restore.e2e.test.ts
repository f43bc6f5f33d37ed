// A WukongSnapshot and a restore through virt-controller's own snapshot and restore controllers (KubeVirt v1.7.4
// pkg/storage/snapshot/snapshot.go and restore.go): VirtualMachineSnapshot → VirtualMachineSnapshotContent →
// one VolumeSnapshot per captured claim, which the simulated CSI side (test/simulator/csi-snapshots.ts, as
// external-snapshotter's snapshot-controller and csi-snapshotter) makes ready; then an InPlace VirtualMachineRestore
// that deletes the claim and re-creates it from its VolumeSnapshot. Proves issue 16 items 1 to 3 there:
//   1. deletionPolicy Delete: deleting the WukongSnapshot deletes the content and its VolumeSnapshots
//      (snapshot.go, deleteContentPolicy and updateVMSnapshot);
//   2. a disk on a StorageClass with no VolumeSnapshotClass is left out (snapshot.go, getSnapshotPVC and
//      updateSnapshotSnapshotableVolumes): status.excludedDisks and AllDisksIncluded False;
//   3. volumeOwnershipPolicy None: the restored blank-disk claim has no VM controller (restore.go, createRestorePVC),
//      and the operator adopts it back with its labels.
// The Wukong is stopped: a running VM with its agent connected is frozen first through virt-api's subresource API
// (source.go, Freeze), which this stack does not serve (docs/real-and-simulated.md).
import {
  R,
  apply,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  list,
  snapshotManifest,
  waitFor,
  waitForPhase,
  waitForSnapshotPhase,
  wukongManifest,
} from "../support/kube";

const NAME = "snapped";
const SNAPSHOT = "snapped-1";
// Cluster-scoped: a class whose driver has a VolumeSnapshotClass, and one without.
const WITH_CLASS = "up-snapshots";
const WITHOUT_CLASS = "up-no-snapshots";
const DRIVER = "snapshots.csi.novasphere.dev";
let ns: string;

const storageClass = (name: string, provisioner: string) => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name },
  provisioner,
  allowVolumeExpansion: true,
  volumeBindingMode: "Immediate",
  reclaimPolicy: "Delete",
});

beforeAll(async () => {
  ns = await createNamespace("up-snapshot");
  const cluster = [
    storageClass(WITH_CLASS, DRIVER),
    storageClass(WITHOUT_CLASS, "no-snapshots.csi.novasphere.dev"),
    { apiVersion: "snapshot.storage.k8s.io/v1", kind: "VolumeSnapshotClass", metadata: { name: WITH_CLASS }, driver: DRIVER, deletionPolicy: "Delete" },
  ];
  await apply(ns, cluster.map(o => JSON.stringify(o)).join("\n"));
});
afterAll(async () => {
  await deleteNamespace(ns);
  await kubectlOk(["delete", "--ignore-not-found", "volumesnapshotclass", WITH_CLASS]);
  await kubectlOk(["delete", "--ignore-not-found", "storageclass", WITH_CLASS, WITHOUT_CLASS]);
});

const gone = (resource: string, name: string) =>
  waitFor(() => getJsonOrUndefined(resource, name, ns), { describe: `${resource}/${name} to be gone`, until: o => o === undefined, timeoutMs: 60_000 });

test("a snapshot of a stopped Wukong goes through virt-controller, and the disk without a VolumeSnapshotClass is reported left out", async () => {
  await apply(
    ns,
    wukongManifest(NAME, {
      cpu: 1,
      memory: "1Gi",
      startStrategy: { autoStart: false },
      disks: [
        { name: "system", size: "1Gi", storageClassName: WITH_CLASS },
        { name: "scratch", size: "1Gi", storageClassName: WITHOUT_CLASS },
      ],
    }),
  );
  await waitForPhase(ns, NAME, "Stopped");

  await apply(ns, snapshotManifest(SNAPSHOT, NAME));
  const snapshot = await waitForSnapshotPhase(ns, SNAPSHOT, "Succeeded", 90_000);
  // Item 2: KubeVirt's own list of what it left out, carried onto the WukongSnapshot.
  const vmSnapshot = await getJson(R.vmSnapshot, SNAPSHOT, ns);
  expect(vmSnapshot.spec.deletionPolicy).toBe("Delete");
  // KubeVirt lists every VM volume it did not capture, the cloud-init one too; only the Wukong's disks count as left out.
  expect(vmSnapshot.status.snapshotVolumes.includedVolumes).toEqual(["system"]);
  expect([...vmSnapshot.status.snapshotVolumes.excludedVolumes].sort()).toEqual(["cloudinitdisk", "scratch"]);
  expect(snapshot.status).toMatchObject({ readyToUse: true, includedDisks: ["system"], excludedDisks: ["scratch"] });
  expect(snapshot.status.conditions).toEqual(
    expect.arrayContaining([expect.objectContaining({ type: "AllDisksIncluded", status: "False", reason: "DisksExcluded" })]),
  );
  const warnings = (await eventsFor(ns, "WukongSnapshot", SNAPSHOT)).filter(e => e.reason === "DisksExcluded");
  expect(warnings).toHaveLength(1);
  expect(warnings[0].message).toContain("scratch");

  // virt-controller made the content and one VolumeSnapshot, owned by it, which the CSI side made ready.
  const content = await getJson(R.vmSnapshotContent, vmSnapshot.status.virtualMachineSnapshotContentName, ns);
  expect(content.status.readyToUse).toBe(true);
  const volumeSnapshots = await list("volumesnapshots", ns);
  expect(volumeSnapshots).toHaveLength(1);
  expect(volumeSnapshots[0].spec).toEqual({ source: { persistentVolumeClaimName: `${NAME}-system` }, volumeSnapshotClassName: WITH_CLASS });
  expect(volumeSnapshots[0].metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "VirtualMachineSnapshotContent", uid: content.metadata.uid })]);
  expect(volumeSnapshots[0].status).toMatchObject({ readyToUse: true, restoreSize: String(2 ** 30) });
});

test("an InPlace restore re-creates the captured claim from its VolumeSnapshot, and the Wukong controls it again", async () => {
  const before = await getJson(R.pvc, `${NAME}-system`, ns);
  const untouched = await getJson(R.pvc, `${NAME}-scratch`, ns);
  const wukongUid = (await getJson(R.wukong, NAME, ns)).metadata.uid;
  await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { restoreFromSnapshot: SNAPSHOT } })]);

  const restoreName = `${NAME}-${SNAPSHOT}`;
  const restore = await waitFor(() => getJsonOrUndefined(R.vmRestore, restoreName, ns), {
    describe: `vmrestore/${restoreName} complete`,
    until: r => r?.status?.complete === true,
    timeoutMs: 90_000,
  });
  expect(restore!.spec).toMatchObject({ volumeRestorePolicy: "InPlace", volumeOwnershipPolicy: "None" });

  const restored = await getJson(R.pvc, `${NAME}-system`, ns);
  expect(restored.metadata.uid).not.toBe(before.metadata.uid);
  expect(restored.spec.dataSource).toEqual({ apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: expect.any(String) });
  expect(restored.metadata.annotations["restore.kubevirt.io/name"]).toBe(restoreName);
  // Item 3: KubeVirt left it without a controller (never the VM); the operator adopted it back, labelled.
  const adopted = await waitFor(() => getJson(R.pvc, `${NAME}-system`, ns), {
    describe: `pvc/${NAME}-system controlled by wk/${NAME} again`,
    until: pvc =>
      (pvc.metadata.ownerReferences ?? []).some(
        (ref: { kind: string; uid: string; controller?: boolean }) => ref.kind === "Wukong" && ref.uid === wukongUid && ref.controller,
      ),
    timeoutMs: 30_000,
  });
  expect(adopted.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "Wukong", uid: wukongUid, controller: true })]);
  expect(adopted.metadata.labels).toMatchObject({ "vm.novasphere.dev/wukong": NAME });
  expect(adopted.status.phase).toBe("Bound");
  // The excluded disk kept its claim (and data).
  expect((await getJson(R.pvc, `${NAME}-scratch`, ns)).metadata.uid).toBe(untouched.metadata.uid);

  const wukong = await waitFor(() => getJson(R.wukong, NAME, ns), {
    describe: `wk/${NAME} restore Succeeded`,
    until: w => w.status?.restore?.phase === "Succeeded",
    timeoutMs: 60_000,
  });
  expect(wukong.status.restore.message).toContain("except disks [scratch]");
  expect(wukong.status.phase).toBe("Stopped");
});

test("deleting the WukongSnapshot deletes the content and every VolumeSnapshot (deletionPolicy Delete)", async () => {
  const contentName = (await getJson(R.vmSnapshot, SNAPSHOT, ns)).status.virtualMachineSnapshotContentName;
  const volumeSnapshots = await list("volumesnapshots", ns);
  const boundContents = volumeSnapshots.map(vs => vs.status.boundVolumeSnapshotContentName as string);
  expect(boundContents).toHaveLength(1);

  await kubectlOk(["delete", R.wks, SNAPSHOT, "-n", ns]);
  await gone(R.vmSnapshot, SNAPSHOT);
  await gone(R.vmSnapshotContent, contentName);
  for (const vs of volumeSnapshots) await gone("volumesnapshots", vs.metadata.name);
  for (const name of boundContents) await gone("volumesnapshotcontents", name);
});
