// Kubernetes resource quantities ("8Gi", "512Mi", "1G").
// The grammar check is the apiserver's own (resource.Quantity); the conversion is client-node's.
import { quantityToScalar } from "@kubernetes/client-node/dist/util.js";

/** The regular expression Kubernetes publishes for resource.Quantity in its OpenAPI schema. */
export const QUANTITY_PATTERN = "^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$";
const quantityRegExp = new RegExp(QUANTITY_PATTERN);

export const Mi = 1024n ** 2n;
export const Gi = 1024n ** 3n;
export const Ti = 1024n ** 4n;

const SUFFIX_BYTES: Record<string, bigint> = {
  Ki: 1024n,
  Mi,
  Gi,
  Ti,
  Pi: 1024n ** 5n,
  Ei: 1024n ** 6n,
  k: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
};

/**
 * Whole bytes of a size quantity, or undefined when it is not one:
 * not a quantity, negative, fractional or in milli-units.
 */
export function bytesOf(quantity: string): bigint | undefined {
  if (typeof quantity !== "string" || !quantityRegExp.test(quantity) || quantity.startsWith("-")) return undefined;
  // client-node converts suffixed quantities with BigInt(mantissa), which throws on "1.5Gi": do those exactly here.
  const fractional = /^\+?([0-9]*)\.([0-9]*)([KMGTPE]i|[kMGTPE])$/.exec(quantity);
  if (fractional) {
    const [, whole, fraction, suffix] = fractional;
    const scaled = BigInt(whole + fraction || "0") * SUFFIX_BYTES[suffix];
    const divisor = 10n ** BigInt(fraction.length);
    return scaled % divisor === 0n ? scaled / divisor : undefined;
  }
  try {
    const value = quantityToScalar(quantity.replace(/^\+/, ""));
    if (typeof value === "bigint") return value;
    return Number.isInteger(value) && value >= 0 ? BigInt(value) : undefined;
  } catch {
    return undefined;
  }
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
