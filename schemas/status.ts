// The Wukong status, written only by the operator.
import { z } from "zod";
import { d } from "./fields";
import { ResizeStatus } from "./resize";

export const PHASES = ["Pending", "Creating", "Running", "Stopped", "Restoring", "Error"] as const;

export const Condition = z
  .object({
    type: z
      .string()
      .meta(
        d(
          "Ready, NetworksConfigured, VolumesBound, RestartRequired (when a change waits for a restart), or ClusterFeatures (only on a Wukong using snapshots, a grown disk, a disk waiting to be hot-plugged, GPUs or SR-IOV: whether the cluster offers each).",
        ),
      ),
    status: z.enum(["True", "False", "Unknown"]).meta(d("True, False or Unknown.")),
    reason: z.string().meta(d("CamelCase reason for the last transition.")),
    message: z.string().meta(d("Human-readable detail.")),
    lastTransitionTime: z.string().meta({ ...d("When status last changed."), format: "date-time" }),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .meta({ ...d("metadata.generation this condition was computed from."), format: "int64" }),
  })
  .meta(d("A metav1.Condition."));

export const NetworkStatus = z
  .object({
    name: z.string().meta(d("Network name from the spec, or `pod` for the pod network.")),
    interface: z.string().optional().meta(d("Interface name inside the guest, as KubeVirt reports it.")),
    ipAddress: z.string().optional().meta(d("The interface's IP address reported by the VirtualMachineInstance.")),
    macAddress: z.string().optional().meta(d("The interface's MAC address.")),
    nadName: z.string().optional().meta(d("The NetworkAttachmentDefinition the interface is attached to.")),
    state: z
      .enum(["Plugged", "Pending", "Failed"])
      .optional()
      .meta(
        d(
          "While the VM runs: Plugged (the guest has the NIC), Pending (KubeVirt is hot-plugging it: a NIC added to a running Wukong is attached by a live migration to a pod on its network), Failed (KubeVirt cannot plug it live: see message).",
        ),
      ),
    message: z.string().optional().meta(d("Why the NIC is Pending or Failed.")),
  })
  .meta(d("One NIC of the VM; spec networks first in spec order, the pod network last."));

export const VOLUME_PHASES = ["Pending", "WaitingForFirstConsumer", "Importing", "Bound", "Failed", "Lost"] as const;

export const VolumeStatus = z
  .object({
    name: z.string().meta(d("Disk name from the spec.")),
    pvcName: z.string().meta(d("The PersistentVolumeClaim holding the disk.")),
    bound: z.boolean().meta(d("Whether the claim is Bound (and, for imported disks, the import succeeded).")),
    phase: z
      .enum(VOLUME_PHASES)
      .optional()
      .meta(
        d(
          "Pending (the claim is being made or waits to bind), WaitingForFirstConsumer (its StorageClass binds it, and CDI imports into it, only once the VM's pod is scheduled: on a Halted Wukong, at the first start), Importing, Bound (ready), Failed (the import failed) or Lost (the claim lost its volume).",
        ),
      ),
    size: z.string().optional().meta(d("The claim's actual capacity as the PVC reports it.")),
  })
  .meta(d("One disk's volume."));

export const HOTPLUG_STATES = ["Plugged", "Pending", "Unplugging", "Failed"] as const;

export const HotpluggedDiskStatus = z
  .object({
    name: z.string().meta(d("Disk name (from the spec; a disk being unplugged is no longer there).")),
    state: z
      .enum(HOTPLUG_STATES)
      .meta(
        d(
          "Plugged (the running guest has it), Pending (KubeVirt is attaching it; see message), Unplugging (removed from the spec, KubeVirt is detaching it) or Failed (KubeVirt reports an error; see message).",
        ),
      ),
    phase: z.string().optional().meta(d("KubeVirt's volume phase on the VMI (Bound, AttachedToNode, MountedToPod, Ready, Detaching, UnMountedFromPod).")),
    target: z.string().optional().meta(d("The device the guest sees it as (e.g. sda), once plugged.")),
    message: z.string().meta(d("What is happening, or why it waits or failed.")),
  })
  .meta(d("A disk hot-plugged into (or being unplugged from) the running VM."));

export const RESTORE_PHASES = ["Pending", "Stopping", "Restoring", "Succeeded", "Failed"] as const;

export const SnapshotStatus = z
  .object({
    name: z.string().meta(d("The WukongSnapshot's name.")),
    ready: z.boolean().meta(d("Whether it can be restored from (phase Succeeded).")),
  })
  .meta(d("One WukongSnapshot of this Wukong."));

