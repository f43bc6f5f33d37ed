// Retained disks (spec.disks[].retainOnDelete). While the Wukong lives, a retained disk's volume carries no
// ownerReference to it, only the annotation vm.novasphere.dev/owner-uid: the garbage collector follows every
// ownerReference, and under `kubectl delete --cascade=foreground` it deletes the dependents at once, before any
// finalizer of ours has run (k8s.io/kubernetes pkg/controller/garbagecollector/garbagecollector.go,
// attemptToDeleteItem: an object whose owners are all waiting for dependents' deletion is deleted). So no deletion,
// whatever its propagation, and no operator outage can take a retained volume. On the Wukong's deletion, before the
// finalizer goes, each retained volume loses the annotation and is labelled with the Wukong's name; a volume that was
// retained but no longer is (the spec changed, the reconcile that would own it again had not run) is deleted.
// An imported disk's PVC is controlled by its DataVolume (CDI v1.66.0 pkg/controller/datavolume/controller-base.go,
// newPersistentVolumeClaim: a controller ownerReference to the DataVolume): deleting the DataVolume would take the
// PVC with it, so the DataVolume is what is retained, and its PVC is labelled too so `kubectl get pvc -l` finds it.
// Each write checks what is already done first: a run cut short is finished by the next one.
import { diskClaimName } from "../children";
import { isControlledBy, type LiveObject } from "../cluster/live";
import { metadataKeyPath, setAnnotationOp } from "../cluster/metadata-patch";
import { LABELS, OWNER_UID_ANNOTATION } from "../../schemas/wukong";
import type { LiveWukong } from "./context";
import type { ClusterPort, JsonPatch } from "./port";

const RETAINED_LABEL_PATH = metadataKeyPath("labels", LABELS.retainedFrom);
const OWNER_UID_PATH = metadataKeyPath("annotations", OWNER_UID_ANNOTATION);

/** Whether the Wukong with this uid holds the volume of a retained disk (by annotation, not by ownerReference). */
export function isHeldBy(object: LiveObject, uid: string): boolean {
  return object.metadata.annotations?.[OWNER_UID_ANNOTATION] === uid;
}

/** Whether the volume is the Wukong's: controlled by it, or held for it as a retained disk's. */
export function isOurs(object: LiveObject, uid: string): boolean {
  return isControlledBy(object, uid) || isHeldBy(object, uid);
}

export async function releaseRetainedVolumes(port: ClusterPort, wukong: LiveWukong): Promise<void> {
  const { name, namespace = "", uid } = wukong.metadata;
  for (const disk of wukong.spec?.disks ?? []) {
    const claimName = diskClaimName(name, disk.name);
    const dataVolume = port.get("DataVolume", namespace, claimName);
    const claim = port.get("PersistentVolumeClaim", namespace, claimName);
    if (!disk.retainOnDelete) {
      // Held by annotation, the garbage collector would never take it: deleted as the spec now asks.
      for (const [kind, object] of [["DataVolume", dataVolume] as const, ["PersistentVolumeClaim", claim] as const])
        if (object && isHeldBy(object, uid)) await port.delete(kind, namespace, claimName, object.metadata.uid ?? "");
      continue;
    }
    if (dataVolume) await release(port, "DataVolume", dataVolume, name, uid);
    if (claim) await release(port, "PersistentVolumeClaim", claim, name, uid, dataVolume?.metadata.uid);
  }
}

/**
 * Our ownerReference (a volume made before it was retained, not yet switched) and annotation off, and the label on;
 * only the label for the claim of a DataVolume we retain. Nothing when that is done already, or when the object is
 * neither ours nor that DataVolume's (a same-named object we never made).
 */
async function release(
  port: ClusterPort,
  kind: "DataVolume" | "PersistentVolumeClaim",
  object: LiveObject,
  wukong: string,
  uid: string,
  dataVolumeUid?: string,
): Promise<void> {
  const references = object.metadata.ownerReferences ?? [];
  const referenced = references.some(ref => ref.uid === uid);
  const held = isHeldBy(object, uid);
  const heldByDataVolume = dataVolumeUid !== undefined && references.some(ref => ref.uid === dataVolumeUid);
  const labelled = object.metadata.labels?.[LABELS.retainedFrom] === wukong;
  if (!referenced && !held && (labelled || !heldByDataVolume)) return;
  const patch: JsonPatch = [
    { op: "test", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
    { op: "add", path: "/metadata/labels", value: { ...object.metadata.labels, [LABELS.retainedFrom]: wukong } },
  ];
  if (referenced) patch.push({ op: "add", path: "/metadata/ownerReferences", value: references.filter(ref => ref.uid !== uid) });
  if (held) patch.push({ op: "remove", path: OWNER_UID_PATH });
  await port.patch(kind, object.metadata.namespace ?? "", object.metadata.name, patch);
}

/** The patch that drops the retained-from label on adoption, when the object carries it. */
export function dropRetainedLabel(object: LiveObject): JsonPatch {
  return object.metadata.labels?.[LABELS.retainedFrom] === undefined ? [] : [{ op: "remove", path: RETAINED_LABEL_PATH }];
}

/** The patch that puts the owner-uid annotation on (`uid`) or takes it off (undefined), when that changes anything. */
export function ownerUidPatch(object: LiveObject, uid: string | undefined): JsonPatch {
  const annotations = object.metadata.annotations;
  const current = annotations?.[OWNER_UID_ANNOTATION];
  if (current === uid) return [];
  if (uid === undefined) return [{ op: "remove", path: OWNER_UID_PATH }];
  return [setAnnotationOp(annotations, OWNER_UID_ANNOTATION, uid)];
}
