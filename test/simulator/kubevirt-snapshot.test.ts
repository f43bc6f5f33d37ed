import { strictProblems } from "../unit/children/strict-schema";
import { contentNameOf, desiredContent, planVmRestore, planVmSnapshot, RESTORE_NAME_ANNOTATION, VM_SNAPSHOT_FINALIZER } from "./kubevirt-snapshot";
import type { Action } from "./plan";
import { KubeObject } from "./resources";
import { after, cfg, obj, snapshotWith } from "./test-helpers";

const vm = obj("VirtualMachine", "web", {
  apiVersion: "kubevirt.io/v1",
  metadata: { labels: { "vm.novasphere.dev/wukong": "web" } },
  spec: {
    runStrategy: "Always",
    template: {
      spec: {
        domain: { devices: { disks: [{ name: "system", disk: { bus: "virtio" } }] } },
        volumes: [
          { name: "system", persistentVolumeClaim: { claimName: "web-system" } },
          { name: "cloudinitdisk", cloudInitNoCloud: { userData: "#cloud-config" } },
        ],
      },
    },
  },
});
const pvc = obj("PersistentVolumeClaim", "web-system", {
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, storageClassName: "local-path", volumeMode: "Filesystem" },
  status: { phase: "Bound" },
});
const vmi = obj("VirtualMachineInstance", "web", {
  metadata: { ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "web", uid: vm.metadata.uid!, controller: true }] },
  status: { phase: "Running" },
});
const vmSnapshot = (extra: Partial<KubeObject> = {}) =>
  obj("VirtualMachineSnapshot", "snap", {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    metadata: { labels: { "vm.novasphere.dev/wukong": "web" }, finalizers: [VM_SNAPSHOT_FINALIZER] },
    spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "web" }, deletionPolicy: "Delete" },
    ...extra,
  });
const wukong = (annotations: Record<string, string>) => obj("Wukong", "web", { metadata: { annotations } });

/** The object with a status patch applied, as the API server would store it. */
const withStatus = (object: KubeObject, action: Action | undefined) => ({
  ...object,
  status: { ...(object.status ?? {}), ...(action?.type === "patch" ? (action.patch as { status: object }).status : {}) },
});

describe("simulated snapshot controller", () => {
  it("creates the content (no ownerReference, as createContent in pkg/storage/snapshot/snapshot.go) with the VM and one backup per bound claim; it passes the upstream schema", () => {
    const content = desiredContent(vmSnapshot(), vm, snapshotWith({ pvcs: [pvc] }));
    expect(content.metadata.name).toBe(`vmsnapshot-content-${vmSnapshot().metadata.uid}`);
    expect(content.metadata.ownerReferences).toBeUndefined();
    expect(content.spec.volumeBackups).toEqual([
      expect.objectContaining({
        volumeName: "system",
        persistentVolumeClaim: expect.objectContaining({ metadata: expect.objectContaining({ name: "web-system", namespace: "ns1" }) }),
      }),
    ]);
    expect(strictProblems(content as never)).toEqual([]);
  });

  it("goes InProgress with the content, then Succeeded and readyToUse after SIM_SNAPSHOT_MS; its status passes the schema", () => {
    const snap = snapshotWith({ vms: [vm], pvcs: [pvc] });
    const first = planVmSnapshot(vmSnapshot(), snap, after(0), cfg);
    expect(first.map(a => a.type)).toEqual(["create", "patch"]);
    const inProgress = withStatus(vmSnapshot(), first[1]);
    expect(inProgress.status).toMatchObject({ phase: "InProgress", readyToUse: false });

    const content = desiredContent(vmSnapshot(), vm, snap);
    snap.vmSnapshotContents.set(`ns1/${contentNameOf(vmSnapshot())}`, content);
    expect(planVmSnapshot(inProgress, snap, after(cfg.snapshotMs - 1), cfg)).toEqual([]);
    const done = planVmSnapshot(inProgress, snap, after(cfg.snapshotMs), cfg);
    expect(done.map(a => a.type === "patch" && a.res.kind)).toEqual(["VirtualMachineSnapshotContent", "VirtualMachineSnapshot"]);
    const succeeded = withStatus(inProgress, done[1]);
    expect(succeeded.status).toMatchObject({
      phase: "Succeeded",
      readyToUse: true,
      snapshotVolumes: { includedVolumes: ["system"], excludedVolumes: ["cloudinitdisk"] },
    });
    expect(strictProblems(succeeded as never)).toEqual([]);
    expect(planVmSnapshot(succeeded, snap, after(10_000), cfg)).toEqual([]);
  });

  it("leaves an unbound claim out, listing it in snapshotVolumes.excludedVolumes (getSnapshotPVC in pkg/storage/snapshot/snapshot.go)", () => {
    const unbound = { ...pvc, status: { phase: "Pending" } };
    const snap = snapshotWith({ vms: [vm], pvcs: [unbound] });
    const content = desiredContent(vmSnapshot(), vm, snap);
    expect(content.spec.volumeBackups).toEqual([]);
    snap.vmSnapshotContents.set(`ns1/${contentNameOf(vmSnapshot())}`, content);
    const done = planVmSnapshot(vmSnapshot({ status: { phase: "InProgress" } }), snap, after(cfg.snapshotMs), cfg);
    expect(withStatus(vmSnapshot(), done[1]).status).toMatchObject({ phase: "Succeeded", snapshotVolumes: { excludedVolumes: ["system", "cloudinitdisk"] } });
  });

  it("adds KubeVirt's finalizer first", () => {
    const bare = vmSnapshot({ metadata: { finalizers: undefined, resourceVersion: "7" } });
    expect(planVmSnapshot(bare, snapshotWith({ vms: [vm], pvcs: [pvc] }), after(0), cfg)).toEqual([
      expect.objectContaining({ type: "patch", patch: { metadata: { resourceVersion: "7", finalizers: [VM_SNAPSHOT_FINALIZER] } } }),
    ]);
  });

  describe("deleted, it deletes the content only for deletionPolicy unset or exactly Delete (deleteContentPolicy)", () => {
    const content = obj("VirtualMachineSnapshotContent", "content");
    const deleted = (deletionPolicy?: string) =>
      vmSnapshot({
        metadata: { finalizers: [VM_SNAPSHOT_FINALIZER], deletionTimestamp: "2026-01-01T00:00:00Z" },
        spec: { source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "web" }, ...(deletionPolicy && { deletionPolicy }) },
        status: { virtualMachineSnapshotContentName: "content" },
      });
    const plan = (deletionPolicy?: string) => {
      const snap = snapshotWith({ vms: [vm] });
      snap.vmSnapshotContents.set("ns1/content", content);
      return planVmSnapshot(deleted(deletionPolicy), snap, after(0), cfg).map(a => a.type);
    };
    it.each([["Delete"], [undefined]])("%s: content deleted, finalizer removed", policy => expect(plan(policy)).toEqual(["delete", "patch"]));
    it.each([["delete"], ["Retain"]])("%s: content kept, finalizer removed", policy => expect(plan(policy)).toEqual(["patch"]));
  });

  it("fails with an error message when the Wukong carries the snapshot fault", () => {
    const snap = snapshotWith({ vms: [vm], pvcs: [pvc], wukongs: [wukong({ "sim.novasphere.dev/snapshot": "fail" })] });
    const plan = planVmSnapshot(vmSnapshot(), snap, after(cfg.snapshotMs), cfg);
    expect(plan.map(a => a.type)).toEqual(["patch"]);
    const failed = withStatus(vmSnapshot(), plan[0]);
    expect(failed.status).toMatchObject({ phase: "Failed", readyToUse: false, error: { message: expect.stringContaining("simulated failure") } });
    expect(strictProblems(failed as never)).toEqual([]);
  });
});

