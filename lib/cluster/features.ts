// What the cluster offers beyond the APIs every Wukong needs, and what a Wukong or WukongSnapshot asks of it
// that the cluster lacks: each gap names the missing API, KubeVirt feature gate or device resource and how to
// get it. Pure: admission turns gaps into warnings, the reconcilers into conditions.
import type { WukongSpec } from "../../schemas/spec";
import { type LiveUpdateConfig, liveUpdateConfig, type LiveUpdateFields } from "./live-update";

export interface ClusterFeatures {
  /** "group/version" of each optional API the API server serves; undefined until discovery has answered. */
  servedApis?: ReadonlySet<string>;
  /** The KubeVirt CR's spec.configuration.developerConfiguration.featureGates; undefined when none can be read. */
  featureGates?: ReadonlySet<string>;
  /** How the KubeVirt CR says changes reach running VMs (lib/cluster/live-update.ts); undefined when none can be read. */
  liveUpdate?: LiveUpdateConfig;
  /** The KubeVirt CR, named in how to enable a gate. */
  kubeVirt?: { namespace?: string; name: string };
  /** Extended resources (device plugins) some node offers in status.allocatable; undefined until nodes were listed. */
  nodeResources?: ReadonlySet<string>;
  /** The spec fields of the served VirtualMachineRestore (its CRD, at KUBEVIRT_SNAPSHOT_API); undefined when unknown. */
  restoreSpecFields?: ReadonlySet<string>;
}

/** The snapshot API version Wukong speaks: served from KubeVirt v1.3.0 (staging/src/kubevirt.io/api/snapshot/v1beta1). */
export const KUBEVIRT_SNAPSHOT_API = "snapshot.kubevirt.io/v1beta1";
/** The NMState API of NodeNetworkConfigurationPolicy. */
export const NODE_NETWORK_API = "nmstate.io/v1";
/** Where KubeVirt's own configuration lives (the `kubevirts` resource). */
export const KUBEVIRT_CONFIG_API = "kubevirt.io/v1";

// KubeVirt v1.7.4, pkg/virt-config/featuregate/active.go: Snapshot is Beta and ExpandDisks Alpha, and
// pkg/virt-config/feature-gates.go enables a gate that is not GA only when the KubeVirt CR lists it.
export const SNAPSHOT_GATE = "Snapshot";
export const EXPAND_DISKS_GATE = "ExpandDisks";
// Both Alpha at v1.7.4. virt-controller applies a VM's hot-plug volumes to its running VMI only with
// DeclarativeHotplugVolumes on and the older HotplugVolumes off (pkg/virt-controller/watch/vm/vm.go,
// handleDeclarativeVolumeHotplug); otherwise the volume waits in the VM spec, and no condition says so.
export const DECLARATIVE_HOTPLUG_GATE = "DeclarativeHotplugVolumes";
export const HOTPLUG_VOLUMES_GATE = "HotplugVolumes";

/**
 * The VirtualMachineRestore fields a Wukong restore is made of (lib/children/snapshot.ts): in place, into the
 * Wukong's own claims, left owned by the Wukong. The v1beta1 schema has volumeRestorePolicy and
 * volumeRestoreOverrides from KubeVirt v1.6.0 and volumeOwnershipPolicy from v1.7.0 (validations_generated.go at each
 * tag). An older API server prunes them, and KubeVirt then restores into new claims that the VM controls.
 */
export const RESTORE_SPEC_FIELDS = ["volumeRestorePolicy", "volumeRestoreOverrides", "volumeOwnershipPolicy"] as const;

export type FeatureGapReason =
  | "SnapshotApiMissing"
  | "RestoreFieldsMissing"
  | "SnapshotFeatureGateDisabled"
  | "ExpandDisksFeatureGateDisabled"
  | "HotplugFeatureGateDisabled"
  | "DeviceResourceMissing";

export interface FeatureGap {
  reason: FeatureGapReason;
  /** The spec field that asks for the feature. */
  path: string;
  message: string;
}

