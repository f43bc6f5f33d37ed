// Kubernetes resource quantities ("8Gi", "512Mi", "1G", "5e9").
// The grammar is the apiserver's own (resource.Quantity's OpenAPI pattern); the conversion to bytes is exact, in
// BigInt, as resource.Quantity's is (k8s.io/apimachinery/pkg/api/resource/quantity.go).

/** The regular expression Kubernetes publishes for resource.Quantity in its OpenAPI schema. */
export const QUANTITY_PATTERN = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const quantityRegExp = new RegExp(QUANTITY_PATTERN);

export const Mi = 1024n ** 2n;
export const Gi = 1024n ** 3n;
export const Ti = 1024n ** 4n;

const BINARY_BYTES: Record<string, bigint> = { Ki: 1024n, Mi, Gi, Ti, Pi: 1024n ** 5n, Ei: 1024n ** 6n };
const DECIMAL_EXPONENT: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
/** resource.Quantity holds at most an int64 of bytes. */
const MAX_BYTES = 2n ** 63n - 1n;
const PARTS = /^\+?([0-9]*)(?:\.([0-9]*))?(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?[0-9]+))?$/;

/**
 * Whole bytes of a size quantity, or undefined when it is not one:
 * not a quantity, negative, fractional, in milli-units or beyond int64.
 */
export function bytesOf(quantity: string): bigint | undefined {
  if (typeof quantity !== "string" || !quantityRegExp.test(quantity) || quantity.startsWith("-")) return undefined;
  const parts = PARTS.exec(quantity);
  if (!parts) return undefined;
  const [, whole, fraction = "", binary, decimal, exponent] = parts;
  // The value is digits × 10^-fraction.length × the suffix's factor.
  let numerator = BigInt(whole + fraction || "0") * (binary ? BINARY_BYTES[binary] : 1n);
  let denominator = 10n ** BigInt(fraction.length);
  const power = decimal ? DECIMAL_EXPONENT[decimal] : Number(exponent ?? 0);
  if (Math.abs(power) > 40) return undefined; // far beyond int64 either way; spares computing 10^huge
  if (power >= 0) numerator *= 10n ** BigInt(power);
  else denominator *= 10n ** BigInt(-power);
  if (numerator % denominator !== 0n) return undefined;
  const bytes = numerator / denominator;
  return bytes <= MAX_BYTES ? bytes : undefined;
}

/** A short human form for messages: "1Mi", "2.5Gi". */
export function formatBytes(bytes: bigint): string {
  const units: [string, bigint][] = [
    ["Ti", Ti],
    ["Gi", Gi],
    ["Mi", Mi],
    ["Ki", 1024n],
  ];
  for (const [suffix, size] of units) {
    if (bytes >= size) {
      const value = Number((bytes * 100n) / size) / 100;
      return `${value}${suffix}`;
    }
  }
  return `${bytes}`;
}
