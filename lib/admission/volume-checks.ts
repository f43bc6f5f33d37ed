// Admission checks against the volumes a Wukong's disks will use (`<wukong>-<disk>`, which may already exist: kept by
// retainOnDelete from a deleted Wukong of the same name, grown outside the Wukong, or inflated by CDI):
// - a disk may not be smaller than the size its volume holds now: nothing downstream can shrink it, and the reconciler
//   would only never grow it;
// - a retained volume must be of the disk's kind: an imported disk needs a DataVolume of that name (CDI v1.66.0
//   pkg/controller/datavolume/controller-base.go refuses a claim of its name it does not own unless its
//   DataVolumeClaimAdoption gate is on), and a blank disk on an imported disk's volume would leave the DataVolume
//   owned by nobody.
import { diskClaimName } from "../../schemas/child-names";
import type { Problem } from "../../schemas/problems";
import { bytesOf } from "../../schemas/quantity";
import type { WukongSpec } from "../../schemas/spec";
import { LABELS } from "../../schemas/wukong";
import { diskImage } from "../children/storage";
import { heldDiskSize } from "../cluster/disk-size";
import type { LiveObject } from "../cluster/live";

export interface DiskVolumes {
  claim?: LiveObject;
  dataVolume?: LiveObject;
}

export interface VolumeLookup {
  /** The PersistentVolumeClaim and DataVolume named `name` in `namespace`, each absent when there is none. */
  diskVolumes(namespace: string, name: string): Promise<DiskVolumes>;
}

export interface VolumeCheckInput {
  namespace: string;
  name: string;
  spec: WukongSpec;
  oldSpec?: WukongSpec;
}

/** Only new disks and changed sizes are judged: an update of something else never fails on a disk left as it was. */
export async function diskVolumeProblems({ namespace, name, spec, oldSpec }: VolumeCheckInput, lookup: VolumeLookup): Promise<Problem[]> {
  const oldSizes = new Map((oldSpec?.disks ?? []).map(disk => [disk.name, disk.size]));
  const judged = (spec.disks ?? []).flatMap((disk, i) => (oldSizes.get(disk.name) === disk.size ? [] : [{ disk, i, isNew: !oldSizes.has(disk.name) }]));
  const volumes = await Promise.all(judged.map(({ disk }) => lookup.diskVolumes(namespace, diskClaimName(name, disk.name))));
  return judged.flatMap(({ disk, i, isNew }, j) => {
    const { claim, dataVolume } = volumes[j];
    const at = `spec.disks[${i}]`;
    const volumeName = diskClaimName(name, disk.name);
    const problems: Problem[] = [];
    const retained = (object: LiveObject | undefined) => {
      const from = object?.metadata.labels?.[LABELS.retainedFrom];
      return from ? `, retained from Wukong ${from}` : "";
    };
    if (isNew && diskImage(spec, disk) && claim && !dataVolume) {
      problems.push({
        path: `${at}.image`,
        message: `PersistentVolumeClaim ${volumeName} exists as a blank volume${retained(claim)}: an imported disk needs a DataVolume of that name and would never start; drop image to use the volume as a blank disk, rename the disk, or delete the claim`,
      });
    }
    if (isNew && !diskImage(spec, disk) && dataVolume) {
      problems.push({
        path: `${at}.image`,
        message: `DataVolume ${volumeName} exists for an imported disk${retained(dataVolume)}: give the disk the image it was imported from (it is not imported again), rename the disk, or delete the DataVolume`,
      });
    }
    const held = heldDiskSize(claim, dataVolume);
    const [wanted, current] = [bytesOf(disk.size), bytesOf(held ?? "")];
    if (wanted !== undefined && current !== undefined && wanted < current) {
      const kind = dataVolume ? "DataVolume" : "PersistentVolumeClaim";
      problems.push({
        path: `${at}.size`,
        message: `cannot be ${disk.size}: below the current size ${held} of ${kind} ${volumeName}${retained(dataVolume ?? claim)}; disks may only grow`,
      });
    }
    return problems;
  });
}
