// Stand-in for KubeVirt's snapshot and restore controllers. A VirtualMachineSnapshot gets its
// VirtualMachineSnapshotContent (the VM and one volume backup per claim, owned by the snapshot), then after
// SIM_SNAPSHOT_MS both become readyToUse and the snapshot Succeeded. A VirtualMachineRestore completes only
// once its target VM is stopped, as KubeVirt requires, SIM_RESTORE_MS after that; the restored claims are
// annotated restore.kubevirt.io/name. Faults: `sim.novasphere.dev/snapshot: fail` and
// `sim.novasphere.dev/restore: fail` on the object, its VM or the VM's Wukong.
import type { SimConfig } from "./config";
import { ConditionSpec, mergeConditions, nowTimestamp } from "./conditions";
import { FAULT_RESTORE, FAULT_SNAPSHOT, faultValue } from "./faults";
import { ownVmi } from "./kubevirt-vm";
import { Action, Plan, planEach } from "./plan";
import { KubeObject, keyOf, ownerRefTo, PVC, VM_RESTORE, VM_SNAPSHOT, VM_SNAPSHOT_CONTENT } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { replacePatch } from "./status-diff";

export const RESTORE_NAME_ANNOTATION = "restore.kubevirt.io/name";

const FINAL_SNAPSHOT_PHASES = new Set(["Succeeded", "Failed"]);

/** KubeVirt names the content after the snapshot's uid. */
export const contentNameOf = (vmSnapshot: KubeObject) => `vmsnapshot-content-${vmSnapshot.metadata.uid}`;

