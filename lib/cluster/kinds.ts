// Every kind Wukong reads or writes, in ONE table: its REST coordinates, how the controller watches it, and
// what the operator may do with it. The real client, the watch-fed view, the in-memory test port, the
// controller's watches, the order changes are announced in, and package.json's `pepr.rbac` with the README's RBAC
// table (lib/cluster/rbac.ts, `npm run generate:rbac`) all come from here.
import { API } from "../../schemas/wukong";
import { SNAPSHOT_API } from "../../schemas/wukongsnapshot";

export type Verb = "get" | "list" | "watch" | "create" | "patch" | "update" | "delete";

/**
 * How the controller watches a kind:
 * - `wukong`: Pepr's own binding delivers it (capabilities/bindings.ts);
 * - `child`: one watch by the Wukong label, always started, every reconcile waits for its first list;
 * - `snapshot`: the WukongSnapshot controller's own watch, always started and waited for;
 * - `optional`: started once discovery finds the kind's group/version served (an optional API), waited for from then on.
 */
export type WatchMode = "wukong" | "child" | "snapshot" | "optional";

export interface KindInfo {
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  watch?: WatchMode;
  /**
   * The RBAC verbs on the kind itself. Pepr's scoped mode grants a watched kind only `watch`, a
   * Finalize kind `patch`, and nothing for subresources or kinds only written: every verb needed is listed here.
   */
  verbs: readonly Verb[];
  /** Subresources the operator writes: status (patch), finalizers (update: see `FINALIZERS` below). */
  subresources?: Readonly<Partial<Record<"status" | "finalizers", { verbs: readonly Verb[]; why: string }>>>;
  /** Why the operator needs the verbs: the README's RBAC table (`npm run generate:rbac` writes it). */
  why: string;
}

const WATCHED: readonly Verb[] = ["get", "list", "watch"];
const OWNED: readonly Verb[] = [...WATCHED, "create", "patch", "delete"];
// Children carry `blockOwnerDeletion: true` to their owner: under OwnerReferencesPermissionEnforcement
// (plugin/pkg/admission/gc/gc_admission.go, OpenShift's default) that needs `update` on the owner's finalizers.
const FINALIZERS: readonly Verb[] = ["update"];

