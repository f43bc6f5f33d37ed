// Stand-in for KubeVirt's snapshot and restore controllers (pkg/storage/snapshot/{snapshot,restore}.go, v1.7.4).
// A VirtualMachineSnapshot gets KubeVirt's finalizer and its VirtualMachineSnapshotContent (the VM and one volume
// backup per bound claim; no ownerReference, as upstream), then after SIM_SNAPSHOT_MS both become readyToUse and
// the snapshot Succeeded, listing snapshotVolumes.includedVolumes and excludedVolumes. A deleted snapshot takes its
// content along only for deletionPolicy unset or exactly "Delete". A VirtualMachineRestore completes only once its
// target VM is stopped, SIM_RESTORE_MS after that; the restored claims are annotated restore.kubevirt.io/name,
// relabelled by the overrides, and owned by the VM unless volumeOwnershipPolicy is None (a DataVolume's claim stays
// its DataVolume's). Faults: `sim.novasphere.dev/snapshot: fail` and `sim.novasphere.dev/restore: fail` on the
// object, its VM or the VM's Wukong.
import type { SimConfig } from "./config";
import { ConditionSpec, mergeConditions, nowTimestamp } from "./conditions";
import { FAULT_RESTORE, FAULT_SNAPSHOT, faultValue } from "./faults";
import { ownVmi } from "./kubevirt-vm";
import { Action, Plan, planEach } from "./plan";
import { controllerRef, KubeObject, keyOf, ownerRefTo, PVC, VM, VM_RESTORE, VM_SNAPSHOT, VM_SNAPSHOT_CONTENT } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { replacePatch } from "./status-diff";

export const RESTORE_NAME_ANNOTATION = "restore.kubevirt.io/name";
export const VM_SNAPSHOT_FINALIZER = "snapshot.kubevirt.io/vmsnapshot-protection";

const FINAL_SNAPSHOT_PHASES = new Set(["Succeeded", "Failed"]);

/** KubeVirt names the content after the snapshot's uid. */
export const contentNameOf = (vmSnapshot: KubeObject) => `vmsnapshot-content-${vmSnapshot.metadata.uid}`;

interface VolumeBackup {
  volumeName: string;
  persistentVolumeClaim: { metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };
  volumeSnapshotName: string;
}