export interface FeatureUse {
  /** Whether the Wukong has (or asks to restore from) WukongSnapshots. */
  snapshots: boolean;
  /** Disks whose claims were grown (now, or before while the gate was off). */
  grownDisks: readonly string[];
  /** Disks the VM declares hot-pluggable (lib/children/hotplug.ts). */
  hotplugDisks?: readonly string[];
}

/** What keeps a snapshot or restore from being taken: the API missing, or its feature gate off. */
export function snapshotGap(features: ClusterFeatures, path: string): FeatureGap | undefined {
  if (features.servedApis && !features.servedApis.has(KUBEVIRT_SNAPSHOT_API)) {
    return {
      reason: "SnapshotApiMissing",
      path,
      message: `the cluster does not serve ${KUBEVIRT_SNAPSHOT_API} (VirtualMachineSnapshot, VirtualMachineRestore): snapshots need KubeVirt v1.3.0 or newer`,
    };
  }
  return gateGap(features, SNAPSHOT_GATE, "SnapshotFeatureGateDisabled", path, "KubeVirt refuses every VirtualMachineSnapshot and VirtualMachineRestore");
}

/** What keeps a restore from being made: what keeps snapshots, or a VirtualMachineRestore too old for ours. */
export function restoreGap(features: ClusterFeatures, path: string): FeatureGap | undefined {
  const snapshot = snapshotGap(features, path);
  if (snapshot) return snapshot;
  const fields = features.restoreSpecFields;
  const missing = fields ? RESTORE_SPEC_FIELDS.filter(field => !fields.has(field)) : [];
  if (missing.length === 0) return undefined;
  return {
    reason: "RestoreFieldsMissing",
    path,
    message:
      `the cluster's VirtualMachineRestore (${KUBEVIRT_SNAPSHOT_API}) has no ${missing.map(field => `spec.${field}`).join(", ")}, ` +
      "without which KubeVirt would restore into new claims owned by the VM instead of the Wukong's own disks: restores need KubeVirt v1.7.0 or newer",
  };
}

/** A grown disk reaches a running guest (and a filesystem-mode disk image at all) only with ExpandDisks. */
export function expandDisksGap(features: ClusterFeatures, path: string, disks: readonly string[]): FeatureGap | undefined {
  const which = disks.length === 1 ? `disk ${disks[0]} grew` : `disks ${disks.join(", ")} grew`;
  return gateGap(
    features,
    EXPAND_DISKS_GATE,
    "ExpandDisksFeatureGateDisabled",
    path,
    `${which}, but the guest does not see the new size (KubeVirt neither resizes a disk image nor tells a running VM)`,
  );
}

/** Disks added to a running VM reach it only through KubeVirt's declarative hot-plug. */
export function hotplugGap(features: ClusterFeatures, path: string, disks: readonly string[]): FeatureGap | undefined {
  const which = disks.length === 1 ? `disk ${disks[0]} waits` : `disks ${disks.join(", ")} wait`;
  const effect = `${which} to be hot-plugged into the running VM, which KubeVirt does not do`;
  if (features.featureGates?.has(HOTPLUG_VOLUMES_GATE) && features.featureGates.has(DECLARATIVE_HOTPLUG_GATE)) {
    return {
      reason: "HotplugFeatureGateDisabled",
      path,
      message: `${effect}: KubeVirt's ${HOTPLUG_VOLUMES_GATE} feature gate is enabled, which turns ${DECLARATIVE_HOTPLUG_GATE} off; remove "${HOTPLUG_VOLUMES_GATE}" from spec.configuration.developerConfiguration.featureGates of ${kubeVirtName(features)}`,
    };
  }
  return gateGap(features, DECLARATIVE_HOTPLUG_GATE, "HotplugFeatureGateDisabled", path, effect);
}