// Children are in the order they depend on each other (Events list changes in this order), and the optional APIs in
// the order their watches start.
export const KINDS = {
  Wukong: {
    group: API.group,
    version: API.version,
    plural: API.plural,
    namespaced: true,
    watch: "wukong",
    verbs: [...WATCHED, "patch"],
    subresources: {
      status: { verbs: ["patch"], why: "status" },
      finalizers: {
        verbs: FINALIZERS,
        why: "children carry `blockOwnerDeletion: true` to their Wukong: under `OwnerReferencesPermissionEnforcement` (OpenShift's default) that needs `update` on the owner's finalizers, or every child create gets 403",
      },
    },
    why: "the watch, admission's index, the finalizer",
  },
  WukongSnapshot: {
    group: SNAPSHOT_API.group,
    version: SNAPSHOT_API.version,
    plural: SNAPSHOT_API.plural,
    namespaced: true,
    watch: "snapshot",
    verbs: [...WATCHED, "patch", "delete"],
    subresources: {
      status: { verbs: ["patch"], why: "snapshot status" },
      finalizers: { verbs: FINALIZERS, why: "the VirtualMachineSnapshot's `blockOwnerDeletion: true` to its WukongSnapshot (as for wukongs/finalizers)" },
    },
    why: "the watch, admission's lookup, the Wukong label and the opt-in ownerReference (never deleted: under `OwnerReferencesPermissionEnforcement` changing an object's ownerReferences needs `delete` on it)",
  },
  VirtualMachineSnapshot: {
    group: "snapshot.kubevirt.io",
    version: "v1beta1",
    plural: "virtualmachinesnapshots",
    namespaced: true,
    watch: "optional",
    verbs: [...WATCHED, "create", "patch"],
    why: "a WukongSnapshot's VirtualMachineSnapshot (server-side apply; the garbage collector deletes it)",
  },
  NodeNetworkConfigurationPolicy: {
    group: "nmstate.io",
    version: "v1",
    plural: "nodenetworkconfigurationpolicies",
    namespaced: false,
    watch: "optional",
    verbs: [...WATCHED, "create", "patch"],
    why: "the shared node bridge policies (server-side apply; never deleted: see [Removing a node bridge](#removing-a-node-bridge))",
  },
  NetworkAttachmentDefinition: {
    group: "k8s.cni.cncf.io",
    version: "v1",
    plural: "network-attachment-definitions",
    namespaced: true,
    watch: "child",
    verbs: OWNED,
    why: "generated NADs (server-side apply), your `nadName` lookups",
  },
  DataVolume: { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes", namespaced: true, watch: "child", verbs: OWNED, why: "imported disks" },
  PersistentVolumeClaim: {
    group: "",
    version: "v1",
    plural: "persistentvolumeclaims",
    namespaced: true,
    watch: "child",
    verbs: OWNED,
    why: "blank disks, growing disks",
  },
  Secret: {
    group: "",
    version: "v1",
    plural: "secrets",
    namespaced: true,
    watch: "child",
    verbs: OWNED,
    why: "the cloud-init Secret, your `sshKeySecret` lookups",
  },
  VirtualMachine: { group: "kubevirt.io", version: "v1", plural: "virtualmachines", namespaced: true, watch: "child", verbs: OWNED, why: "the VM" },
  VirtualMachineInstance: {
    group: "kubevirt.io",
    version: "v1",
    plural: "virtualmachineinstances",
    namespaced: true,
    watch: "child",
    verbs: [...WATCHED, "delete"],
    why: "status: IPs, node, guest agent, hot-plugged CPU and memory; deleted to restart the VM when `spec.updates.restartWhenRequired` is set (virt-controller starts a new one under runStrategy Always)",
  },
  VirtualMachineInstanceMigration: {
    group: "kubevirt.io",
    version: "v1",
    plural: "virtualmachineinstancemigrations",
    namespaced: true,
    watch: "optional",
    verbs: [...WATCHED, "create", "patch"],
    why: "the live migration the `vm.novasphere.dev/migrate` annotation asks for (server-side apply; virt-controller garbage-collects finished ones, the garbage collector the rest)",
  },
  VirtualMachineRestore: {
    group: "snapshot.kubevirt.io",
    version: "v1beta1",
    plural: "virtualmachinerestores",
    namespaced: true,
    watch: "optional",
    verbs: OWNED,
    why: "restores from `spec.restoreFromSnapshot`; deleted when the field is cleared or changed",
  },
  KubeVirt: {
    group: "kubevirt.io",
    version: "v1",
    plural: "kubevirts",
    namespaced: true,
    watch: "optional",
    verbs: WATCHED,
    why: "KubeVirt's feature gates (`Snapshot`, `ExpandDisks`, `DeclarativeHotplugVolumes`), for the ClusterFeatures condition and admission warnings",
  },
  NodeNetworkState: {
    group: "nmstate.io",
    version: "v1beta1",
    plural: "nodenetworkstates",
    namespaced: false,
    verbs: ["list"],
    why: "which nodes have a bridge that no physicalInterface builds (admission warning, `BridgeMissing`); cached 30 s",
  },
  CDIConfig: {
    group: "cdi.kubevirt.io",
    version: "v1beta1",
    plural: "cdiconfigs",
    namespaced: false,
    verbs: ["get"],
    why: "CDI's feature gates (`HonorWaitForFirstConsumer`), for an admission warning about imports on WaitForFirstConsumer storage; cached 30 s",
  },
  StorageClass: {
    group: "storage.k8s.io",
    version: "v1",
    plural: "storageclasses",
    namespaced: false,
    verbs: WATCHED,
    why: "admission and reconcile checks",
  },
  Node: {
    group: "",
    version: "v1",
    plural: "nodes",
    namespaced: false,
    verbs: ["list"],
    why: "which device-plugin resources (GPUs, SR-IOV) some node offers, for the ClusterFeatures condition and admission warnings",
  },
  Event: { group: "", version: "v1", plural: "events", namespaced: true, verbs: ["create"], why: "Events on the Wukong (never patched: each is new)" },
  CustomResourceDefinition: {
    group: "apiextensions.k8s.io",
    version: "v1",
    plural: "customresourcedefinitions",
    namespaced: false,
    verbs: ["get", "create", "patch"],
    why: "the watcher installs or upgrades the shipped CRDs (see below); Pepr applies its PeprStore CRD",
  },
  PeprStore: {
    group: "pepr.dev",
    version: "v1",
    plural: "peprstores",
    namespaced: true,
    verbs: [...WATCHED, "create", "patch"],
    why: "Pepr's own store",
  },
} as const satisfies Record<string, KindInfo>;

export type KindName = keyof typeof KINDS;

/** The kinds watched the way `Mode` says. */
export type KindsWatched<Mode extends WatchMode> = { [K in KindName]: (typeof KINDS)[K] extends { watch: Mode } ? K : never }[KindName];

/** Kinds the controller's watches feed into the view. */
export type WatchedKind = KindsWatched<WatchMode>;
/** Our own kinds, whose status subresource the operator writes. */
export type StatusKind = { [K in KindName]: (typeof KINDS)[K] extends { subresources: { status: object } } ? K : never }[KindName];
/** The children kinds: watched with the Wukong label selector, except the shared, cluster-scoped policy. */
export type ChildKind = Exclude<WatchedKind, "Wukong" | "KubeVirt">;

const kindNames = Object.keys(KINDS) as KindName[];
const watchedAs = <Mode extends WatchMode>(mode: Mode) => kindNames.filter(kind => (KINDS[kind] as KindInfo).watch === mode) as KindsWatched<Mode>[];

export const WATCHED_KINDS: readonly WatchedKind[] = kindNames.filter(kind => (KINDS[kind] as KindInfo).watch !== undefined) as WatchedKind[];
/** The children each Wukong owns or reads, each watched with the vm.novasphere.dev/wukong label. */
export const LABELLED_CHILD_KINDS: readonly KindsWatched<"child">[] = watchedAs("child");

/** The watches each optional API ("group/version") feeds, in table order. */
export const OPTIONAL_WATCHES: Readonly<Record<string, readonly KindsWatched<"optional">[]>> = watchedAs("optional").reduce<
  Record<string, KindsWatched<"optional">[]>
>((byApi, kind) => ({ ...byApi, [apiVersionOf(kind)]: [...(byApi[apiVersionOf(kind)] ?? []), kind] }), {});

/** Position of a kind in the table, which lists children in the order they depend on each other. */
export const writeOrder = (kind: KindName): number => kindNames.indexOf(kind);

export function apiVersionOf(kind: KindName): string {
  const { group, version } = KINDS[kind];
  return group ? `${group}/${version}` : version;
}

/** The REST path of a collection, or of one object when `name` is given. */
export function resourcePath(kind: KindName, namespace: string | undefined, name?: string): string {
  const { group, version, plural, namespaced } = KINDS[kind];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const scope = namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${base}${scope}/${plural}${name ? `/${encodeURIComponent(name)}` : ""}`;
}
