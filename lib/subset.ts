// Whether a live object already holds everything we would apply: extra fields (server defaults, other
// managers' fields, status) are ignored, so an unchanged child costs no write.
export function containsDesired(live: unknown, desired: unknown): boolean {
  if (desired === undefined) return true;
  if (Array.isArray(desired)) {
    return Array.isArray(live) && live.length === desired.length && desired.every((item, i) => containsDesired(live[i], item));
  }
  if (desired !== null && typeof desired === "object") {
    if (live === null || typeof live !== "object" || Array.isArray(live)) return false;
    return Object.entries(desired).every(([key, value]) => containsDesired((live as Record<string, unknown>)[key], value));
  }
  return live === desired;
}
