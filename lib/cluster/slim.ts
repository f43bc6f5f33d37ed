// What the view keeps of an object: everything Wukong compares or reports, minus the two fields that
// make up most of a stored object and that Wukong never reads.
import type { LiveObject } from "./live";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

/**
 * Drops metadata.managedFields and kubectl's last-applied copy, in place: the watcher's own cache holds
 * the same object, so slimming in place shrinks both.
 */
export function slim<T extends LiveObject>(object: T): T {
  const metadata = object.metadata;
  delete metadata.managedFields;
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    delete metadata.annotations[LAST_APPLIED];
    if (Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  }
  return object;
}
