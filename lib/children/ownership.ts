// Labels and the controller ownerReference every child carries: the labels let the operator list its children,
// the ownerReference lets the garbage collector delete them with the Wukong.
import { API, API_VERSION, LABELS, MANAGER, OWNER_UID_ANNOTATION, type Wukong } from "../../schemas/wukong";
import type { ObjectMeta, OwnerReference } from "./kubernetes-object";

/** The Wukong's identity, required to own anything. */
export interface Owner {
  name: string;
  namespace: string;
  uid: string;
}

export function ownerOf(wukong: Wukong): Owner {
  const { name, namespace, uid } = wukong.metadata ?? {};
  if (!name || !namespace || !uid) {
    throw new Error("a Wukong needs metadata.name, metadata.namespace and metadata.uid to own children");
  }
  return { name, namespace, uid };
}

export function ownerLabels(owner: Owner): Record<string, string> {
  return { [LABELS.managedBy]: MANAGER, [LABELS.wukong]: owner.name };
}

export function ownerReference(owner: Owner): OwnerReference {
  return { apiVersion: API_VERSION, kind: API.kind, name: owner.name, uid: owner.uid, controller: true, blockOwnerDeletion: true };
}

/** metadata of a child named `name`; `annotations` only when there are some. */
export function childMetadata(owner: Owner, name: string, annotations?: Record<string, string>): ObjectMeta {
  return {
    name,
    namespace: owner.namespace,
    labels: ownerLabels(owner),
    ...(annotations && { annotations }),
    ownerReferences: [ownerReference(owner)],
  };
}

/**
 * metadata of a retained disk's volume: no ownerReference for the garbage collector to follow, even when the Wukong
 * is deleted in the foreground; the Wukong's uid in an annotation says whose it is.
 */
export function heldMetadata(owner: Owner, name: string): ObjectMeta {
  return { name, namespace: owner.namespace, labels: ownerLabels(owner), annotations: { [OWNER_UID_ANNOTATION]: owner.uid } };
}
