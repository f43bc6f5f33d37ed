// Retained disks (spec.disks[].retainOnDelete). On the Wukong's deletion, before the finalizer goes, each such disk's
// volume loses our ownerReference, so the garbage collector leaves it, and is labelled with the Wukong's name. An
// imported disk's PVC is controlled by its DataVolume (CDI v1.66.0 pkg/controller/datavolume/controller-base.go,
// newPersistentVolumeClaim: a controller ownerReference to the DataVolume): deleting the DataVolume would take the
// PVC with it, so the DataVolume is what is retained, and its PVC is labelled too so `kubectl get pvc -l` finds it.
// Each write checks what is already done first: a run cut short is finished by the next one.
import { diskClaimName } from "../children";
import type { LiveObject } from "../cluster/live";
import { LABELS } from "../../schemas/wukong";
import type { LiveWukong } from "./context";
import type { ClusterPort, JsonPatch } from "./port";

const RETAINED_LABEL_PATH = `/metadata/labels/${LABELS.retainedFrom.replace("/", "~1")}`;

export async function releaseRetainedVolumes(port: ClusterPort, wukong: LiveWukong): Promise<void> {
  const { name, namespace = "", uid } = wukong.metadata;
  for (const disk of wukong.spec?.disks ?? []) {
    if (!disk.retainOnDelete) continue;
    const claimName = diskClaimName(name, disk.name);
    const dataVolume = port.get("DataVolume", namespace, claimName);
    const claim = port.get("PersistentVolumeClaim", namespace, claimName);
    if (dataVolume) await release(port, "DataVolume", dataVolume, name, uid);
    if (claim) await release(port, "PersistentVolumeClaim", claim, name, uid, dataVolume?.metadata.uid);
  }
}

/**
 * Our ownerReference off and the label on; only the label for the claim of a DataVolume we retain. Nothing when that
 * is done already, or when the object is neither ours nor that DataVolume's (a same-named object we never made).
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
  const ours = references.some(ref => ref.uid === uid);
  const heldByDataVolume = dataVolumeUid !== undefined && references.some(ref => ref.uid === dataVolumeUid);
  const labelled = object.metadata.labels?.[LABELS.retainedFrom] === wukong;
  if (!ours && (labelled || !heldByDataVolume)) return;
  const patch: JsonPatch = [
    { op: "test", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
    { op: "add", path: "/metadata/labels", value: { ...object.metadata.labels, [LABELS.retainedFrom]: wukong } },
  ];
  if (ours) patch.push({ op: "add", path: "/metadata/ownerReferences", value: references.filter(ref => ref.uid !== uid) });
  await port.patch(kind, object.metadata.namespace ?? "", object.metadata.name, patch);
}

/** The patch that drops the retained-from label on adoption, when the object carries it. */
export function dropRetainedLabel(object: LiveObject): JsonPatch {
  return object.metadata.labels?.[LABELS.retainedFrom] === undefined ? [] : [{ op: "remove", path: RETAINED_LABEL_PATH }];
}
