// An object as the API server returned it: only the fields Wukong reads are typed, all optional
// except the identity every stored object has.
export interface LiveMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  deletionTimestamp?: string;
  ownerReferences?: { uid: string; controller?: boolean }[];
  managedFields?: unknown[];
}

export interface LiveObject {
  apiVersion?: string;
  kind?: string;
  metadata: LiveMetadata;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [field: string]: unknown;
}

/** Whether `object` is controlled by the Wukong with this uid (a same-named successor is not). */
export function isControlledBy(object: LiveObject, uid: string): boolean {
  return object.metadata.ownerReferences?.some(ref => ref.uid === uid && ref.controller === true) ?? false;
}

/** resourceVersions are opaque, but etcd's are increasing integers; anything else is never "newer". */
export function isNewer(candidate: LiveObject, current: LiveObject | undefined): boolean {
  if (!current) return true;
  const next = Number(candidate.metadata.resourceVersion);
  const known = Number(current.metadata.resourceVersion);
  return !Number.isFinite(next) || !Number.isFinite(known) || next >= known;
}
