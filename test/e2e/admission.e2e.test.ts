// Journey 2: `kubectl apply` of wrong specs is refused by the API server, naming the field. Some are refused by
// the CRD's own OpenAPI schema / CEL rules (the API server validates them after mutating admission and before
// our validating webhook); the rest by the Wukong webhook. The test asserts which, as a user would see it.
import { type Obj, R, createNamespace, deleteNamespace, getJsonOrUndefined, kubectl, tryApply, wukongManifest, apply, wukong } from "./support/kube";

let ns: string;

beforeAll(async () => {
  ns = await createNamespace("admission");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const base = (extra: Obj): Obj => ({ cpu: 2, memory: "2Gi", disks: [{ name: "system", size: "10Gi" }], ...extra });

/** "schema": the CRD's OpenAPI schema or CEL (`The Wukong "x" is invalid: ...`); "webhook": our validating webhook. */
type RejectedBy = "schema" | "webhook";

interface BadSpec {
  title: string;
  spec: Obj;
  by: RejectedBy;
  /** Each must appear in kubectl's stderr: the field path first, then what is wrong. */
  expected: string[];
}

const cases: BadSpec[] = [
  {
    title: "static ipConfig without an address",
    spec: base({ networks: [{ name: "mgmt", type: "bridge", ipConfig: { mode: "static" } }] }),
    by: "schema",
    expected: ["spec.networks[0].ipConfig.address", "static mode needs an address"],
  },
  {
    title: "a macvlan network",
    spec: base({ networks: [{ name: "mgmt", type: "macvlan" }] }),
    by: "schema",
    expected: ["spec.networks[0].type", 'Unsupported value: "macvlan"', '"bridge", "sriov", "ovs"'],
  },
  {
    title: "memory 8GB (not a Kubernetes quantity)",
    spec: base({ memory: "8GB" }),
    by: "schema",
    expected: ["spec.memory", '"8GB"'],
  },
  {
    title: "two boot disks",
    spec: base({
      disks: [
        { name: "a", size: "10Gi", boot: true },
        { name: "b", size: "10Gi", boot: true },
      ],
    }),
    by: "schema",
    expected: ["spec.disks", "at most one disk may have boot: true"],
  },
  {
    title: "both userData and userDataSecretRef",
    spec: base({ cloudInit: { userData: "#cloud-config\npackages: [htop]\n", userDataSecretRef: { name: "my-user-data" } } }),
    by: "schema",
    expected: ["spec.cloudInit.userDataSecretRef", "userData and userDataSecretRef are mutually exclusive"],
  },
  {
    title: "a gateway outside the address's subnet",
    spec: base({ networks: [{ name: "mgmt", type: "bridge", vlanId: 210, ipConfig: { mode: "static", address: "10.21.0.5/24", gateway: "10.22.0.1" } }] }),
    by: "webhook",
    expected: ["spec.networks[0].ipConfig.gateway", "10.22.0.1 is outside the subnet of 10.21.0.5/24"],
  },
  {
    title: "a StorageClass the cluster does not have (cluster-aware check)",
    spec: base({ disks: [{ name: "system", size: "10Gi", storageClassName: "no-such-class" }] }),
    by: "webhook",
    expected: ["spec.disks[0].storageClassName", 'StorageClass "no-such-class" does not exist'],
  },
  {
    title: "several problems at once: every one is named",
    spec: base({
      cloudInitUser: { name: "ops", password: "secret", passwordHash: "$6$salt$hash" },
      networks: [{ name: "a", type: "bridge", vlanId: 211, ipConfig: { mode: "static", address: "10.23.0.5/24", gateway: "10.99.0.1" } }],
      disks: [{ name: "system", size: "10Gi", storageClassName: "no-such-class" }],
    }),
    by: "webhook",
    expected: [
      "spec.networks[0].ipConfig.gateway: 10.99.0.1 is outside the subnet",
      "spec.cloudInitUser.password: set either password or passwordHash, not both",
      'spec.disks[0].storageClassName: StorageClass "no-such-class" does not exist',
    ],
  },
];

function expectRejected(result: { code: number; stderr: string }, by: RejectedBy, name: string): void {
  expect(result.code).not.toBe(0);
  if (by === "schema") expect(result.stderr).toContain(`The Wukong "${name}" is invalid`);
  else expect(result.stderr).toContain('admission webhook "pepr-wukong.pepr.dev" denied the request');
}

describe("journey 2: wrong specs are refused with field paths", () => {
  test.each(cases.map((c, i) => [c.title, c, `bad-${i}`] as const))("%s", async (_title, bad, name) => {
    const result = await tryApply(ns, wukongManifest(name, bad.spec));
    expectRejected(result, bad.by, name);
    for (const text of bad.expected) expect(result.stderr).toContain(text);
    // Nothing was stored.
    expect(await getJsonOrUndefined(R.wukong, name, ns)).toBeUndefined();
  });

  test("a static IP already used on the same bridge and VLAN is refused, naming the Wukong that holds it", async () => {
    const network = { name: "mgmt", type: "bridge", vlanId: 220, ipConfig: { mode: "static", address: "10.24.0.7/24" } };
    await apply(ns, wukongManifest("holder", base({ networks: [network] })));

    const clash = await tryApply(ns, wukongManifest("intruder", base({ networks: [network] })));
    expectRejected(clash, "webhook", "intruder");
    expect(clash.stderr).toContain("spec.networks[0].ipConfig.address");
    expect(clash.stderr).toContain(`10.24.0.7 is already used by Wukong ${ns}/holder`);
    expect(await getJsonOrUndefined(R.wukong, "intruder", ns)).toBeUndefined();

    // The same address on another VLAN is another segment: accepted (server-side dry run, nothing stored).
    const otherVlan = await kubectl(["apply", "--dry-run=server", "-n", ns, "-f", "-"], {
      stdin: wukongManifest("intruder", base({ networks: [{ ...network, vlanId: 221 }] })),
    });
    expect(otherVlan.stderr).toBe("");
    expect(otherVlan.code).toBe(0);
  });

  test("an update that changes an immutable field is refused with its path, and the stored spec stays", async () => {
    const result = await kubectl([
      "patch",
      R.wukong,
      "holder",
      "-n",
      ns,
      "--type",
      "json",
      "-p",
      '[{"op":"replace","path":"/spec/networks/0/vlanId","value":222}]',
    ]);
    expectRejected(result, "webhook", "holder");
    expect(result.stderr).toContain("spec.networks[0].vlanId: is immutable (was 220)");
    expect((await wukong(ns, "holder")).spec.networks[0].vlanId).toBe(220);
  });
});
