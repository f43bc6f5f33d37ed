// The CRD's CEL rules (x-kubernetes-validations in schemas/wukong.crd.yaml, written in schemas/spec.ts) and their
// TypeScript copies in the admission rules (schemas/rules.ts, schemas/network-rules.ts) give the same verdict on
// every fixture. The API server runs CEL before our validating webhook (after the mutating one), so the copies
// matter where no API server runs the CEL: the admission unit tests, and a denial that must list every problem.
// The CEL is evaluated by @bufbuild/cel on each spec as the API server would see it: after our defaulting.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CelScalar, celFunc, celMethod, run } from "@bufbuild/cel";
import { parse, parseAllDocuments } from "yaml";
import { withDefaults } from "../../../lib/defaults";
import type { Problem } from "../../../schemas/problems";
import { LIVE_MIGRATE_NEEDS_SHARED_DISKS, type WukongSpec } from "../../../schemas/spec";
import { bytesOf } from "../../../schemas/quantity";
import { validateWukong } from "../../../schemas/validate";
import { SEED_NAME, SEED_NAMESPACE, fullSpec, seedSpec } from "./fixtures";

interface Schema {
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
}

const crd = parse(readFileSync(join(__dirname, "../../../schemas/wukong.crd.yaml"), "utf8")) as {
  spec: { versions: { schema: { openAPIV3Schema: Schema } }[] };
};
const specSchema = crd.spec.versions[0].schema.openAPIV3Schema.properties!.spec;

interface Verdict {
  /** Where the rule applies, as admission writes field paths: spec.networks[0].ipConfig. */
  at: string;
  rule: string;
  message: string;
  passed: boolean;
}

// CEL sees JSON objects as maps: has(self.field) asks whether the key is present.
const toCel = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(toCel)
    : typeof value === "object" && value !== null
      ? new Map(Object.entries(value).map(([key, item]) => [key, toCel(item)]))
      : value;

// Kubernetes' CEL quantity library, as far as the rules use it: quantity(string) and Quantity.compareTo. A size
// quantity is a whole number of bytes (the schema's pattern and bounds), so an int stands in for the Quantity.
const quantityLibrary = {
  funcs: [
    celFunc("quantity", [CelScalar.STRING], CelScalar.INT, text => {
      const bytes = bytesOf(text);
      if (bytes === undefined) throw new Error(`not a size quantity: ${text}`);
      return bytes;
    }),
    celMethod("compareTo", CelScalar.INT, [CelScalar.INT], CelScalar.INT, function (other) {
      return this < other ? -1n : this > other ? 1n : 0n;
    }),
  ],
};

/** Every CEL rule of the schema evaluated at every place the value reaches it. */
function celVerdicts(schema: Schema, value: unknown, at: string): Verdict[] {
  if (value === undefined || value === null) return [];
  const own = (schema["x-kubernetes-validations"] ?? []).map(({ rule, message }) => ({
    at,
    rule,
    message,
    passed: run(rule, { self: toCel(value) as never }, quantityLibrary) === true,
  }));
  const nested: Verdict[] = [];
  if (Array.isArray(value) && schema.items) value.forEach((item, i) => nested.push(...celVerdicts(schema.items!, item, `${at}[${i}]`)));
  else if (typeof value === "object" && !Array.isArray(value)) {
    for (const [key, item] of Object.entries(value)) {
      const child = schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
      if (child) nested.push(...celVerdicts(child, item, `${at}.${key}`));
    }
  }
  return [...own, ...nested];
}

const reports = (problems: Problem[], path: string | RegExp, phrase: string) =>
  problems.some(problem => (typeof path === "string" ? problem.path === path : path.test(problem.path)) && problem.message.includes(phrase));
const escaped = (text: string) => text.replace(/[.[\]]/g, match => `\\${match}`);