export const RestoreStatus = z
  .object({
    snapshotName: z.string().meta(d("The WukongSnapshot restored from (spec.restoreFromSnapshot).")),
    restoreName: z.string().optional().meta(d("The KubeVirt VirtualMachineRestore doing it.")),
    phase: z
      .enum(RESTORE_PHASES)
      .meta(
        d(
          "Pending (waiting for the snapshot to be ready), Stopping (the VM stops first), Restoring (KubeVirt restores), Succeeded (the VM returns to its run strategy) or Failed (see message).",
        ),
      ),
    message: z.string().optional().meta(d("Progress, or why it failed.")),
    restoreTime: z
      .string()
      .optional()
      .meta({ ...d("When KubeVirt completed the restore."), format: "date-time" }),
  })
  .meta(d("The restore from spec.restoreFromSnapshot: its progress, or its outcome."));

export const MigrationStatus = z
  .object({
    request: z
      .string()
      .optional()
      .meta(d("The vm.novasphere.dev/migrate annotation value this migration answers; absent when KubeVirt started it (a node drain).")),
    migrationName: z.string().optional().meta(d("The VirtualMachineInstanceMigration made for the request.")),
    phase: z
      .string()
      .meta(
        d(
          "KubeVirt's migration phase (Pending, Scheduling, Scheduled, PreparingTarget, TargetReady, Running, Succeeded, Failed); for a migration KubeVirt started, Running, Succeeded or Failed as the VMI reports it.",
        ),
      ),
    sourceNode: z.string().optional().meta(d("The node the VM moves from.")),
    targetNode: z.string().optional().meta(d("The node the VM moves to.")),
    startTime: z
      .string()
      .optional()
      .meta({ ...d("When the guest's memory started moving."), format: "date-time" }),
    endTime: z
      .string()
      .optional()
      .meta({ ...d("When the migration ended."), format: "date-time" }),
    message: z.string().meta(d("Progress, the result, or why it failed.")),
  })
  .meta(d("The VM's latest live migration: the one the vm.novasphere.dev/migrate annotation asks for, else the VMI's last one."));

export const WukongStatus = z
  .object({
    phase: z
      .enum(PHASES)
      .optional()
      .meta(
        d(
          "Pending (accepted, nothing made), Creating (children made, volumes binding/importing, VM starting), Running, Stopped, Restoring (spec.restoreFromSnapshot in progress) or Error.",
        ),
      ),
    message: z.string().optional().meta(d("One sentence on what is happening or what is wrong.")),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .meta({ ...d("metadata.generation the status describes."), format: "int64" }),
    vmName: z.string().optional().meta(d("The KubeVirt VirtualMachine's name.")),
    nodeName: z.string().optional().meta(d("Node running the VM.")),
    restartRequired: z
      .boolean()
      .optional()
      .meta(d("A change needs the VM restarted before it takes effect; the RestartRequired condition says which and why.")),
    conditions: z
      .array(Condition)
      .optional()
      .meta({
        ...d(
          "Ready, NetworksConfigured and VolumesBound; RestartRequired while the running VM needs a restart (reason CloudInitChanged: the cloud-init data changed after it booted; VirtualMachineSpecChanged: the VirtualMachine's own RestartRequired, whose message is KubeVirt's, e.g. memory grown past the headroom), absent otherwise; EvictionStrategy (True when a node drain live-migrates the VM; reason SetInSpec, EveryDiskShared or DiskNotShared); LiveMigratable while a VMI exists, copied from it with KubeVirt's reason (e.g. DisksNotLiveMigratable).",
        ),
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
    networks: z.array(NetworkStatus).optional().meta(d("NICs with their addresses.")),
    volumes: z.array(VolumeStatus).optional().meta(d("Disks with their claims.")),
    hotpluggedDisks: z
      .array(HotpluggedDiskStatus)
      .optional()
      .meta(d("Disks added to (or removed from) the running VM without a restart, while it runs: see docs/operations.md.")),
    snapshots: z.array(SnapshotStatus).optional().meta(d("The WukongSnapshots taken of this Wukong, by name.")),
    restore: RestoreStatus.optional(),
    resize: ResizeStatus.optional(),
    migration: MigrationStatus.optional(),
  })
  .meta(d("Observed state, written by the operator."));

export type WukongStatus = z.infer<typeof WukongStatus>;
export type Condition = z.infer<typeof Condition>;
export type NetworkStatus = z.infer<typeof NetworkStatus>;
export type VolumeStatus = z.infer<typeof VolumeStatus>;
export type VolumePhase = (typeof VOLUME_PHASES)[number];
export type HotpluggedDiskStatus = z.infer<typeof HotpluggedDiskStatus>;
export type Phase = (typeof PHASES)[number];
export type SnapshotStatus = z.infer<typeof SnapshotStatus>;
export type RestoreStatus = z.infer<typeof RestoreStatus>;
export type MigrationStatus = z.infer<typeof MigrationStatus>;
export type RestorePhase = (typeof RESTORE_PHASES)[number];
