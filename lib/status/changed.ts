// What of a status must be written: a semantic comparison, so a Wukong whose status is already right (including
// right after our own status patch re-triggers the watch) causes no write, and a write carries only what changed.
import type { WukongStatus } from "../../schemas/status";

/**
 * The merge patch that turns `current` into `next`: each top-level field that differs, with `next`'s value, and
 * each field `next` no longer has as null (a merge patch keeps what it does not mention). Empty when nothing
 * differs. Works for any of our statuses (a WukongSnapshot's has no conditions).
 */
export function statusChanges<S extends object>(current: S | undefined, next: S): Record<string, unknown> {
  const before = normalize(current ?? {}) as Record<string, unknown>;
  const after = normalize(next) as Record<string, unknown>;
  const wanted = next as Record<string, unknown>;
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter(key => !same(before[key], after[key]));
  return Object.fromEntries(changed.map(key => [key, mergeValue((current as Record<string, unknown> | undefined)?.[key], wanted[key])]));
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** `next` as a merge-patch value over `before`: a nested object merges, so a key it no longer has must be sent as null. */
function mergeValue(before: unknown, next: unknown): unknown {
  if (next == null) return null;
  if (!isPlainObject(before) || !isPlainObject(next)) return next;
  const gone = Object.keys(before).filter(key => next[key] == null && before[key] != null);
  return {
    ...Object.fromEntries(gone.map(key => [key, null])),
    ...Object.fromEntries(Object.entries(next).map(([key, value]) => [key, mergeValue(before[key], value)])),
  };
}

export function statusNeedsWrite<S extends object>(current: S | undefined, next: S): boolean {
  return Object.keys(statusChanges(current, next)).length > 0;
}

// Conditions are a list-map keyed by type: the API server may hand them back in another order.
function normalize(status: Pick<WukongStatus, "conditions"> & object): Pick<WukongStatus, "conditions"> {
  const conditions = status.conditions && [...status.conditions].sort((a, b) => a.type.localeCompare(b.type));
  return { ...status, conditions };
}

// Absent, undefined and null are the same (JSON and merge patches drop them); object key order is not significant.
function same(a: unknown, b: unknown): boolean {
  if (a === b || (a == null && b == null)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => same(item, b[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  return [...new Set([...Object.keys(left), ...Object.keys(right)])].every(key => same(left[key], right[key]));
}