describe("simulated restore controller", () => {
  const readySnapshot = vmSnapshot({ status: { phase: "Succeeded", readyToUse: true, virtualMachineSnapshotContentName: "content" } });
  const content = obj("VirtualMachineSnapshotContent", "content", {
    spec: { volumeBackups: [{ volumeName: "system", persistentVolumeClaim: { metadata: { name: "web-system" } }, volumeSnapshotName: "vs-system" }] },
  });
  const restore = obj("VirtualMachineRestore", "web-snap", {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    spec: {
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: "web" },
      virtualMachineSnapshotName: "snap",
      volumeRestorePolicy: "InPlace",
      volumeRestoreOverrides: [{ volumeName: "system", restoreName: "web-system" }],
    },
  });
  const world = (extra: { vmis?: KubeObject[]; wukongs?: KubeObject[] } = {}) => {
    const snap = snapshotWith({ vms: [vm], pvcs: [pvc], ...extra });
    snap.vmSnapshots.set("ns1/snap", readySnapshot);
    snap.vmSnapshotContents.set("ns1/content", content);
    return snap;
  };

  it("does not complete while the target VM runs, as KubeVirt requires it stopped", () => {
    const plan = planVmRestore(restore, world({ vmis: [vmi] }), after(60_000), cfg);
    expect(withStatus(restore, plan[0]).status).toMatchObject({
      complete: false,
      conditions: expect.arrayContaining([expect.objectContaining({ message: "Waiting for target VM to be stopped" })]),
    });
  });

  it("completes for a stopped VM after SIM_RESTORE_MS, marking the restored claim; its status passes the schema", () => {
    const plan = planVmRestore(restore, world(), after(cfg.restoreMs), cfg);
    expect(plan[0]).toMatchObject({ type: "patch", name: "web-system", patch: { metadata: { annotations: { [RESTORE_NAME_ANNOTATION]: "web-snap" } } } });
    const complete = withStatus(restore, plan[1]);
    expect(complete.status).toMatchObject({
      complete: true,
      restores: [{ volumeName: "system", persistentVolumeClaim: "web-system", volumeSnapshotName: "vs-system" }],
    });
    expect(strictProblems(complete as never)).toEqual([]);
    expect(planVmRestore(complete, world(), after(10_000), cfg)).toEqual([]);
  });

  it("leaves a restored blank claim owned by the VM, or by nobody under volumeOwnershipPolicy None (createRestorePVC); the overrides relabel it", () => {
    const owners = (policy?: string) => {
      const spec = { ...restore.spec, ...(policy && { volumeOwnershipPolicy: policy }) };
      spec.volumeRestoreOverrides = [{ volumeName: "system", restoreName: "web-system", labels: { "vm.novasphere.dev/wukong": "web" } }];
      const [mark] = planVmRestore({ ...restore, spec }, world(), after(cfg.restoreMs), cfg);
      return (mark as { patch: { metadata: { ownerReferences: unknown; labels: unknown } } }).patch.metadata;
    };
    expect(owners().ownerReferences).toEqual([expect.objectContaining({ kind: "VirtualMachine", name: "web", controller: true })]);
    expect(owners("None")).toMatchObject({ ownerReferences: [], labels: { "vm.novasphere.dev/wukong": "web" } });
  });

  it("fails with a Failure condition under the restore fault", () => {
    const plan = planVmRestore(restore, world({ wukongs: [wukong({ "sim.novasphere.dev/restore": "fail" })] }), after(cfg.restoreMs), cfg);
    const failed = withStatus(restore, plan[0]);
    expect(failed.status.complete).toBe(false);
    expect(failed.status.conditions).toContainEqual(expect.objectContaining({ type: "Failure", status: "True" }));
  });
});
