// Compares current and desired status so that the simulator writes only when something changed,
// and turns the difference into a JSON merge patch (removed fields become null).

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  // A key holding undefined is the same as an absent key (JSON drops both).
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * A JSON merge patch turning `current` into exactly `desired` (fields missing from `desired` are
 * nulled, nested objects are diffed, arrays are replaced whole), or undefined when nothing differs.
 */
export function replacePatch(current: unknown, desired: Record<string, unknown>): Record<string, unknown> | undefined {
  const cur = isPlainObject(current) ? current : {};
  const patch: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(desired)) {
    if (v === undefined || deepEqual(cur[k], v)) continue;
    const nested = isPlainObject(v) && isPlainObject(cur[k]) ? replacePatch(cur[k], v) : undefined;
    patch[k] = nested ?? v;
  }
  for (const k of Object.keys(cur)) if (desired[k] === undefined && cur[k] !== undefined && cur[k] !== null) patch[k] = null;
  return Object.keys(patch).length ? patch : undefined;
}
