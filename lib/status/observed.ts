// What the reconciler read from the cluster for one Wukong, handed to deriveStatus.
// The objects are the JSON the API server returned (lib/ has no client types), so only the fields
// status needs are declared, all optional: a child that is half-initialised must not break status.

export interface ObservedCondition {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
}

export interface ObservedDataVolume {
  status?: { phase?: string; progress?: string; claimName?: string; conditions?: ObservedCondition[] };
}

export interface ObservedPersistentVolumeClaim {
  /** The scheduler's volume.kubernetes.io/selected-node: a WaitForFirstConsumer claim's consumer is placed. */
  metadata?: { annotations?: Record<string, string> };
  /** The class the API server's DefaultStorageClass admission filled in when the disk named none. */
  spec?: { storageClassName?: string };
  status?: { phase?: string; capacity?: { storage?: string } };
}

/** A volume of a VM template or VMI: only its name and whether it is a hot-plug volume. */
export interface ObservedVolume {
  name?: string;
  persistentVolumeClaim?: { hotpluggable?: boolean };
  dataVolume?: { hotpluggable?: boolean };
}

/** One entry of a VMI's status.volumeStatus (kubevirt.io/v1 VolumeStatus). */
export interface ObservedVolumeStatus {
  name?: string;
  phase?: string;
  reason?: string;
  message?: string;
  /** The guest device (sda, vdb), set by virt-handler once the disk is in the domain. */
  target?: string;
  hotplugVolume?: { attachPodName?: string };
}

export interface ObservedVirtualMachine {
  /** The template's annotations: what a VMI started now would carry; its volumes, which ones are hot-plugged. */
  spec?: { template?: { metadata?: { annotations?: Record<string, string> }; spec?: { volumes?: ObservedVolume[] } } };
  status?: { printableStatus?: string; ready?: boolean; conditions?: ObservedCondition[] };
}

/** A CPU topology as KubeVirt writes it (sockets × cores × threads vCPUs). */
export interface ObservedCpu {
  sockets?: number;
  cores?: number;
  threads?: number;
  maxSockets?: number;
}

export interface ObservedInterface {
  name?: string;
  interfaceName?: string;
  ipAddress?: string;
  ipAddresses?: string[];
  mac?: string;
  /** Who reports the NIC: "domain" (in the guest), "guest-agent", "multus-status" (attached to the pod), comma-separated. */
  infoSource?: string;
}

/** The VMI's status.migrationState: virt-controller's handoff and virt-handler's progress of its latest migration. */
export interface ObservedMigrationState {
  migrationUid?: string;
  sourceNode?: string;
  targetNode?: string;
  startTimestamp?: string;
  endTimestamp?: string;
  completed?: boolean;
  failed?: boolean;
  failureReason?: string;
}

export interface ObservedVirtualMachineInstance {
  /** Annotations: copied from the VM template when the VMI was created, never synced later. */
  metadata?: { annotations?: Record<string, string>; uid?: string; deletionTimestamp?: string };
  /** Its volumes (those it booted with, and the hot-plugged ones virt-controller added); the size virt-controller asks
   * of the running VMI, and its headroom (KubeVirt's defaults filled in). */
  spec?: { volumes?: ObservedVolume[]; domain?: { cpu?: ObservedCpu; memory?: { guest?: string; maxGuest?: string } } };
  status?: {
    phase?: string;
    reason?: string;
    nodeName?: string;
    interfaces?: ObservedInterface[];
    conditions?: ObservedCondition[];
    volumeStatus?: ObservedVolumeStatus[];
    /** What the guest runs with: virt-handler updates it once a CPU hot-plug completes. */
    currentCPUTopology?: ObservedCpu;
    /** guestCurrent: the guest's memory now, as virt-handler reads it from the domain. */
    memory?: { guestAtBoot?: string; guestCurrent?: string; guestRequested?: string };
    migrationState?: ObservedMigrationState;
    /** Set by virt-api's eviction webhook when a drain asks the VM off its node. */
    evacuationNodeName?: string;
  };
}

/** A NetworkAttachmentDefinition the Wukong attaches to (generated or the user's nadName), namespace-less. */
export interface ObservedNad {
  name: string;
  exists: boolean;
}

/** The NMState policy that builds one host bridge of the Wukong's networks. */
export interface ObservedNodeNetwork {
  policy: string;
  bridge: string;
  nic: string;
  exists: boolean;
  /** The policy's status conditions; absent right after we wrote a new spec for it. */
  conditions?: ObservedCondition[];
}

/**
 * Something the reconciler could not do or find: the API server rejected a child, or a dependency
 * (StorageClass, user NAD, Secret) is missing. `reason` is the API StatusReason, e.g. NotFound or Invalid.
 */
export interface ChildError {
  kind: string;
  name: string;
  reason: string;
  message: string;
}

import type { MigrationStatus, RestoreStatus, SnapshotStatus } from "../../schemas/status";
import type { MissingBridge } from "../networks/host-bridges";
import type { FeatureGap } from "../cluster/features";
import type { LiveUpdateConfig } from "../cluster/live-update";

export interface ObservedChildren {
  nads: ObservedNad[];
  /** One per host bridge built from a physicalInterface; absent when there is none. */
  nodeNetworks?: ObservedNodeNetwork[];
  /** Bridges the networks expect on the nodes that some node lacks, per NodeNetworkState; absent without NMState. */
  missingBridges?: MissingBridge[];
  /** By disk name, for disks with an image. */
  dataVolumes: Readonly<Record<string, ObservedDataVolume | undefined>>;
  /** By disk name: the claim `<wukong>-<disk>` of every disk, including the ones CDI creates for DataVolumes. */
  pvcs: Readonly<Record<string, ObservedPersistentVolumeClaim | undefined>>;
  /** The volumeBindingMode of each StorageClass the disks' claims use, by class name. */
  bindingModes?: Readonly<Record<string, string | undefined>>;
  virtualMachine?: ObservedVirtualMachine;
  virtualMachineInstance?: ObservedVirtualMachineInstance;
  childErrors: ChildError[];
  /** The WukongSnapshots of this Wukong. */
  snapshots?: SnapshotStatus[];
  /** The restore spec.restoreFromSnapshot asks for, as far as it got. */
  restore?: RestoreStatus;
  /** How the cluster's KubeVirt applies changes to running VMs; absent when its CR cannot be read. */
  liveUpdate?: LiveUpdateConfig;
  /** The latest live migration: the one the migrate annotation asks for, else the VMI's own. */
  migration?: MigrationStatus;
  /** What of the optional features this Wukong uses the cluster lacks; absent when it uses none. */
  clusterFeatures?: { gaps: FeatureGap[] };
}