/** Each CEL rule (by its message) and whether the TypeScript rules report the same thing at that place. */
const TYPESCRIPT_COPIES: Record<string, (problems: Problem[], at: string) => boolean> = {
  "static mode needs an address in CIDR form": (problems, at) => reports(problems, `${at}.address`, "is required for static mode"),
  "dhcp mode takes no address or gateway": (problems, at) =>
    reports(problems, `${at}.address`, "is forbidden with dhcp mode") || reports(problems, `${at}.gateway`, "is forbidden with dhcp mode"),
  'type is required (only the pod network entry "default" has none)': (problems, at) =>
    reports(problems, `${at}.type`, 'is required (only the pod network entry "default" has no type)'),
  "sriov networks need resourceName (or an existing nadName)": (problems, at) => reports(problems, `${at}.resourceName`, "is required for sriov networks"),
  "userData and userDataSecretRef are mutually exclusive": (problems, at) =>
    reports(problems, `${at}.userDataSecretRef`, "userData and userDataSecretRef are mutually exclusive"),
  "at most one disk may have boot: true": (problems, at) =>
    reports(problems, new RegExp(`^${escaped(at)}\\.disks\\[\\d+\\]\\.boot$`), "is already the boot disk"),
  "at most one network may set a gateway (one default route)": (problems, at) =>
    reports(problems, new RegExp(`^${escaped(at)}\\.networks\\[\\d+\\]\\.ipConfig\\.gateway$`), "already sets the default gateway"),
  "limits.maxCpu must be at least cpu": (problems, at) => reports(problems, `${at}.limits.maxCpu`, "limits.maxCpu must be at least cpu"),
  "limits.maxMemory must be at least memory": (problems, at) => reports(problems, `${at}.limits.maxMemory`, "limits.maxMemory must be at least memory"),
  [LIVE_MIGRATE_NEEDS_SHARED_DISKS]: (problems, at) => reports(problems, `${at}.evictionStrategy`, LIVE_MIGRATE_NEEDS_SHARED_DISKS),
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;
const seedWith = (change: (spec: Spec) => void): Spec => {
  const spec: Spec = seedSpec();
  change(spec);
  return spec;
};
const each = <T>(...options: T[]) => options;
const optional = <T>(value: T) => each<T | undefined>(undefined, value);
const compact = <T extends object>(object: T): T => Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as T;

/** Every combination of the fields the nine rules read, one rule's fields per fixture, plus the samples and the full spec. */
function fixtures(): [string, Spec][] {
  const out: [string, Spec][] = [
    ["seed", seedSpec()],
    ["full", fullSpec()],
  ];
  const samples = join(__dirname, "../../../samples");
  for (const file of readdirSync(samples).filter(name => name.endsWith(".yaml")))
    for (const document of parseAllDocuments(readFileSync(join(samples, file), "utf8"))) {
      const object = document.toJS() as { kind?: string; spec?: Spec };
      if (object?.kind === "Wukong") out.push([`samples/${file}`, object.spec]);
    }
  for (const mode of optional<string>("static").concat("dhcp"))
    for (const address of optional("10.0.0.5/24"))
      for (const gateway of optional("10.0.0.1"))
        out.push([
          `ipConfig ${JSON.stringify({ mode, address, gateway })}`,
          seedWith(s => (s.networks = [{ name: "mgmt", type: "bridge", ipConfig: compact({ mode, address, gateway }) }])),
        ]);
  for (const name of each("default", "mgmt"))
    for (const type of optional<string>("bridge").concat("sriov", "ovs"))
      for (const resourceName of optional("intel.com/sriov_netdevice"))
        for (const nadName of optional("existing-net")) {
          const network = compact({ name, type, resourceName, nadName });
          out.push([`network ${JSON.stringify(network)}`, seedWith(s => (s.networks = [network, { name: "other", type: "bridge" }]))]);
        }
  for (const userData of optional("#cloud-config\npackages: [nginx]\n"))
    for (const userDataSecretRef of optional({ name: "my-user-data" }))
      out.push([`cloudInit ${JSON.stringify({ userData, userDataSecretRef })}`, seedWith(s => (s.cloudInit = compact({ userData, userDataSecretRef })))]);
  const boots = each<boolean | undefined>(undefined, true, false);
  for (const a of boots)
    for (const b of boots)
      for (const c of boots)
        out.push([
          `boot ${JSON.stringify([a, b, c])}`,
          seedWith(s => (s.disks = [a, b, c].map((boot, i) => compact({ name: `disk${i}`, size: "10Gi", boot })))),
        ]);
  // kubevirt v1.7.4 pkg/virt-handler/vm.go checkVolumesForMigration: LiveMigrate needs every claim ReadWriteMany.
  for (const evictionStrategy of optional<string>("LiveMigrate").concat("None"))
    for (const modes of each<(string | undefined)[]>(
      [],
      [undefined],
      ["ReadWriteMany"],
      ["ReadWriteMany", "ReadWriteOnce"],
      ["ReadWriteMany", "ReadWriteMany"],
    ))
      out.push([
        `eviction ${JSON.stringify({ evictionStrategy, modes })}`,
        seedWith(s => {
          Object.assign(s, compact({ evictionStrategy }));
          s.disks = modes.map((accessMode, i) => compact({ name: `disk${i}`, size: "10Gi", boot: i === 0 || undefined, accessMode }));
        }),
      ]);
  for (let mask = 0; mask < 8; mask++)
    out.push([
      `gateways on networks ${mask.toString(2).padStart(3, "0")}`,
      seedWith(
        s =>
          (s.networks = [0, 1, 2].map(i => ({
            name: `net${i}`,
            type: "bridge",
            ipConfig: compact({ mode: "static", address: `10.${i}.0.5/24`, gateway: mask & (1 << i) ? `10.${i}.0.1` : undefined }),
          }))),
      ),
    ]);
  for (const cpu of each(1, 4, 8))
    for (const maxCpu of optional(4)) out.push([`cpu ${cpu} maxCpu ${maxCpu}`, seedWith(s => ((s.cpu = cpu), (s.limits = compact({ maxCpu }))))]);
  for (const memory of each("1Gi", "4Gi", "4096Mi", "5Gi"))
    for (const maxMemory of optional("4Gi"))
      out.push([`memory ${memory} maxMemory ${maxMemory}`, seedWith(s => ((s.memory = memory), (s.limits = compact({ maxMemory }))))]);
  return out;
}

describe("the CRD's CEL rules and their TypeScript copies", () => {
  const results = fixtures().flatMap(([fixture, raw]) => {
    const spec = withDefaults({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec: raw as WukongSpec });
    const problems = validateWukong({ name: SEED_NAME, spec });
    return celVerdicts(specSchema, spec, "spec").map(verdict => ({
      fixture,
      ...verdict,
      typescript: !TYPESCRIPT_COPIES[verdict.message]?.(problems, verdict.at),
    }));
  });

  it("every CEL rule of the Wukong CRD has its TypeScript copy listed here", () => {
    const rules = new Set(results.map(result => result.message));
    expect(rules.size).toBe(10);
    expect([...rules].filter(message => !(message in TYPESCRIPT_COPIES))).toEqual([]);
  });

  it("each rule passes on some fixture and fails on another (the fixtures exercise both verdicts)", () => {
    for (const message of Object.keys(TYPESCRIPT_COPIES)) {
      const verdicts = new Set(results.filter(result => result.message === message).map(result => result.passed));
      expect({ message, verdicts: [...verdicts].sort() }).toEqual({ message, verdicts: [false, true] });
    }
  });

  it("CEL and TypeScript agree on every fixture, at every place each rule applies", () => {
    const disagreements = results
      .filter(result => result.passed !== result.typescript)
      .map(
        ({ fixture, at, message, passed }) =>
          `${fixture}: ${at}: CEL ${passed ? "passes" : "fails"} "${message}", TypeScript ${passed ? "reports it" : "does not"}`,
      );
    expect(disagreements).toEqual([]);
  });
});