/** Device-plugin resources the Wukong needs that no node offers: its VM cannot be scheduled. */
export function deviceGaps(spec: WukongSpec, features: ClusterFeatures): FeatureGap[] {
  const offered = features.nodeResources;
  if (!offered) return [];
  const wanted = [
    ...(spec.gpus ?? []).map((gpu, i) => ({ resource: gpu.deviceName, path: `spec.gpus[${i}].deviceName`, what: `GPU ${gpu.name}` })),
    ...(spec.networks ?? []).flatMap((network, i) =>
      network.type === "sriov" && network.resourceName && !network.nadName
        ? [{ resource: network.resourceName, path: `spec.networks[${i}].resourceName`, what: `SR-IOV network ${network.name}` }]
        : [],
    ),
  ];
  return wanted
    .filter(({ resource }) => !offered.has(resource))
    .map(({ resource, path, what }) => ({
      reason: "DeviceResourceMissing",
      path,
      message: `no node offers ${resource} (status.allocatable) for ${what}: its device plugin is not installed or has no free devices, so the VM cannot be scheduled`,
    }));
}

/**
 * Every gap of a Wukong; `undefined` when it uses no optional feature (no condition to report). A grown disk
 * counts only while the gate is off: with it on, the disk simply grew.
 */
export function wukongFeatureGaps(spec: WukongSpec, features: ClusterFeatures, use: FeatureUse): FeatureGap[] | undefined {
  const devices = (spec.gpus?.length ?? 0) > 0 || (spec.networks ?? []).some(network => network.type === "sriov");
  const snapshots = use.snapshots || spec.restoreFromSnapshot !== undefined;
  const expand = use.grownDisks.length > 0 ? expandDisksGap(features, "spec.disks", use.grownDisks) : undefined;
  const hotplugged = use.hotplugDisks ?? [];
  const hotplug = hotplugged.length > 0 ? hotplugGap(features, "spec.disks", hotplugged) : undefined;
  if (!snapshots && !expand && !devices && hotplugged.length === 0) return undefined;
  const snapshot = !snapshots
    ? undefined
    : spec.restoreFromSnapshot
      ? restoreGap(features, "spec.restoreFromSnapshot")
      : snapshotGap(features, "status.snapshots");
  return [...(snapshot ? [snapshot] : []), ...(expand ? [expand] : []), ...(hotplug ? [hotplug] : []), ...deviceGaps(spec, features)];
}

/** The KubeVirt CR's feature gates, from the first KubeVirt CR not being deleted (KubeVirt allows one). */
export function kubeVirtConfig(kubeVirts: readonly KubeVirtObject[]): Pick<ClusterFeatures, "featureGates" | "kubeVirt" | "liveUpdate"> {
  const live = kubeVirts.find(object => !object.metadata?.deletionTimestamp);
  if (!live?.metadata?.name) return {};
  const gates = live.spec?.configuration?.developerConfiguration?.featureGates;
  return {
    featureGates: new Set(Array.isArray(gates) ? gates.filter((gate): gate is string => typeof gate === "string") : []),
    kubeVirt: { namespace: live.metadata.namespace, name: live.metadata.name },
    liveUpdate: liveUpdateConfig(live.spec, live.status?.observedKubeVirtVersion),
  };
}

export interface KubeVirtObject {
  metadata?: { name?: string; namespace?: string; deletionTimestamp?: string };
  spec?: { configuration?: { developerConfiguration?: { featureGates?: unknown } } & LiveUpdateFields["configuration"] } & LiveUpdateFields;
  status?: { observedKubeVirtVersion?: unknown };
}

function gateGap(features: ClusterFeatures, gate: string, reason: FeatureGapReason, path: string, effect: string): FeatureGap | undefined {
  if (!features.featureGates || features.featureGates.has(gate)) return undefined;
  return {
    reason,
    path,
    message: `${effect}: KubeVirt's ${gate} feature gate is not enabled; enable it by adding "${gate}" to spec.configuration.developerConfiguration.featureGates of ${kubeVirtName(features)}`,
  };
}

function kubeVirtName(features: ClusterFeatures): string {
  const cr = features.kubeVirt;
  return cr ? `KubeVirt ${cr.namespace ? `${cr.namespace}/` : ""}${cr.name}` : "the KubeVirt CR";
}