/** One backup per VM volume backed by a bound claim (a DataVolume's claim has the DataVolume's name); KubeVirt skips unbound ones. */
export function volumeBackups(vmSnapshot: KubeObject, vm: KubeObject, snap: Pick<Snapshot, "pvcs">): VolumeBackup[] {
  const volumes: { name?: string; dataVolume?: { name?: string }; persistentVolumeClaim?: { claimName?: string } }[] = vm.spec?.template?.spec?.volumes ?? [];
  return volumes.flatMap(volume => {
    const claim = volume.dataVolume?.name ?? volume.persistentVolumeClaim?.claimName;
    if (!claim || !volume.name) return [];
    const pvc = snap.pvcs.get(`${vm.metadata.namespace}/${claim}`);
    if (pvc?.status?.phase !== "Bound") return [];
    const { accessModes, resources, storageClassName, volumeMode } = pvc.spec ?? {};
    const { labels, annotations, ownerReferences } = pvc.metadata;
    return [
      {
        volumeName: volume.name,
        persistentVolumeClaim: {
          metadata: {
            name: claim,
            namespace: vm.metadata.namespace,
            ...(labels && { labels }),
            ...(annotations && { annotations }),
            ...(ownerReferences && { ownerReferences }),
          },
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
    metadata: { name: contentNameOf(vmSnapshot), namespace: vmSnapshot.metadata.namespace },
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

const finalizersOf = (object: KubeObject): string[] => (Array.isArray(object.metadata.finalizers) ? (object.metadata.finalizers as string[]) : []);

/** KubeVirt's finalizer patch, conditional on resourceVersion so that another finalizer added meanwhile is not lost. */
const finalizerPatch = (vmSnapshot: KubeObject, finalizers: string[], log: string): Action => ({
  type: "patch",
  res: VM_SNAPSHOT,
  namespace: vmSnapshot.metadata.namespace ?? "",
  name: vmSnapshot.metadata.name ?? "",
  patch: { metadata: { resourceVersion: vmSnapshot.metadata.resourceVersion, finalizers } },
  log,
});

/** deleteContentPolicy in pkg/storage/snapshot/snapshot.go: unset or exactly "Delete"; anything else retains. */
export const deletesContent = (vmSnapshot: KubeObject): boolean => vmSnapshot.spec?.deletionPolicy === undefined || vmSnapshot.spec.deletionPolicy === "Delete";

/** A deleted snapshot: its content goes only under the Delete policy, then the finalizer comes off. */
function planVmSnapshotDeletion(vmSnapshot: KubeObject, snap: Snapshot): Plan {
  const finalizers = finalizersOf(vmSnapshot);
  if (!finalizers.includes(VM_SNAPSHOT_FINALIZER)) return [];
  const key = keyOf(vmSnapshot);
  const ns = vmSnapshot.metadata.namespace ?? "";
  const content = snap.vmSnapshotContents.get(`${ns}/${vmSnapshot.status?.virtualMachineSnapshotContentName ?? contentNameOf(vmSnapshot)}`);
  const deletion: Action[] =
    content && deletesContent(vmSnapshot)
      ? [
          {
            type: "delete",
            res: VM_SNAPSHOT_CONTENT,
            namespace: ns,
            name: content.metadata.name ?? "",
            uid: content.metadata.uid,
            log: `[kubevirt] vmsnapshot ${key} deleted its content`,
          },
        ]
      : [];
  const kept = content && !deletesContent(vmSnapshot) ? ` (content ${content.metadata.name} retained: deletionPolicy ${vmSnapshot.spec?.deletionPolicy})` : "";
  return [
    ...deletion,
    finalizerPatch(
      vmSnapshot,
      finalizers.filter(f => f !== VM_SNAPSHOT_FINALIZER),
      `[kubevirt] vmsnapshot ${key} released${kept}`,
    ),
  ];
}

export function planVmSnapshot(vmSnapshot: KubeObject, snap: Snapshot, elapsed: Elapsed, cfg: Pick<SimConfig, "snapshotMs">): Plan {
  if (vmSnapshot.metadata.deletionTimestamp) return planVmSnapshotDeletion(vmSnapshot, snap);
  const finalizers = finalizersOf(vmSnapshot);
  if (!finalizers.includes(VM_SNAPSHOT_FINALIZER)) {
    return [finalizerPatch(vmSnapshot, [...finalizers, VM_SNAPSHOT_FINALIZER], `[kubevirt] vmsnapshot ${keyOf(vmSnapshot)} protected by its finalizer`)];
  }
  if (FINAL_SNAPSHOT_PHASES.has(vmSnapshot.status?.phase)) return [];
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
  // updateSnapshotSnapshotableVolumes: every volume of the captured VM is either backed up or excluded.
  const included: string[] = (content.spec?.volumeBackups ?? []).map((backup: VolumeBackup) => backup.volumeName);
  const volumes: { name?: string }[] = content.spec?.source?.virtualMachine?.spec?.template?.spec?.volumes ?? [];
  const excluded = volumes.map(volume => volume.name ?? "").filter(name => name && !included.includes(name));
  const snapshotVolumes = { ...(included.length && { includedVolumes: included }), ...(excluded.length && { excludedVolumes: excluded }) };
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
      { phase: "Succeeded", readyToUse: true, creationTime: now, ...base, snapshotVolumes, conditions },
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
  type Override = { volumeName: string; restoreName?: string; labels?: Record<string, string> };
  const overrides = new Map<string, Override>((restore.spec?.volumeRestoreOverrides ?? []).map((o: Override) => [o.volumeName, o]));
  const restores = ((content?.spec?.volumeBackups ?? []) as VolumeBackup[]).map(backup => ({
    volumeName: backup.volumeName,
    persistentVolumeClaim: overrides.get(backup.volumeName)?.restoreName ?? backup.persistentVolumeClaim.metadata.name,
    volumeSnapshotName: backup.volumeSnapshotName,
  }));
  // KubeVirt re-creates each claim from its VolumeSnapshot: no owner but the VM (volumeOwnershipPolicy unset or Vm),
  // none at all under None, while a DataVolume re-adopts its own claim (createRestorePVC).
  const ownedByNone = restore.spec?.volumeOwnershipPolicy === "None";
  const marks: Action[] = restores
    .filter(r => snap.pvcs.get(`${ns}/${r.persistentVolumeClaim}`)?.metadata.annotations?.[RESTORE_NAME_ANNOTATION] !== restore.metadata.name)
    .filter(r => snap.pvcs.has(`${ns}/${r.persistentVolumeClaim}`))
    .map(r => {
      const claim = snap.pvcs.get(`${ns}/${r.persistentVolumeClaim}`)!;
      const ownedByDataVolume = controllerRef(claim)?.kind === "DataVolume";
      const ownerReferences = ownedByDataVolume ? claim.metadata.ownerReferences : ownedByNone ? [] : [ownerRefTo(VM, vm)];
      const labels = overrides.get(r.volumeName)?.labels;
      return {
        type: "patch",
        res: PVC,
        namespace: ns,
        name: r.persistentVolumeClaim,
        patch: { metadata: { annotations: { [RESTORE_NAME_ANNOTATION]: restore.metadata.name }, ...(labels && { labels }), ownerReferences } },
        log: `[kubevirt] vmrestore ${key} restored claim ${r.persistentVolumeClaim} from ${r.volumeSnapshotName}`,
      };
    });
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
