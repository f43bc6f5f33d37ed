// The Wukong resource: API coordinates, the spec and status schemas and their TS types.
import { z } from "zod";
import { WukongSpec } from "./spec";
import { WukongStatus } from "./status";

export const API = {
  group: "vm.novasphere.dev",
  version: "v1alpha1",
  kind: "Wukong",
  plural: "wukongs",
  singular: "wukong",
  shortNames: ["wk"],
  categories: ["all"],
} as const;
export const API_VERSION = `${API.group}/${API.version}`;

/** Labels and annotations Wukong puts on, or reads from, objects. */
export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  wukong: "vm.novasphere.dev/wukong",
  haGroup: "vm.novasphere.dev/ha-group",
  /** On a disk's volume kept after its Wukong was deleted (spec.disks[].retainOnDelete): that Wukong's name. */
  retainedFrom: "vm.novasphere.dev/retained-from",
} as const;
export const MANAGER = "wukong";
export const FINALIZER = "vm.novasphere.dev/finalizer";
/** Comma-separated disk names the user agrees to delete by removing them from spec.disks. */
export const ALLOW_DISK_REMOVAL_ANNOTATION = "vm.novasphere.dev/allow-disk-removal";
/**
 * Asks for a live migration of the running VM: each new value (any text, e.g. a timestamp) creates one
 * VirtualMachineInstanceMigration; status.migration follows it.
 */
export const MIGRATE_ANNOTATION = "vm.novasphere.dev/migrate";
/** On a disk's claim: the disk size its request was last grown for (an imported disk's request includes CDI's overhead). */
export const DISK_SIZE_ANNOTATION = "vm.novasphere.dev/disk-size";
/**
 * On a retained disk's volume (spec.disks[].retainOnDelete) while its Wukong lives: the Wukong's uid, in place of an
 * ownerReference, which the garbage collector would follow (at once under `kubectl delete --cascade=foreground`).
 */
export const OWNER_UID_ANNOTATION = "vm.novasphere.dev/owner-uid";

export interface WukongMetadata {
  name?: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string | Date;
}

export interface Wukong {
  apiVersion?: string;
  kind?: string;
  metadata?: WukongMetadata;
  spec?: WukongSpec;
  status?: WukongStatus;
}

export { WukongSpec, WukongStatus };
export type WukongSpecInput = z.input<typeof WukongSpec>;
