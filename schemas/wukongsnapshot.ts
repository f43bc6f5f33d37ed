// The WukongSnapshot resource: a point-in-time copy of one Wukong's VM and disks, kept as a KubeVirt
// VirtualMachineSnapshot. API coordinates, spec and status schemas, and their TS types.
import { z } from "zod";
import { d, objectName } from "./fields";
import { Condition } from "./status";

export const SNAPSHOT_API = {
  group: "vm.novasphere.dev",
  version: "v1alpha1",
  kind: "WukongSnapshot",
  plural: "wukongsnapshots",
  singular: "wukongsnapshot",
  shortNames: ["wks"],
  categories: ["all"],
} as const;

/** Set to "true" on a WukongSnapshot to have it (and its VirtualMachineSnapshot) deleted with its Wukong. */
export const DELETE_WITH_WUKONG_ANNOTATION = "vm.novasphere.dev/delete-with-wukong";
/** The WukongSnapshot a VirtualMachineSnapshot belongs to. */
export const SNAPSHOT_LABEL = "vm.novasphere.dev/wukongsnapshot";

export const SNAPSHOT_PHASES = ["Pending", "InProgress", "Succeeded", "Failed"] as const;
/** The condition saying whether KubeVirt captured every one of the Wukong's disks. */
export const ALL_DISKS_INCLUDED = "AllDisksIncluded";
/** The condition saying whether KubeVirt deletes the snapshot's content and VolumeSnapshots with it. */
export const CONTENT_DELETED_WITH_SNAPSHOT = "ContentDeletedWithSnapshot";

export const WukongSnapshotSpec = z
  .strictObject({
    wukongName: objectName("wukongName").meta({
      ...d("The Wukong (same namespace) whose VM and disks are snapshotted. It must exist when the snapshot is created. Immutable."),
      "x-kubernetes-validations": [{ rule: "self == oldSelf", message: "is immutable: create a new WukongSnapshot instead", reason: "FieldValueForbidden" }],
    }),
  })
  .meta(d("What to snapshot. Immutable: take a new snapshot instead."));

export const WukongSnapshotStatus = z
  .object({
    phase: z
      .enum(SNAPSHOT_PHASES)
      .optional()
      .meta(
        d("Pending (accepted, no VirtualMachineSnapshot yet), InProgress (KubeVirt is taking it), Succeeded (ready to restore from) or Failed (see error)."),
      ),
    readyToUse: z.boolean().optional().meta(d("Whether the snapshot can be restored from (phase Succeeded).")),
    snapshotName: z.string().optional().meta(d("The KubeVirt VirtualMachineSnapshot holding this snapshot.")),
    creationTime: z
      .string()
      .optional()
      .meta({ ...d("When KubeVirt took the snapshot (its status.creationTime)."), format: "date-time" }),
    error: z.string().optional().meta(d("Why the snapshot failed, or what it is waiting for.")),
    disks: z
      .array(z.string())
      .optional()
      .meta(d("Names of the Wukong's disks when the snapshot was taken: a restore into another Wukong needs the same disks.")),
    includedDisks: z
      .array(z.string())
      .optional()
      .meta(d("The disks KubeVirt really captured (its status.snapshotVolumes.includedVolumes): a restore restores only these.")),
    excludedDisks: z
      .array(z.string())
      .optional()
      .meta(
        d(
          "The disks KubeVirt left out (status.snapshotVolumes.excludedVolumes): a claim not bound, or a StorageClass without a VolumeSnapshotClass. A restore leaves them as they are.",
        ),
      ),
    conditions: z
      .array(Condition)
      .optional()
      .meta({
        ...d(
          `${ALL_DISKS_INCLUDED}: False (reason DisksExcluded) when KubeVirt left any of the Wukong's disks out of the snapshot. ` +
            `${CONTENT_DELETED_WITH_SNAPSHOT}: False (reason ContentRetained) when the VirtualMachineSnapshot's deletionPolicy makes KubeVirt keep its content after deletion (made by an older Wukong).`,
        ),
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["type"],
      }),
    observedGeneration: z
      .number()
      .int()
      .optional()
      .meta({ ...d("metadata.generation the status describes."), format: "int64" }),
  })
  .meta(d("Observed state, written by the operator."));

export type WukongSnapshotSpec = z.infer<typeof WukongSnapshotSpec>;
export type WukongSnapshotStatus = z.infer<typeof WukongSnapshotStatus>;
export type SnapshotPhase = (typeof SNAPSHOT_PHASES)[number];

export interface WukongSnapshot {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: WukongSnapshotSpec;
  status?: WukongSnapshotStatus;
}
