// The KubeVirt objects behind snapshots and restores: a VirtualMachineSnapshot per WukongSnapshot (owned by
// it, so deleting the WukongSnapshot deletes it), and a VirtualMachineRestore per restore of a Wukong (owned by
// the Wukong). Pure builders, like every other child.
import { createHash } from "node:crypto";
import { LABELS, MANAGER } from "../../schemas/wukong";
import { SNAPSHOT_API, SNAPSHOT_LABEL, type WukongSnapshot } from "../../schemas/wukongsnapshot";
import type { KubernetesObject } from "./kubernetes-object";
import { diskClaimName, virtualMachineName } from "../../schemas/child-names";
import { childMetadata, ownerLabels, type Owner } from "./ownership";

export const SNAPSHOT_API_VERSION = "snapshot.kubevirt.io/v1beta1";
const MAX_NAME = 253;
/** snapshotv1.VirtualMachineSnapshotContentDelete (staging/src/kubevirt.io/api/snapshot/v1beta1/types.go, v1.7.4). */
export const VM_SNAPSHOT_DELETION_POLICY = "Delete";

/** The VirtualMachineSnapshot has the WukongSnapshot's own name. */
export function virtualMachineSnapshotName(wukongSnapshot: string): string {
  return wukongSnapshot;
}

/** One VirtualMachineRestore per Wukong and snapshot it is restored from; a digest keeps long pairs in bounds. */
export function virtualMachineRestoreName(wukong: string, wukongSnapshot: string): string {
  const name = `${wukong}-${wukongSnapshot}`;
  if (name.length <= MAX_NAME) return name;
  return `${wukong}-${createHash("sha256").update(wukongSnapshot).digest("hex").slice(0, 16)}`;
}

export function virtualMachineSnapshot(snapshot: Owner, wukongName: string): KubernetesObject {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: "VirtualMachineSnapshot",
    metadata: {
      name: virtualMachineSnapshotName(snapshot.name),
      namespace: snapshot.namespace,
      labels: { [LABELS.managedBy]: MANAGER, [LABELS.wukong]: wukongName, [SNAPSHOT_LABEL]: snapshot.name },
      ownerReferences: [
        {
          apiVersion: `${SNAPSHOT_API.group}/${SNAPSHOT_API.version}`,
          kind: SNAPSHOT_API.kind,
          name: snapshot.name,
          uid: snapshot.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      source: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: virtualMachineName(wukongName) },
      // The content carries no ownerReference: KubeVirt deletes it (and the VolumeSnapshots it owns) with the
      // VirtualMachineSnapshot only for exactly "Delete" (pkg/storage/snapshot/snapshot.go, deleteContentPolicy).
      deletionPolicy: VM_SNAPSHOT_DELETION_POLICY,
    },
  };
}

/**
 * Restores the Wukong's VM from a VirtualMachineSnapshot. InPlace keeps the claim names the Wukong's VM uses;
 * the overrides name each restored claim after this Wukong's own disk, so a snapshot of another Wukong with the
 * same disks never overwrites that Wukong's claims, and label it for this Wukong (KubeVirt copies the source
 * claim's labels). volumeOwnershipPolicy None: KubeVirt re-creates each claim and would otherwise make the VM
 * its controller (createRestorePVC in pkg/storage/snapshot/restore.go, v1.7.4); the storage step adopts it back.
 */
export function virtualMachineRestore(owner: Owner, wukongSnapshot: string, vmSnapshotName: string, disks: readonly string[]): KubernetesObject {
  const metadata = childMetadata(owner, virtualMachineRestoreName(owner.name, wukongSnapshot));
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: "VirtualMachineRestore",
    metadata: { ...metadata, labels: { ...metadata.labels, [SNAPSHOT_LABEL]: wukongSnapshot } },
    spec: {
      target: { apiGroup: "kubevirt.io", kind: "VirtualMachine", name: virtualMachineName(owner.name) },
      virtualMachineSnapshotName: vmSnapshotName,
      volumeRestorePolicy: "InPlace",
      volumeOwnershipPolicy: "None",
      volumeRestoreOverrides: disks.map(disk => ({ volumeName: disk, restoreName: diskClaimName(owner.name, disk), labels: ownerLabels(owner) })),
    },
  };
}

/** A snapshot of another Wukong restores only into a Wukong with the same disks (admission and reconcile agree). */
export function disksMismatch(wukongName: string, disks: readonly string[], snapshot: WukongSnapshot): { reason: string; message: string } | undefined {
  const source = snapshot.spec?.wukongName;
  const captured = snapshot.status?.disks;
  if (!source || source === wukongName || !captured) return undefined;
  const same = captured.length === disks.length && captured.every(disk => disks.includes(disk));
  if (same) return undefined;
  return {
    reason: "DisksMismatch",
    message: `WukongSnapshot ${snapshot.metadata?.name} is of Wukong ${source}, whose disks [${captured.join(", ")}] do not match this Wukong's [${disks.join(", ")}]`,
  };
}