interface VolumeBackup {
  volumeName: string;
  persistentVolumeClaim: { metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
  volumeSnapshotName: string;
}

/** One backup per VM volume backed by a claim (a DataVolume's claim has the DataVolume's name). */
export function volumeBackups(vmSnapshot: KubeObject, vm: KubeObject, snap: Pick<Snapshot, "pvcs">): VolumeBackup[] {
  const volumes: { name?: string; dataVolume?: { name?: string }; persistentVolumeClaim?: { claimName?: string } }[] = vm.spec?.template?.spec?.volumes ?? [];
  return volumes.flatMap(volume => {
    const claim = volume.dataVolume?.name ?? volume.persistentVolumeClaim?.claimName;
    if (!claim || !volume.name) return [];
    const pvc = snap.pvcs.get(`${vm.metadata.namespace}/${claim}`);
    const { accessModes, resources, storageClassName, volumeMode } = pvc?.spec ?? {};
    return [
      {
        volumeName: volume.name,
        persistentVolumeClaim: {
          metadata: { name: claim, namespace: vm.metadata.namespace },
          spec: { accessModes, resources, storageClassName, volumeMode },
        },
        volumeSnapshotName: `vmsnapshot-${vmSnapshot.metadata.uid}-volume-${volume.name}`,
      },
    ];
  });
}

export function desiredContent(vmSnapshot: KubeObject, vm: KubeObject, snap: Pick<Snapshot, "pvcs">): KubeObject {
  const { name, namespace, labels, annotations, uid } = vm.metadata;
  return {
    apiVersion: "snapshot.kubevirt.io/v1beta1",
    kind: "VirtualMachineSnapshotContent",
    metadata: { name: contentNameOf(vmSnapshot), namespace: vmSnapshot.metadata.namespace, ownerReferences: [ownerRefTo(VM_SNAPSHOT, vmSnapshot)] },
    spec: {
      source: { virtualMachine: { metadata: { name, namespace, labels, annotations, uid }, spec: structuredClone(vm.spec ?? {}) } },
      virtualMachineSnapshotName: vmSnapshot.metadata.name,
      volumeBackups: volumeBackups(vmSnapshot, vm, snap),
    },
  };
}

const statusPatch = (res: typeof VM_SNAPSHOT, obj: KubeObject, desired: Record<string, unknown>, log: string): Action[] => {
  const diff = replacePatch(obj.status, { ...(obj.status ?? {}), ...desired });
  return diff
    ? [{ type: "patch", res, namespace: obj.metadata.namespace ?? "", name: obj.metadata.name ?? "", subresource: "status", patch: { status: diff }, log }]
    : [];
};

const progress = (progressing: ConditionSpec, ready: ConditionSpec, current: unknown, extra: ConditionSpec[] = []) =>
  mergeConditions(current, [progressing, ready, ...extra]);

export function planVmSnapshot(vmSnapshot: KubeObject, snap: Snapshot, elapsed: Elapsed, cfg: Pick<SimConfig, "snapshotMs">): Plan {
  if (vmSnapshot.metadata.deletionTimestamp || FINAL_SNAPSHOT_PHASES.has(vmSnapshot.status?.phase)) return [];
  const key = keyOf(vmSnapshot);
  const ns = vmSnapshot.metadata.namespace ?? "";
  const vm = snap.vms.get(`${ns}/${vmSnapshot.spec?.source?.name}`);
  if (!vm) {
    const waiting = { type: "Progressing", status: "False", reason: "Source does not exist", message: "Source does not exist" } as const;
    const notReady = { type: "Ready", status: "False", reason: "Not ready", message: "Not ready" } as const;
    return statusPatch(
      VM_SNAPSHOT,
      vmSnapshot,
      { phase: "InProgress", readyToUse: false, conditions: progress(waiting, notReady, vmSnapshot.status?.conditions) },
      `[kubevirt] vmsnapshot ${key} waits for VM ${vmSnapshot.spec?.source?.name}`,
    );
  }
  const done = elapsed(`vmsnapshot ${key}`, "InProgress") >= cfg.snapshotMs;
  const now = nowTimestamp();
  const base = { sourceUID: vm.metadata.uid, virtualMachineSnapshotContentName: contentNameOf(vmSnapshot) };

  if (faultValue(FAULT_SNAPSHOT, [vmSnapshot, vm], snap.wukongs) === "fail") {
    if (!done)
      return statusPatch(
        VM_SNAPSHOT,
        vmSnapshot,
        { phase: "InProgress", readyToUse: false, sourceUID: vm.metadata.uid },
        `[kubevirt] vmsnapshot ${key} InProgress`,
      );
    const message = "Failed to create snapshot: VolumeSnapshot failed: simulated failure (sim.novasphere.dev/snapshot: fail)";
    const conditions = progress(
      { type: "Progressing", status: "False", reason: "Operation failed", message: "Operation failed" },
      { type: "Ready", status: "False", reason: "Operation failed", message: "Operation failed" },
      vmSnapshot.status?.conditions,
      [{ type: "Failure", status: "True", reason: "Operation failed", message }],
    );
    return statusPatch(
      VM_SNAPSHOT,
      vmSnapshot,
      { phase: "Failed", readyToUse: false, sourceUID: vm.metadata.uid, error: { message, time: now }, conditions },
      `[kubevirt] vmsnapshot ${key} Failed (fault)`,
    );
  }

  const content = snap.vmSnapshotContents.get(`${ns}/${contentNameOf(vmSnapshot)}`);
  if (!content) {
    const conditions = progress(
      { type: "Progressing", status: "True", reason: "Source locked and operation in progress", message: "Source locked and operation in progress" },
      { type: "Ready", status: "False", reason: "Not ready", message: "Not ready" },
      vmSnapshot.status?.conditions,
    );
    return [
      {
        type: "create",
        res: VM_SNAPSHOT_CONTENT,
        obj: desiredContent(vmSnapshot, vm, snap),
        log: `[kubevirt] vmsnapshot ${key} created content ${contentNameOf(vmSnapshot)}`,
      },
      ...statusPatch(VM_SNAPSHOT, vmSnapshot, { phase: "InProgress", readyToUse: false, ...base, conditions }, `[kubevirt] vmsnapshot ${key} InProgress`),
    ];
  }
  if (!done) return [];
  const included = (content.spec?.volumeBackups ?? []).map((backup: VolumeBackup) => backup.volumeName);
  const conditions = progress(
    { type: "Progressing", status: "False", reason: "Operation complete", message: "Operation complete" },
    { type: "Ready", status: "True", reason: "Operation complete", message: "Operation complete" },
    vmSnapshot.status?.conditions,
  );
  return [
    ...statusPatch(VM_SNAPSHOT_CONTENT, content, { readyToUse: true, creationTime: now }, `[kubevirt] vmsnapshotcontent ${keyOf(content)} readyToUse`),
    ...statusPatch(
      VM_SNAPSHOT,
      vmSnapshot,
      { phase: "Succeeded", readyToUse: true, creationTime: now, ...base, snapshotVolumes: { includedVolumes: included }, conditions },
      `[kubevirt] vmsnapshot ${key} Succeeded`,
    ),
  ];
}

export function planVmRestore(restore: KubeObject, snap: Snapshot, elapsed: Elapsed, cfg: Pick<SimConfig, "restoreMs">): Plan {
  if (restore.metadata.deletionTimestamp || restore.status?.complete === true) return [];
  const key = keyOf(restore);
  const ns = restore.metadata.namespace ?? "";
  const vm = snap.vms.get(`${ns}/${restore.spec?.target?.name}`);
  const vmSnapshot = snap.vmSnapshots.get(`${ns}/${restore.spec?.virtualMachineSnapshotName}`);
  const current = restore.status?.conditions;
  const failed = (current as { type?: string; status?: string }[] | undefined)?.some(c => c.type === "Failure" && c.status === "True");
  if (failed) return [];
  const waiting = (message: string) =>
    statusPatch(
      VM_RESTORE,
      restore,
      {
        complete: false,
        conditions: progress(
          { type: "Progressing", status: "True", reason: message, message },
          { type: "Ready", status: "False", reason: message, message },
          current,
        ),
      },
      `[kubevirt] vmrestore ${key} waits: ${message}`,
    );
  if (!vmSnapshot || vmSnapshot.status?.readyToUse !== true) return waiting(`VirtualMachineSnapshot ${restore.spec?.virtualMachineSnapshotName} is not ready`);
  if (!vm) return waiting(`Waiting for target VM ${restore.spec?.target?.name}`);
  if (ownVmi(vm, snap)) {
    elapsed(`vmrestore ${key}`, "waiting-for-stop");
    return waiting("Waiting for target VM to be stopped");
  }
  if (elapsed(`vmrestore ${key}`, "restoring") < cfg.restoreMs) return waiting("Restoring the VM's volumes");

  if (faultValue(FAULT_RESTORE, [restore, vm], snap.wukongs) === "fail") {
    const message = "restore failed: simulated failure (sim.novasphere.dev/restore: fail)";
    const conditions = progress(
      { type: "Progressing", status: "False", reason: "Operation failed", message: "Operation failed" },
      { type: "Ready", status: "False", reason: "Operation failed", message: "Operation failed" },
      current,
      [{ type: "Failure", status: "True", reason: "Operation failed", message }],
    );
    return statusPatch(VM_RESTORE, restore, { complete: false, conditions }, `[kubevirt] vmrestore ${key} failed (fault)`);
  }

  const content = snap.vmSnapshotContents.get(`${ns}/${vmSnapshot.status?.virtualMachineSnapshotContentName}`);
  const overrides = new Map<string, string>(
    (restore.spec?.volumeRestoreOverrides ?? []).map((o: { volumeName: string; restoreName: string }) => [o.volumeName, o.restoreName]),
  );
  const restores = ((content?.spec?.volumeBackups ?? []) as VolumeBackup[]).map(backup => ({
    volumeName: backup.volumeName,
    persistentVolumeClaim: overrides.get(backup.volumeName) ?? backup.persistentVolumeClaim.metadata.name,
    volumeSnapshotName: backup.volumeSnapshotName,
  }));
  const marks: Action[] = restores
    .filter(r => snap.pvcs.get(`${ns}/${r.persistentVolumeClaim}`)?.metadata.annotations?.[RESTORE_NAME_ANNOTATION] !== restore.metadata.name)
    .filter(r => snap.pvcs.has(`${ns}/${r.persistentVolumeClaim}`))
    .map(r => ({
      type: "patch",
      res: PVC,
      namespace: ns,
      name: r.persistentVolumeClaim,
      patch: { metadata: { annotations: { [RESTORE_NAME_ANNOTATION]: restore.metadata.name } } },
      log: `[kubevirt] vmrestore ${key} restored claim ${r.persistentVolumeClaim} from ${r.volumeSnapshotName}`,
    }));
  const conditions = progress(
    { type: "Progressing", status: "False", reason: "Operation complete", message: "Operation complete" },
    { type: "Ready", status: "True", reason: "Operation complete", message: "Operation complete" },
    current,
  );
  return [
    ...marks,
    ...statusPatch(VM_RESTORE, restore, { complete: true, restoreTime: nowTimestamp(), restores, conditions }, `[kubevirt] vmrestore ${key} Complete`),
  ];
}

export function planKubevirtSnapshots(snap: Snapshot, elapsed: Elapsed, cfg: Pick<SimConfig, "snapshotMs" | "restoreMs">): Plan[] {
  return [
    ...planEach(snap.vmSnapshots.values(), "virtualmachinesnapshots", s => planVmSnapshot(s, snap, elapsed, cfg)),
    ...planEach(snap.vmRestores.values(), "virtualmachinerestores", r => planVmRestore(r, snap, elapsed, cfg)),
  ];
}
