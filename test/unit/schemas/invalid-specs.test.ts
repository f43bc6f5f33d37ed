// Invalid specs: each is denied with the exact field path and a message that says what is wrong. The networks'
// own cases: test/unit/networks/invalid-networks.test.ts.
import { formatProblems } from "../../../schemas/problems";
import { validateWukong } from "../../../schemas/validate";
import { type Case, itDenies, problemsAt as find, seedWith, type Spec, withNetworks } from "./denial-cases";
import { SEED_NAME, seedSpec } from "./fixtures";

const withDisks = (...disks: Spec[]) => seedWith(spec => (spec.disks = disks));
const withToleration = (toleration: Spec) => seedWith(spec => (spec.highAvailability = { tolerations: [toleration] }));
const withStart = (startStrategy: Spec, highAvailability?: Spec) =>
  seedWith(spec => {
    spec.startStrategy = startStrategy;
    if (highAvailability) spec.highAvailability = highAvailability;
  });

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
  {
    // virt-api would refuse every eviction of its pod: a ReadWriteOnce disk is never LiveMigratable (kubevirt v1.7.4
    // pod-eviction-admitter.go, admitLauncherPod; pkg/virt-handler/vm.go, checkVolumesForMigration).
    what: "a LiveMigrate eviction on ReadWriteOnce storage",
    spec: seedWith(s => {
      s.evictionStrategy = "LiveMigrate";
      s.disks = [
        { name: "system", size: "10Gi", boot: true, accessMode: "ReadWriteMany" },
        { name: "data", size: "10Gi" },
      ];
    }),
    path: "spec.evictionStrategy",
    phrase: 'disk "data" is ReadWriteOnce',
  },
  { what: "an unknown access mode", spec: seedWith(s => (s.disks[0].accessMode = "ReadOnlyMany")), path: "spec.disks[0].accessMode", phrase: "ReadWriteMany" },
];

describe("invalid specs", () => {
  it("starts from a seed that is valid, so each case fails for its own change", () => {
    expect(validateWukong({ name: SEED_NAME, spec: seedSpec() })).toEqual([]);
  });

  it("has at least 40 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  itDenies(cases);
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
