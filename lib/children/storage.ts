// The volume behind each disk: a CDI DataVolume when there is an image to import, else a blank PVC.
// No binding-mode annotations: with a WaitForFirstConsumer StorageClass the import waits for the VM's pod.
import type { Disk, WukongSpec } from "../../schemas/spec";
import type { BuildContext } from "./contract";
import type { KubernetesObject } from "./kubernetes-object";
import { diskClaimName } from "../../schemas/child-names";
import { childMetadata, heldMetadata, type Owner } from "./ownership";
import { bootDisk } from "./spec-defaults";

export const DATA_VOLUME_API_VERSION = "cdi.kubevirt.io/v1beta1";
/** ReadWriteOnce unless the disk asks to be shared (so the VM can live-migrate). */
const accessModes = (disk: Disk) => [disk.accessMode ?? "ReadWriteOnce"];

/** The image imported into a disk: its own, or spec.osImage for a boot disk without one. */
export function diskImage(spec: WukongSpec, disk: Disk): string | undefined {
  if (disk.image) return disk.image;
  return spec.osImage && disk.name === bootDisk(spec)?.name ? spec.osImage : undefined;
}

export function dataVolume(owner: Owner, disk: Disk, image: string, context: BuildContext): KubernetesObject {
  return {
    apiVersion: DATA_VOLUME_API_VERSION,
    kind: "DataVolume",
    metadata: volumeMetadata(owner, disk),
    // spec.storage, not spec.pvc: CDI adds the filesystem overhead and takes the volume mode from the StorageProfile.
    // ReadWriteOnce, as for blank disks: with no access modes CDI needs them from the StorageProfile, and one that
    // lists none stops the import ("cannot get access mode from StorageProfile"); given them, it only looks up the
    // profile's volume mode for them and falls back to Kubernetes' own (CDI v1.66.0 pkg/controller/datavolume/util.go,
    // renderPvcSpecVolumeModeAndAccessModesAndStorageClass and getDefaultVolumeMode).
    spec: { source: importSource(image), storage: { accessModes: accessModes(disk), resources: storageRequest(disk), ...storageClass(disk, context) } },
  };
}

export function persistentVolumeClaim(owner: Owner, disk: Disk, context: BuildContext): KubernetesObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: volumeMetadata(owner, disk),
    spec: { accessModes: accessModes(disk), volumeMode: "Filesystem", resources: storageRequest(disk), ...storageClass(disk, context) },
  };
}

/** A retained disk's volume is held by annotation, never by an ownerReference the garbage collector follows. */
function volumeMetadata(owner: Owner, disk: Disk) {
  const name = diskClaimName(owner.name, disk.name);
  return disk.retainOnDelete ? heldMetadata(owner, name) : childMetadata(owner, name);
}

/** CDI wants registry URLs with their scheme (docker:// or oci-archive:), so the URL is passed intact. */
function importSource(image: string): Record<string, { url: string }> {
  if (image.startsWith("docker://") || image.startsWith("oci-archive:")) return { registry: { url: image } };
  if (image.startsWith("http://") || image.startsWith("https://")) return { http: { url: image } };
  throw new Error(`image ${image} must start with docker://, oci-archive: or http(s)://`);
}

function storageRequest(disk: Disk) {
  return { requests: { storage: disk.size } };
}

/** The disk's class, else the cluster default the caller knows of, else none (the API server's default applies). */
function storageClass(disk: Disk, context: BuildContext): { storageClassName?: string } {
  const storageClassName = disk.storageClassName ?? context.defaultStorageClass;
  return storageClassName ? { storageClassName } : {};
}
