// Invalid specs: each is denied with the exact field path and a message that says what is wrong.
import { formatProblems, type Problem } from "../../../schemas/problems";
import { validateWukong } from "../../../schemas/validate";
import { SEED_NAME, seedSpec } from "./fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Spec = any;

/** The seed with one change applied: every case below breaks exactly one thing. */
const seedWith = (change: (spec: Spec) => void): Spec => {
  const spec: Spec = seedSpec();
  change(spec);
  return spec;
};
const withNetworks = (...networks: Spec[]) => seedWith(spec => (spec.networks = networks));
const withIpConfig = (ipConfig: Spec) => withNetworks({ name: "mgmt", type: "bridge", ipConfig });
const withDisks = (...disks: Spec[]) => seedWith(spec => (spec.disks = disks));
const withToleration = (toleration: Spec) => seedWith(spec => (spec.highAvailability = { tolerations: [toleration] }));
const withStart = (startStrategy: Spec, highAvailability?: Spec) =>
  seedWith(spec => {
    spec.startStrategy = startStrategy;
    if (highAvailability) spec.highAvailability = highAvailability;
  });

interface Case {
  what: string;
  spec: unknown;
  path: string;
  phrase: string;
  name?: string;
}

const cases: Case[] = [
  // cpu
  { what: "cpu 0", spec: seedWith(s => (s.cpu = 0)), path: "spec.cpu", phrase: "at least 1" },
  { what: "cpu 1.5", spec: seedWith(s => (s.cpu = 1.5)), path: "spec.cpu", phrase: "integer" },
  { what: 'cpu "4" (a string)', spec: seedWith(s => (s.cpu = "4")), path: "spec.cpu", phrase: "must be a number" },
  { what: "cpu 257", spec: seedWith(s => (s.cpu = 257)), path: "spec.cpu", phrase: "at most 256" },
  { what: "cpu missing", spec: seedWith(s => delete s.cpu), path: "spec.cpu", phrase: "is required" },
  // memory
  { what: 'memory "8GB"', spec: seedWith(s => (s.memory = "8GB")), path: "spec.memory", phrase: "Kubernetes quantity" },
  { what: 'memory "lots"', spec: seedWith(s => (s.memory = "lots")), path: "spec.memory", phrase: "Kubernetes quantity" },
  { what: 'memory "-8Gi"', spec: seedWith(s => (s.memory = "-8Gi")), path: "spec.memory", phrase: "non-negative" },
  { what: 'memory "64Mi" (below 128Mi)', spec: seedWith(s => (s.memory = "64Mi")), path: "spec.memory", phrase: "at least 128Mi" },
  { what: "memory 5 (a number)", spec: seedWith(s => (s.memory = 5)), path: "spec.memory", phrase: "must be a string" },
  { what: "memory missing", spec: seedWith(s => delete s.memory), path: "spec.memory", phrase: "is required" },
  // the spec itself
  { what: "spec is a string", spec: "cpu: 4", path: "spec", phrase: "must be an object" },
  { what: "spec is null", spec: null, path: "spec", phrase: "must be an object" },
  { what: "spec is an array", spec: [seedSpec()], path: "spec", phrase: "must be an object" },
  { what: "unknown field", spec: seedWith(s => (s.colour = "red")), path: "spec", phrase: 'unknown field "colour"' },
  { what: "unknown field in a network", spec: seedWith(s => (s.networks[0].mtu = 9000)), path: "spec.networks[0]", phrase: 'unknown field "mtu"' },
  // network names and types
  { what: "network name upper-case", spec: seedWith(s => (s.networks[0].name = "Mgmt")), path: "spec.networks[0].name", phrase: "DNS-1123 label" },
  { what: "network name unicode", spec: seedWith(s => (s.networks[0].name = "ü")), path: "spec.networks[0].name", phrase: "DNS-1123 label" },
  {
    what: "network name 64 characters",
    spec: seedWith(s => (s.networks[0].name = "n".repeat(64))),
    path: "spec.networks[0].name",
    phrase: "at most 63 characters",
  },
  { what: 'network name "pod" (reserved)', spec: seedWith(s => (s.networks[0].name = "pod")), path: "spec.networks[0].name", phrase: "reserved" },
  {
    what: "duplicate network name",
    spec: withNetworks({ name: "mgmt", type: "bridge" }, { name: "mgmt", type: "ovs" }),
    path: "spec.networks[1].name",
    phrase: 'duplicates spec.networks[0].name "mgmt"',
  },
  { what: "type macvlan", spec: seedWith(s => (s.networks[0].type = "macvlan")), path: "spec.networks[0].type", phrase: "KubeVirt" },
  { what: 'type "foo"', spec: seedWith(s => (s.networks[0].type = "foo")), path: "spec.networks[0].type", phrase: "one of bridge, sriov, ovs" },
  { what: "vlanId 0", spec: seedWith(s => (s.networks[0].vlanId = 0)), path: "spec.networks[0].vlanId", phrase: "between 1 and 4094" },
  { what: "vlanId 4095", spec: seedWith(s => (s.networks[0].vlanId = 4095)), path: "spec.networks[0].vlanId", phrase: "between 1 and 4094" },
  { what: 'vlanId "100" (a string)', spec: seedWith(s => (s.networks[0].vlanId = "100")), path: "spec.networks[0].vlanId", phrase: "must be a number" },
  // ipConfig
  { what: "static without address", spec: withIpConfig({ mode: "static" }), path: "spec.networks[0].ipConfig.address", phrase: "required for static mode" },
  {
    what: "dhcp with address",
    spec: withIpConfig({ mode: "dhcp", address: "192.168.1.10/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "forbidden with dhcp",
  },
  {
    what: "default (dhcp) mode with address",
    spec: withIpConfig({ address: "192.168.1.10/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "forbidden with dhcp",
  },
  {
    what: "dhcp with gateway",
    spec: withIpConfig({ mode: "dhcp", gateway: "192.168.1.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "forbidden with dhcp",
  },
  { what: "address not CIDR", spec: withIpConfig({ mode: "static", address: "192.168.1.10" }), path: "spec.networks[0].ipConfig.address", phrase: "CIDR form" },
  {
    what: "address with an octal octet",
    spec: withIpConfig({ mode: "static", address: "192.168.100.010/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "address as one integer",
    spec: withIpConfig({ mode: "static", address: "3232261130/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "IPv6 address with a zone",
    spec: withIpConfig({ mode: "static", address: "fe80::5%eth0/64" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "gateway in hex notation",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "0xc0.168.100.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "IPv4 or IPv6 address",
  },
  {
    what: "network address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.0/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "network address",
  },
  {
    what: "broadcast address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.255/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "broadcast address",
  },
  {
    what: "IPv6 subnet-router address",
    spec: withIpConfig({ mode: "static", address: "2001:db8::/64" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "network address",
  },
  {
    what: "gateway outside the subnet",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "192.168.101.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "outside the subnet",
  },
  {
    what: "IPv6 gateway with an IPv4 address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "fd00::1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "same family",
  },
  {
    what: "gateway is the VM's own address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "192.168.100.10" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "own address",
  },
  {
    what: "dnsServers with a hostname",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", dnsServers: ["1.1.1.1", "dns.google"] }),
    path: "spec.networks[0].ipConfig.dnsServers[1]",
    phrase: "IPv4 or IPv6 address",
  },
  {
    what: "4 dnsServers",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", dnsServers: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"] }),
    path: "spec.networks[0].ipConfig.dnsServers",
    phrase: "at most 3 DNS servers",
  },
  {
    what: "two networks with gateways",
    spec: withNetworks(
      { name: "a", type: "bridge", ipConfig: { mode: "static", address: "10.0.0.10/24", gateway: "10.0.0.1" } },
      { name: "b", type: "bridge", vlanId: 2, ipConfig: { mode: "static", address: "10.0.1.10/24", gateway: "10.0.1.1" } },
    ),
    path: "spec.networks[1].ipConfig.gateway",
    phrase: "only one network may set one",
  },
  // per-type fields
  {
    what: "sriov without resourceName",
    spec: withNetworks({ name: "fast", type: "sriov" }),
    path: "spec.networks[0].resourceName",
    phrase: "required for sriov",
  },
  {
    what: "resourceName on a bridge network",
    spec: withNetworks({ name: "mgmt", type: "bridge", resourceName: "intel.com/sriov_netdevice" }),
    path: "spec.networks[0].resourceName",
    phrase: "only to sriov",
  },
  {
    what: "bridgeName on sriov",
    spec: withNetworks({ name: "fast", type: "sriov", resourceName: "intel.com/sriov_netdevice", bridgeName: "br0" }),
    path: "spec.networks[0].bridgeName",
    phrase: "does not apply to sriov",
  },
  {
    what: "nadName with vlanId",
    spec: withNetworks({ name: "mgmt", type: "bridge", nadName: "existing", vlanId: 10 }),
    path: "spec.networks[0].vlanId",
    phrase: "cannot be combined with nadName",
  },
  {
    what: "bridgeName of 16 characters",
    spec: seedWith(s => (s.networks[0].bridgeName = "b".repeat(16))),
    path: "spec.networks[0].bridgeName",
    phrase: "at most 15 characters",
  },
  // MACs
  { what: "bad MAC", spec: seedWith(s => (s.networks[0].macAddress = "02:00:00:00:00")), path: "spec.networks[0].macAddress", phrase: "MAC address" },
  { what: "multicast MAC", spec: seedWith(s => (s.networks[0].macAddress = "01:00:5e:00:00:01")), path: "spec.networks[0].macAddress", phrase: "unicast" },
  {
    what: "duplicate MACs (case-insensitive)",
    spec: withNetworks({ name: "a", type: "bridge", macAddress: "02:AA:00:00:00:01" }, { name: "b", type: "ovs", macAddress: "02:aa:00:00:00:01" }),
    path: "spec.networks[1].macAddress",
    phrase: "duplicates spec.networks[0].macAddress",
  },
  // disks
  { what: 'disk size "0.5Ki"', spec: seedWith(s => (s.disks[0].size = "0.5Ki")), path: "spec.disks[0].size", phrase: "at least 1Mi" },
  { what: 'disk size "1Ki"', spec: seedWith(s => (s.disks[0].size = "1Ki")), path: "spec.disks[0].size", phrase: "at least 1Mi" },
  { what: 'disk size "80GB"', spec: seedWith(s => (s.disks[0].size = "80GB")), path: "spec.disks[0].size", phrase: "Kubernetes quantity" },
  {
    what: "duplicate disk name",
    spec: withDisks({ name: "system", size: "1Gi", boot: true }, { name: "system", size: "2Gi" }),
    path: "spec.disks[1].name",
    phrase: 'duplicates spec.disks[0].name "system"',
  },
  { what: 'disk named "cloudinitdisk"', spec: seedWith(s => (s.disks[0].name = "cloudinitdisk")), path: "spec.disks[0].name", phrase: "reserved" },
  {
    what: "two boot disks",
    spec: withDisks({ name: "a", size: "1Gi", boot: true }, { name: "b", size: "1Gi", boot: true }),
    path: "spec.disks[1].boot",
    phrase: "already the boot disk",
  },
  { what: "no disks and no osImage", spec: seedWith(s => delete s.disks), path: "spec.disks", phrase: "at least one disk" },
  { what: "empty disks and no osImage", spec: withDisks(), path: "spec.disks", phrase: "at least one disk" },
  {
    what: 'image "ftp://x"',
    spec: seedWith(s => (s.disks[0].image = "ftp://x")),
    path: "spec.disks[0].image",
    phrase: "docker://, oci-archive: or http(s)://",
  },
  {
    what: "osImage without scheme",
    spec: seedWith(s => (s.osImage = "quay.io/containerdisks/ubuntu:24.04")),
    path: "spec.osImage",
    phrase: "docker://, oci-archive: or http(s)://",
  },
  // cloud-init
  {
    what: "userData with userDataSecretRef",
    spec: seedWith(s => (s.cloudInit = { userData: "packages: [nginx]", userDataSecretRef: { name: "ud" } })),
    path: "spec.cloudInit.userDataSecretRef",
    phrase: "mutually exclusive",
  },
  {
    what: "userData not YAML",
    spec: seedWith(s => (s.cloudInit = { userData: "packages: [nginx\nruncmd: {" })),
    path: "spec.cloudInit.userData",
    phrase: "YAML",
  },
  {
    what: "userData a YAML list",
    spec: seedWith(s => (s.cloudInit = { userData: "- apt update\n- apt upgrade\n" })),
    path: "spec.cloudInit.userData",
    phrase: "mapping",
  },
  {
    what: "password and passwordHash",
    spec: seedWith(s => (s.cloudInitUser = { name: "ops", password: "secret", passwordHash: "$6$x$y" })),
    path: "spec.cloudInitUser.password",
    phrase: "not both",
  },
  {
    what: "shell not absolute",
    spec: seedWith(s => (s.cloudInitUser = { name: "ops", shell: "bash" })),
    path: "spec.cloudInitUser.shell",
    phrase: "absolute path",
  },
  // placement
  {
    what: "toleration Exists with a value",
    spec: withToleration({ key: "k", operator: "Exists", value: "v" }),
    path: "spec.highAvailability.tolerations[0].value",
    phrase: "empty when operator is Exists",
  },
  {
    what: "tolerationSeconds without NoExecute",
    spec: withToleration({ key: "k", operator: "Exists", effect: "NoSchedule", tolerationSeconds: 60 }),
    path: "spec.highAvailability.tolerations[0].tolerationSeconds",
    phrase: "only with effect NoExecute",
  },
  {
    what: "Equal toleration without key",
    spec: withToleration({ operator: "Equal", value: "v" }),
    path: "spec.highAvailability.tolerations[0].key",
    phrase: "required unless operator is Exists",
  },
  {
    what: "nodeSelector with a bad key",
    spec: seedWith(s => (s.highAvailability = { nodeSelector: { "bad key!": "x" } })),
    path: "spec.highAvailability.nodeSelector.bad key!",
    phrase: "label key",
  },
  // start strategy
  { what: 'runStrategy "Sometimes"', spec: withStart({ runStrategy: "Sometimes" }), path: "spec.startStrategy.runStrategy", phrase: "RerunOnFailure" },
  {
    what: "autoStart false with runStrategy Always",
    spec: withStart({ autoStart: false, runStrategy: "Always" }),
    path: "spec.startStrategy.autoStart",
    phrase: "contradicts runStrategy Always",
  },
  {
    what: "autoStart true with runStrategy Halted",
    spec: withStart({ autoStart: true, runStrategy: "Halted" }),
    path: "spec.startStrategy.autoStart",
    phrase: "contradicts runStrategy Halted",
  },
  {
    what: "restartPolicy Never with runStrategy Always",
    spec: withStart({ runStrategy: "Always" }, { restartPolicy: "Never" }),
    path: "spec.highAvailability.restartPolicy",
    phrase: "Never means runStrategy Once",
  },
  // names of generated children
  { what: "<name>-cloudinit over 63 characters", name: "w".repeat(54), spec: seedSpec(), path: "metadata.name", phrase: "cloud-init Secret" },
  {
    what: "<wukong>-<network> over 63 characters",
    name: "w".repeat(48),
    spec: seedWith(s => (s.networks[0].name = "n".repeat(15))),
    path: "spec.networks[0].name",
    phrase: "NetworkAttachmentDefinition name",
  },
  // size and garbage
  {
    what: "10,000 networks",
    spec: withNetworks(...Array.from({ length: 10_000 }, (_, i) => ({ name: `net-${i}`, type: "bridge" }))),
    path: "spec.networks",
    phrase: "at most 16 networks",
  },
  {
    what: "an object in a string field",
    spec: seedWith(s => (s.memory = { value: "8Gi", nested: { deeper: [1, { x: 2 }] } })),
    path: "spec.memory",
    phrase: "must be a string",
  },
  { what: "an array in a string field", spec: seedWith(s => (s.networks[0].name = [["mgmt"]])), path: "spec.networks[0].name", phrase: "must be a string" },
];

const find = (problems: Problem[], path: string) => problems.filter(problem => problem.path === path);

describe("invalid specs", () => {
  it("starts from a seed that is valid, so each case fails for its own change", () => {
    expect(validateWukong({ name: SEED_NAME, spec: seedSpec() })).toEqual([]);
  });

  it("has at least 45 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(45);
  });

  it.each(cases)("$what → $path", ({ spec, path, phrase, name }) => {
    const problems = validateWukong({ name: name ?? SEED_NAME, spec });
    const atPath = find(problems, path);
    if (atPath.length === 0) throw new Error(`no problem at ${path}; got: ${formatProblems(problems) || "none"}`);
    expect(atPath.map(problem => problem.message).join(" | ")).toContain(phrase);
  });
});

describe("denials stay complete and bounded", () => {
  it("reports all problems of a spec with five different errors at once", () => {
    const spec: Spec = seedSpec();
    spec.cpu = 0;
    spec.memory = "lots";
    spec.colour = "red";
    spec.networks[0].type = "macvlan";
    spec.disks[0].size = "1Ki";
    const problems = validateWukong({ name: SEED_NAME, spec });
    expect(problems.map(problem => problem.path).sort()).toEqual(["spec", "spec.cpu", "spec.disks[0].size", "spec.memory", "spec.networks[0].type"]);
  });

  it("reports structural and cross-field problems together", () => {
    const spec: Spec = seedSpec();
    spec.cpu = "four";
    spec.disks.push({ name: "system", size: "1Gi", boot: true });
    const paths = validateWukong({ name: SEED_NAME, spec }).map(problem => problem.path);
    expect(paths).toEqual(expect.arrayContaining(["spec.cpu", "spec.disks[1].name", "spec.disks[1].boot"]));
  });

  it("denies 10,000 networks with one short problem", () => {
    const spec = withNetworks(...Array.from({ length: 10_000 }, (_, i) => ({ name: `net-${i}`, type: "bridge", ipConfig: { mode: "static" } })));
    const problems = validateWukong({ name: SEED_NAME, spec });
    expect(problems).toEqual([{ path: "spec.networks", message: "must have at most 16 networks" }]);
    expect(formatProblems(problems).length).toBeLessThan(8 * 1024);
  });

  it("bounds the denial for 10,000 broken networks and thousands of broken keys", () => {
    const spec = seedWith(s => {
      s.networks = Array.from({ length: 10_000 }, (_, i) => ({ name: `NET_${i}`.repeat(50), type: "macvlan", vlanId: -i }));
      s.highAvailability = { nodeSelector: Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`bad key ${"x".repeat(300)} ${i}`, "!"])) };
    });
    const problems = validateWukong({ name: SEED_NAME, spec });
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.length).toBeLessThanOrEqual(25);
    expect(formatProblems(problems).length).toBeLessThan(8 * 1024);
  });

  it("bounds messages that quote huge raw strings", () => {
    const huge = "a".repeat(1_000_000);
    const spec = withNetworks({ name: huge, type: "bridge" }, { name: huge, type: "bridge" });
    const problems = validateWukong({ name: SEED_NAME, spec });
    expect(find(problems, "spec.networks[1].name").length).toBeGreaterThan(0);
    expect(formatProblems(problems).length).toBeLessThan(8 * 1024);
  });

  it("names every wrong field of deeply nested garbage without throwing", () => {
    const garbage = { a: { b: { c: [1, "two", { d: null }] } } };
    const spec: Spec = {
      cpu: garbage,
      memory: [garbage],
      osImage: garbage,
      networks: [
        { name: garbage, type: garbage, vlanId: garbage, ipConfig: { mode: garbage, address: garbage, gateway: garbage, dnsServers: garbage } },
        garbage,
        "net",
      ],
      disks: [{ name: garbage, size: garbage, boot: garbage }, 42],
      cloudInit: { userData: garbage },
      cloudInitUser: garbage,
      highAvailability: { nodeSelector: garbage, tolerations: [garbage] },
      startStrategy: { runStrategy: garbage, autoStart: garbage },
    };
    const problems = validateWukong({ name: SEED_NAME, spec });
    const paths = problems.map(problem => problem.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "spec.cpu",
        "spec.memory",
        "spec.osImage",
        "spec.networks[0].name",
        "spec.networks[0].type",
        "spec.networks[1]",
        "spec.disks[0].size",
        "spec.disks[1]",
        "spec.cloudInit.userData",
      ]),
    );
    expect(formatProblems(problems).length).toBeLessThan(8 * 1024);
  });
});
