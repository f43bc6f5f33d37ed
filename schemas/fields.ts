// Field types shared by the spec and status schemas; each carries the message admission shows.
import ipaddr from "ipaddr.js";
import { z } from "zod";
import { QUANTITY_PATTERN, bytesOf, formatBytes } from "./quantity";

const quantityRegExp = new RegExp(QUANTITY_PATTERN);

/** `.meta()` argument carrying the description `kubectl explain` shows. */
export const d = (description: string) => ({ description });

/** A list keyed by its items' name, in the CRD (a structural-schema extra zod cannot express). */
export const listMap = { "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] };

export const DNS1123_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
export const DNS1123_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
export const MAC_PATTERN = "^([0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2}$";
export const IMAGE_PATTERN = "^(docker://|oci-archive:|https?://)\\S+$";

export const dnsLabel = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(63, `${what} must be at most 63 characters`)
    .regex(new RegExp(DNS1123_LABEL), `${what} must be a DNS-1123 label: lower-case letters, digits and '-', starting and ending with a letter or digit`);

export const objectName = (what: string) =>
  z
    .string()
    .min(1, `${what} must not be empty`)
    .max(253, `${what} must be at most 253 characters`)
    .regex(new RegExp(DNS1123_SUBDOMAIN), `${what} must be a DNS-1123 subdomain: lower-case letters, digits, '-' and '.'`);

/** A size quantity at least `minimum` bytes: "80Gi", "512Mi". */
export const sizeQuantity = (minimum: bigint, maximum: bigint) =>
  z
    .string()
    .max(64, "must be a Kubernetes quantity such as 8Gi")
    .superRefine((value, ctx) => {
      const bytes = bytesOf(value);
      if (!quantityRegExp.test(value)) {
        ctx.addIssue({
          code: "custom",
          message: "must be a Kubernetes quantity such as 8Gi or 512Mi (binary suffixes Ki, Mi, Gi, Ti; '8GB' is not a quantity)",
        });
      } else if (bytes === undefined) {
        ctx.addIssue({ code: "custom", message: "must be a whole, non-negative number of bytes such as 8Gi" });
      } else if (bytes < minimum) {
        ctx.addIssue({ code: "custom", message: `must be at least ${formatBytes(minimum)}` });
      } else if (bytes > maximum) {
        ctx.addIssue({ code: "custom", message: `must be at most ${formatBytes(maximum)}` });
      }
    })
    .meta({ pattern: QUANTITY_PATTERN });

// ipaddr.js also parses "192.168.1.010" (octal), "0xc0.168.1.1", "3232235777" and IPv6 zones ("fe80::1%eth0"):
// the guest's cloud-init would reject or misread those, so only dotted-decimal IPv4 and zone-less IPv6 pass.
const plainIp = (value: string) => ipaddr.IPv4.isValidFourPartDecimal(value) || (ipaddr.IPv6.isValid(value) && !value.includes("%"));

export const ipAddress = z
  .string()
  .max(45, "must be an IPv4 or IPv6 address")
  .refine(value => plainIp(value) && !value.includes("/"), "must be an IPv4 or IPv6 address such as 192.168.100.1");

/** A host address with its prefix length, like 192.168.100.10/24: not the network or broadcast address. */
export const hostCidr = z
  .string()
  .max(49, "must be an address in CIDR form such as 192.168.100.10/24")
  .superRefine((value, ctx) => {
    let address: ipaddr.IPv4 | ipaddr.IPv6;
    let prefix: number;
    try {
      const [host, bits, ...rest] = value.split("/");
      if (rest.length > 0 || !plainIp(host) || !/^[0-9]{1,3}$/.test(bits ?? "")) throw new Error("not plain CIDR");
      [address, prefix] = ipaddr.parseCIDR(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "must be an address in CIDR form such as 192.168.100.10/24" });
      return;
    }
    const isV4 = address.kind() === "ipv4";
    if (prefix >= (isV4 ? 31 : 127)) return; // point-to-point and host prefixes have no reserved addresses
    const host = address.toString();
    const network = isV4 ? ipaddr.IPv4.networkAddressFromCIDR(value).toString() : networkOfIPv6(address as ipaddr.IPv6, prefix);
    if (host === network) {
      ctx.addIssue({ code: "custom", message: `${host} is the network address of ${network}/${prefix}: use a host address` });
    } else if (isV4 && host === ipaddr.IPv4.broadcastAddressFromCIDR(value).toString()) {
      ctx.addIssue({ code: "custom", message: `${host} is the broadcast address of ${network}/${prefix}: use a host address` });
    }
  });

function networkOfIPv6(address: ipaddr.IPv6, prefix: number): string {
  const bytes = address.toByteArray();
  for (let bit = prefix; bit < 128; bit++) bytes[bit >> 3] &= ~(0x80 >> (bit & 7));
  return ipaddr.fromByteArray(bytes).toString();
}

export const macAddress = z
  .string()
  .regex(new RegExp(MAC_PATTERN), "must be a MAC address such as 02:00:00:00:00:01")
  .refine(value => (parseInt(value.slice(0, 2), 16) & 1) === 0, "must be a unicast MAC address (the lowest bit of the first octet must be 0)");

export const imageUrl = z
  .string()
  .max(2048, "must be at most 2048 characters")
  .regex(new RegExp(IMAGE_PATTERN), "must start with docker://, oci-archive: or http(s):// (CDI imports registry images and HTTP URLs)");

/** Label keys: an optional DNS subdomain prefix and a name, as Kubernetes accepts them. */
export const labelKey = z
  .string()
  .max(317, "must be a label key such as node-role.kubernetes.io/worker")
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a label key such as node-role.kubernetes.io/worker",
  );

export const labelValue = z
  .string()
  .max(63, "must be a label value of at most 63 characters")
  .regex(
    /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/,
    "must be a label value: letters, digits, '-', '_' and '.', starting and ending with a letter or digit",
  );

/** A Linux interface name (IFNAMSIZ leaves 15 characters); "." and ".." are not names. */
export const interfaceName = z
  .string()
  .min(1, "must not be empty")
  .max(15, "must be at most 15 characters (a Linux interface name)")
  .regex(/^[A-Za-z0-9][-A-Za-z0-9_.]*$/, "must be a Linux interface name: letters, digits, '-', '_' and '.'");

/** An extended resource name: a DNS subdomain prefix, '/', and a qualified-name part, e.g. nvidia.com/gpu. */
export const resourceName = z
  .string()
  .max(317, "must be a resource name such as nvidia.com/gpu")
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
    "must be a qualified resource name with a domain prefix, such as nvidia.com/gpu",
  );
