// Wording helpers for status messages and condition reasons.

// Child messages can be whole pod event dumps; the status line stays readable in `kubectl get`.
const MAX_DETAIL = 256;

/** One sentence: whitespace collapsed, exactly one final period. */
export function sentence(text: string): string {
  const flat = text
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.\s]+$/, "");
  return `${flat}.`;
}

/** A child's own message as a clause inside our sentence. */
export function detail(text: string | undefined): string {
  const flat = (text ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[.\s]+$/, "");
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL - 1)}…` : flat;
}

/** An image URL without credentials or query: user:password@ and presigned tokens must not reach status. */
export function safeUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, "$1").replace(/[?#].*$/, "");
}

/** A metav1.Condition reason (CamelCase, letters first) made from a child's free-form reason. */
export function camelReason(raw: string | undefined, fallback: string): string {
  const words = (raw ?? "").split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map(word => word[0].toUpperCase() + word.slice(1)).join("");
  return /^[A-Za-z]/.test(joined) ? joined : fallback;
}
