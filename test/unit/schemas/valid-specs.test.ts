// Valid specs are admitted as written and after defaulting, with zero problems.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { withDefaults } from "../../../lib/defaults";
import { formatProblems } from "../../../schemas/problems";
import { CloudInitUser, Disk, HighAvailability, Toleration, WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import type { WukongSpecInput } from "../../../schemas/wukong";
import { SEED_NAME, SEED_NAMESPACE, fullSpec, seedSpec } from "./fixtures";
import { IpConfig, Network } from "../../../schemas/networks/network";

const problemsOf = (spec: unknown, name = SEED_NAME) => formatProblems(validateWukong({ name, spec }));
const defaulted = (spec: WukongSpecInput) => withDefaults({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec: spec as WukongSpec });

const withStatic = (ipConfig: NonNullable<WukongSpecInput["networks"]>[number]["ipConfig"]): WukongSpecInput => ({
  ...seedSpec(),
  networks: [{ name: "mgmt", type: "bridge", ipConfig }],
});

describe("valid specs", () => {
  it.each([
    ["seed example", seedSpec],
    ["full-featured spec", fullSpec],
  ])("%s is valid as written and after withDefaults", (_, make) => {
    expect(problemsOf(make())).toBe("");
    expect(problemsOf(defaulted(make()))).toBe("");
  });

  it("the full-featured spec really uses every spec field", () => {
    const spec = fullSpec();
    const fieldsOf = (shape: object) => Object.keys(shape).sort();
    // Keys of the zod shapes: a new field that the full example does not use fails here.
    expect(Object.keys(spec).sort()).toEqual(fieldsOf(WukongSpec.shape));
    expect([...new Set(spec.networks!.flatMap(n => Object.keys(n)))].sort()).toEqual(fieldsOf(Network.shape));
    expect([...new Set(spec.networks!.flatMap(n => Object.keys(n.ipConfig ?? {})))].sort()).toEqual(fieldsOf(IpConfig.shape));
    expect([...new Set(spec.disks!.flatMap(d => Object.keys(d)))].sort()).toEqual(fieldsOf(Disk.shape));
    // password is exclusive with passwordHash, so the full example uses the hash only.
    expect(Object.keys(spec.cloudInitUser!).sort()).toEqual(fieldsOf(CloudInitUser.shape).filter(k => k !== "password"));
    expect(Object.keys(spec.highAvailability!).sort()).toEqual(fieldsOf(HighAvailability.shape));
    expect([...new Set(spec.highAvailability!.tolerations!.flatMap(t => Object.keys(t)))].sort()).toEqual(fieldsOf(Toleration.shape));
    expect(spec.disks!.map(d => d.image?.split(/:\/\/|:/)[0])).toEqual(["docker", "oci-archive", "https", undefined]);
    expect(spec.networks!.map(n => n.type)).toEqual(["bridge", "ovs", "sriov", "bridge"]);
  });

  it("accepts a static IPv6 address with an IPv6 gateway", () => {
    expect(problemsOf(withStatic({ mode: "static", address: "2001:db8:100::10/64", gateway: "2001:db8:100::1", dnsServers: ["2001:4860:4860::8888"] }))).toBe(
      "",
    );
  });

  it.each(["10.0.0.0/31", "10.0.0.1/31", "10.0.0.7/32", "2001:db8::/127", "2001:db8::5/128"])("accepts the point-to-point / host address %s", address => {
    expect(problemsOf(withStatic({ mode: "static", address }))).toBe("");
  });

  it("accepts a gateway on a /31 link", () => {
    expect(problemsOf(withStatic({ mode: "static", address: "10.0.0.0/31", gateway: "10.0.0.1" }))).toBe("");
  });

  it.each(["1.5Gi", "128Mi", "0.5Ti", "8G", "2147483648"])("accepts memory %s (fractional and decimal quantities included)", memory => {
    expect(problemsOf({ ...seedSpec(), memory })).toBe("");
  });

  it("accepts an osImage-only spec once defaulting has added its boot disk", () => {
    const spec: WukongSpecInput = { cpu: 2, memory: "2Gi", osImage: "https://cloud-images.example.com/noble.qcow2" };
    expect(problemsOf(defaulted(spec))).toBe("");
  });

  it("accepts a Wukong name of 53 characters (the cloud-init Secret name is exactly 63)", () => {
    expect(problemsOf({ ...seedSpec(), networks: [], disks: [{ name: "os", size: "1Gi", boot: true }] }, "w".repeat(53))).toBe("");
  });

  describe("samples/", () => {
    const dir = join(__dirname, "../../../samples");
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const wukongs: [string, any][] = readdirSync(dir)
      .filter(file => file.endsWith(".yaml"))
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed YAML documents
      .flatMap(file => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map(doc => [file, doc.toJS()] as [string, any]))
      .filter(([, object]) => object?.kind === "Wukong");

    it("has Wukong samples", () => {
      expect(wukongs.length).toBeGreaterThan(0);
    });

    it.each(wukongs.map(([file, object]) => [`${file} ${object.metadata?.name}`, object]))("%s is valid after defaulting", (_, object) => {
      const spec = withDefaults({ namespace: object.metadata.namespace ?? "default", name: object.metadata.name, spec: object.spec });
      expect(formatProblems(validateWukong({ name: object.metadata.name, spec }))).toBe("");
    });
  });
});
