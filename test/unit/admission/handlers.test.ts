// The admission callbacks driven with real AdmissionRequests through Pepr's own request wrappers.
// The only fake is the cluster: an in-memory ClusterLookup.
import { PeprMutateRequest, PeprValidateRequest } from "pepr";
import type { WukongResource } from "../../../capabilities/kinds";
import { defaultWukong } from "../../../capabilities/admission/mutate";
import { wukongValidator } from "../../../capabilities/admission/validate";
import { clusterChecks, type ClusterLookup, type StorageClassInfo } from "../../../lib/admission/cluster-checks";
import type { DiskVolumes } from "../../../lib/admission/volume-checks";
import { claimsOfWukong } from "../../../lib/networks/segments";
import type { NodeInterfaces } from "../../../lib/networks/node-interfaces";
import {
  type ClusterFeatures,
  DECLARATIVE_HOTPLUG_GATE,
  EXPAND_DISKS_GATE,
  KUBEVIRT_CONFIG_API,
  KUBEVIRT_SNAPSHOT_API,
  NODE_NETWORK_API,
  SNAPSHOT_GATE,
} from "../../../lib/cluster/features";
import { withDefaults } from "../../../lib/defaults";
import { stableMac } from "../../../lib/networks/mac";
import type { WukongSpec } from "../../../schemas/spec";
import { ALLOW_DISK_REMOVAL_ANNOTATION, API, FINALIZER, type Wukong } from "../../../schemas/wukong";
import type { WukongSnapshot } from "../../../schemas/wukongsnapshot";
import { SEED_NAME, SEED_NAMESPACE, clone, fullSpec, seedSpec } from "../schemas/fixtures";

type AdmissionRequest = ConstructorParameters<typeof PeprValidateRequest<WukongResource>>[0];
type Operation = AdmissionRequest["operation"];
type ValidateResponse = Awaited<ReturnType<ReturnType<typeof wukongValidator>>>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

let uid = 0;

/** An AdmissionRequest as the apiserver sends it for a Wukong. */
function admissionRequest(
  object: Raw,
  options: { operation?: "CREATE" | "UPDATE"; oldObject?: Raw; namespace?: string; name?: string } = {},
): AdmissionRequest {
  const operation = options.operation ?? (options.oldObject ? "UPDATE" : "CREATE");
  return {
    uid: `req-${++uid}`,
    kind: { group: API.group, version: API.version, kind: API.kind },
    resource: { group: API.group, version: API.version, resource: API.plural },
    requestKind: { group: API.group, version: API.version, kind: API.kind },
    requestResource: { group: API.group, version: API.version, resource: API.plural },
    name: options.name ?? object?.metadata?.name ?? "",
    namespace: options.namespace ?? SEED_NAMESPACE,
    operation: operation as Operation,
    userInfo: { username: "kubernetes-admin", groups: ["system:masters", "system:authenticated"] },
    object,
    oldObject: options.oldObject,
    dryRun: false,
    options: { apiVersion: "meta.k8s.io/v1", kind: operation === "CREATE" ? "CreateOptions" : "UpdateOptions" },
  };
}

function wukong(spec: unknown, metadata: Raw = {}): Raw {
  return { apiVersion: `${API.group}/${API.version}`, kind: API.kind, metadata: { name: SEED_NAME, namespace: SEED_NAMESPACE, ...metadata }, spec };
}

/** The stored form of a spec: what admission defaulting made of it. */
const stored = (spec: unknown, name = SEED_NAME, namespace = SEED_NAMESPACE) => withDefaults({ namespace, name, spec: spec as WukongSpec });

async function mutate(request: AdmissionRequest): Promise<Raw> {
  const wrapped = new PeprMutateRequest<WukongResource>(request);
  await defaultWukong(wrapped);
  return wrapped.Raw;
}

async function validate(request: AdmissionRequest, lookup: ClusterLookup = new FakeCluster()): Promise<ValidateResponse> {
  return wukongValidator(lookup)(new PeprValidateRequest<WukongResource>(request));
}

/** Mutate, then validate the mutated object: the order the apiserver calls the webhooks in. */
async function admit(object: Raw, options: Parameters<typeof admissionRequest>[1] = {}, lookup?: ClusterLookup): Promise<ValidateResponse> {
  const mutated = await mutate(admissionRequest(object, options));
  return validate(admissionRequest(mutated, options), lookup);
}

/** An in-memory cluster. */
class FakeCluster implements ClusterLookup {
  classes: StorageClassInfo[] = [
    { name: "longhorn", allowVolumeExpansion: true, isDefault: true },
    { name: "fast-ssd", allowVolumeExpansion: false, isDefault: false },
  ];
  nads = new Set<string>(["default/existing-net"]);
  others: Wukong[] = [];
  nmstateInstalled = true;
  calls = { storageClasses: 0, nads: 0, wukongs: 0 };
  /** What a cached list still says (a StorageClass made a moment ago is not in it); `classes` is the truth. */
  cachedClasses?: StorageClassInfo[];

  /** Every optional feature offered unless a test takes one away. */
  features: ClusterFeatures = {
    servedApis: new Set([KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API, KUBEVIRT_CONFIG_API]),
    featureGates: new Set([SNAPSHOT_GATE, EXPAND_DISKS_GATE, DECLARATIVE_HOTPLUG_GATE]),
    kubeVirt: { namespace: "kubevirt", name: "kubevirt" },
    nodeResources: new Set(["nvidia.com/GA102GL_A10", "intel.com/sriov_netdevice"]),
  };
  async clusterFeatures() {
    return this.features;
  }

  async storageClasses({ fresh = false } = {}) {
    this.calls.storageClasses++;
    return clone(!fresh && this.cachedClasses ? this.cachedClasses : this.classes);
  }
  async networkAttachmentDefinitionExists(namespace: string, name: string) {
    this.calls.nads++;
    return this.nads.has(`${namespace}/${name}`);
  }
  async addressClaims() {
    this.calls.wukongs++;
    return clone(this.others).flatMap(claimsOfWukong);
  }
  /** fullSpec restores from "before-upgrade": a ready snapshot of the seed Wukong. */
  snapshots: WukongSnapshot[] = [
    { metadata: { name: "before-upgrade", namespace: SEED_NAMESPACE }, spec: { wukongName: SEED_NAME }, status: { phase: "Succeeded", readyToUse: true } },
  ];
  async wukongSnapshot(namespace: string, name: string) {
    return clone(this.snapshots.find(s => s.metadata?.namespace === namespace && s.metadata.name === name));
  }
  async wukong(namespace: string, name: string) {
    return clone(this.others.find(w => w.metadata?.namespace === namespace && w.metadata.name === name));
  }
  async nodeNetworkApiServed() {
    return this.nmstateInstalled;
  }
  /** CDIConfig's feature gates, as the released cdi-cr sets them. */
  cdiGates: ReadonlySet<string> | undefined = new Set(["HonorWaitForFirstConsumer"]);
  async cdiFeatureGates() {
    return this.cdiGates;
  }
  /** The disks' volumes that exist already, by "namespace/name". */
  volumes = new Map<string, DiskVolumes>();
  async diskVolumes(namespace: string, name: string) {
    return clone(this.volumes.get(`${namespace}/${name}`) ?? {});
  }
  /** One node with every bridge the fixtures plug into. */
  nodeStates: NodeInterfaces[] | undefined = [{ node: "n1", interfaces: ["eth0", "br0", "br-mgmt", "br-lan", "ovs-br1"] }];
  async nodeInterfaces() {
    return clone(this.nodeStates);
  }
}

const never = <T>() => new Promise<T>(() => {});

const expectDenied = (response: ValidateResponse, ...fragments: string[]) => {
  expect(response.allowed).toBe(false);
  expect(response.statusCode).toBe(422);
  for (const fragment of fragments) expect(response.statusMessage).toContain(fragment);
};
const expectAllowed = (response: ValidateResponse) => {
  if (!response.allowed) throw new Error(`denied: ${response.statusMessage}`);
};

const GARBAGE: [string, Raw][] = [
  ["spec is a string", wukong("cpu: 4")],
  ["spec is null", wukong(null)],
  ["spec is missing", { apiVersion: `${API.group}/${API.version}`, kind: API.kind, metadata: { name: SEED_NAME } }],
  ["spec is an array", wukong([seedSpec()])],
  ["spec is a number", wukong(42)],
  ["10,000 networks", wukong({ ...seedSpec(), networks: Array.from({ length: 10_000 }, (_, i) => ({ name: `net-${i}`, type: "bridge" })) })],
  [
    "unicode everywhere",
    wukong({
      ...seedSpec(),
      memory: "８Gi",
      networks: [{ name: "ü-netz", type: "brücke", ipConfig: { mode: "static", address: "１９２.168.1.1/24" } }],
      disks: [{ name: "系统", size: "80Gi", boot: true }],
    }),
  ],
  ["missing metadata", { apiVersion: `${API.group}/${API.version}`, kind: API.kind, spec: seedSpec() }],
  [
    "nested objects in string fields",
    wukong({ ...seedSpec(), memory: { a: { b: [1, { c: {} }] } }, networks: [{ name: { x: [] }, type: {}, ipConfig: "static" }], disks: [[{ size: {} }]] }),
  ],
  [
    "prototype keys",
    wukong(
      JSON.parse('{"cpu":4,"memory":"8Gi","__proto__":{"polluted":true},"constructor":{"prototype":{}},"disks":[{"name":"system","size":"8Gi","boot":true}]}'),
    ),
  ],
  ["metadata of the wrong shape", { ...wukong(seedSpec()), metadata: { name: ["x"], annotations: "nope" } }],
];

describe("mutating admission (defaultWukong)", () => {
  it("fills defaults into request.Raw on CREATE", async () => {
    const raw = await mutate(admissionRequest(wukong(seedSpec())));
    expect(raw.spec).toEqual({
      ...seedSpec(),
      podNetwork: true,
      networks: [{ ...seedSpec().networks![0], bridgeName: "br0", macAddress: stableMac(SEED_NAMESPACE, SEED_NAME, "mgmt") }],
      startStrategy: { runStrategy: "Always" },
    });
    // The finalizer comes with the object: the operator never has to patch it in.
    expect(raw.metadata).toEqual({ name: SEED_NAME, namespace: SEED_NAMESPACE, finalizers: [FINALIZER] });
  });

  it("keeps the user's finalizers, adds ours once, and adds none to a Wukong being deleted", async () => {
    const withOthers = { ...wukong(seedSpec()), metadata: { name: SEED_NAME, namespace: SEED_NAMESPACE, finalizers: ["example.com/keep"] } };
    const once = await mutate(admissionRequest(withOthers));
    expect(once.metadata.finalizers).toEqual(["example.com/keep", FINALIZER]);
    expect((await mutate(admissionRequest(clone(once)))).metadata.finalizers).toEqual(["example.com/keep", FINALIZER]);
    const deleting = { ...wukong(seedSpec()), metadata: { name: SEED_NAME, namespace: SEED_NAMESPACE, deletionTimestamp: "2026-11-29T00:00:00Z" } };
    expect((await mutate(admissionRequest(deleting))).metadata.finalizers).toBeUndefined();
  });

  it("uses the request's namespace for the stable MACs", async () => {
    const raw = await mutate(admissionRequest(wukong(seedSpec(), { namespace: undefined }), { namespace: "prod" }));
    expect(raw.spec.networks[0].macAddress).toBe(stableMac("prod", SEED_NAME, "mgmt"));
  });

  it("gives Wukongs created with generateName (no name yet at mutation) different MACs", async () => {
    const unnamed = () => ({ ...wukong(seedSpec()), metadata: { generateName: "vm-", namespace: SEED_NAMESPACE } });
    const [first, second] = [await mutate(admissionRequest(unnamed(), { name: "" })), await mutate(admissionRequest(unnamed(), { name: "" }))];
    const [a, b] = [first.spec.networks[0].macAddress, second.spec.networks[0].macAddress];
    expect(a).toMatch(/^02(:[0-9a-f]{2}){5}$/);
    expect(a).not.toBe(b);
    expect(first.metadata).toEqual({ generateName: "vm-", namespace: SEED_NAMESPACE, finalizers: [FINALIZER] });
  });

  it("adds the boot disk of an osImage-only spec", async () => {
    const raw = await mutate(admissionRequest(wukong({ cpu: 1, memory: "1Gi", osImage: "docker://quay.io/containerdisks/fedora:40" })));
    expect(raw.spec.disks).toEqual([{ name: "system", size: "20Gi", boot: true }]);
  });

  it("inherits MACs from the old object on UPDATE", async () => {
    const old = wukong({ ...stored(seedSpec()), networks: [{ ...stored(seedSpec()).networks![0], macAddress: "02:12:34:56:78:9a" }] });
    const raw = await mutate(admissionRequest(wukong(seedSpec()), { oldObject: old }));
    expect(raw.spec.networks[0].macAddress).toBe("02:12:34:56:78:9a");
  });

  it("is idempotent: defaulting the defaulted object changes nothing", async () => {
    const once = await mutate(admissionRequest(wukong(fullSpec())));
    const twice = await mutate(admissionRequest(clone(once)));
    expect(twice).toEqual(once);
  });

  it("leaves a broken spec exactly as it came, for validation to deny", async () => {
    const broken = wukong({ ...seedSpec(), cpu: "four" });
    const raw = await mutate(admissionRequest(clone(broken)));
    expect(raw).toEqual(broken);
  });

  // Garbage whose spec is valid gets defaulted; every other object must come back untouched.
  const VALID_SPEC_GARBAGE = ["missing metadata", "metadata of the wrong shape"];

  it.each(GARBAGE)("never throws, and leaves an invalid spec untouched: %s", async (what, object) => {
    const raw = await mutate(admissionRequest(clone(object)));
    if (VALID_SPEC_GARBAGE.includes(what)) expect(raw.spec).toMatchObject({ podNetwork: true, startStrategy: { runStrategy: "Always" } });
    // Pepr's clone turns an own "__proto__" key into the prototype, so compare what matters: not defaulted, nothing polluted.
    else if (what === "prototype keys") expect([raw.spec.podNetwork, ({} as Raw).polluted]).toEqual([undefined, undefined]);
    else expect(raw).toEqual(object);
  });
});

describe("validating admission (wukongValidator)", () => {
  it("admits the seed example after defaulting, with no warnings", async () => {
    const cluster = new FakeCluster();
    const response = await admit(wukong(seedSpec()), {}, cluster);
    expectAllowed(response);
    expect(response.warnings ?? []).toEqual([]);
    expect(cluster.calls.storageClasses).toBe(1);
    expect(cluster.calls.wukongs).toBe(1);
  });

  it("admits the full-featured example (its NAD exists, its StorageClasses exist)", async () => {
    expectAllowed(await admit(wukong(fullSpec())));
  });

  it("denies a bad spec with 422 and a message naming every wrong field", async () => {
    const spec: Raw = seedSpec();
    spec.cpu = 0;
    spec.memory = "8GB";
    spec.networks[0].type = "macvlan";
    spec.networks[0].ipConfig.address = "192.168.100.255/24";
    spec.disks[0].size = "1Ki";
    const response = await admit(wukong(spec));
    expectDenied(
      response,
      "spec.cpu: must be at least 1",
      "spec.memory:",
      "spec.networks[0].type: macvlan",
      "spec.networks[0].ipConfig.address:",
      "spec.disks[0].size: must be at least 1Mi",
    );
  });

  it("does not ask the cluster about a spec that is already invalid", async () => {
    const cluster = new FakeCluster();
    await validate(admissionRequest(wukong({ ...seedSpec(), cpu: 0 })), cluster);
    expect(cluster.calls).toEqual({ storageClasses: 0, nads: 0, wukongs: 0 });
  });

  it.each(GARBAGE)("never throws and never answers 5xx: %s", async (_, object) => {
    const response = await validate(admissionRequest(clone(object)));
    if (!response.allowed) {
      expect(response.statusCode).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.statusMessage).toMatch(/^spec/);
      expect(response.statusMessage!.length).toBeLessThan(8 * 1024);
      expect(response.statusMessage).not.toContain("internal error");
    }
  });

  it.each(GARBAGE.filter(([what]) => !["missing metadata", "metadata of the wrong shape"].includes(what)))("denies %s", async (_, object) => {
    const response = await validate(admissionRequest(clone(object)));
    expect(response.allowed).toBe(false);
  });

  it("admits a valid spec without metadata, using the request's name", async () => {
    expectAllowed(
      await validate(admissionRequest({ apiVersion: `${API.group}/${API.version}`, kind: API.kind, spec: stored(seedSpec()) }, { name: SEED_NAME })),
    );
  });

  it("denies 10,000 networks with a short message", async () => {
    const response = await validate(admissionRequest(GARBAGE.find(([what]) => what === "10,000 networks")![1]));
    expectDenied(response, "spec.networks: must have at most 16 networks");
    expect(response.statusMessage!.length).toBeLessThan(1024);
  });

  it("approves a plain password with a warning", async () => {
    const response = await admit(wukong({ ...seedSpec(), cloudInitUser: { name: "ops", password: "hunter2" } }));
    expectAllowed(response);
    expect(response.warnings).toEqual([expect.stringContaining("passwordHash")]);
    expect(response.warnings![0]).toContain("spec.cloudInitUser.password");
    expect(response.warnings![0]).not.toContain("hunter2");
  });

  // cloudinit/net/network_state.py `_v2_to_v1_ipcfg` (22.4–25.1): outside netplan only route-metric of dhcp4-overrides
  // survives, and no renderer but netplan takes routing-policy or a route table, so neither can be fixed in networkData.
  it("with a static gateway, warns about each DHCP network's second default route and about the pod network's replies", async () => {
    const gateway = { name: "lan", type: "bridge", ipConfig: { mode: "static", address: "192.168.100.10/24", gateway: "192.168.100.1" } };
    const dhcp = { name: "dhcp", type: "bridge", vlanId: 9, ipConfig: { mode: "dhcp" } };
    const response = await admit(wukong({ ...seedSpec(), networks: [dhcp, gateway] }));
    expectAllowed(response);
    expect(response.warnings).toEqual([
      expect.stringMatching(
        /^spec\.networks\[0\]: a DHCP network next to the default gateway of spec\.networks\[1\]: .*this lease adds a second default route$/,
      ),
      expect.stringMatching(/^spec\.networks\[1\]\.ipConfig\.gateway: .*10\.0\.2\.2\/24.*Services and other pods get no reply/),
    ]);
    const withoutPod = await admit(wukong({ ...seedSpec(), podNetwork: false, networks: [gateway] }));
    expect(withoutPod.warnings ?? []).toEqual([]);
  });

  it("still warns about a plain password when it denies", async () => {
    const response = await admit(wukong({ ...seedSpec(), cpu: 0, cloudInitUser: { name: "ops", password: "hunter2" } }));
    expectDenied(response, "spec.cpu");
    expect(response.warnings).toEqual([expect.stringContaining("passwordHash")]);
  });

  describe("on UPDATE", () => {
    const old = () => wukong(stored({ ...seedSpec(), disks: [...seedSpec().disks!, { name: "data", size: "10Gi", storageClassName: "fast-ssd" }] }));

    it("admits an unchanged object", async () => {
      expectAllowed(await admit(old(), { oldObject: old() }));
    });

    it("admits a metadata-only update (finalizer removal) without asking the cluster, even when lookups hang", async () => {
      const cluster = new FakeCluster();
      cluster.addressClaims = never;
      const object = old();
      object.metadata = { ...object.metadata, finalizers: [] };
      expectAllowed(await admit(object, { oldObject: { ...old(), metadata: { ...old().metadata, finalizers: ["vm.novasphere.dev/finalizer"] } } }, cluster));
      expect(cluster.calls).toEqual({ storageClasses: 0, nads: 0, wukongs: 0 });
    });

    it("denies shrinking a disk", async () => {
      const object = old();
      object.spec.disks[0].size = "40Gi";
      expectDenied(await admit(object, { oldObject: old() }), "spec.disks[0].size: cannot shrink");
    });

    it("admits growing a disk on a StorageClass that allows expansion", async () => {
      const object = old();
      object.spec.disks[0].size = "100Gi";
      expectAllowed(await admit(object, { oldObject: old() }));
    });

    // KubeVirt v1.7.4 pkg/virt-launcher/virtwrap/manager.go (shouldExpandOnline, shouldExpandOffline): without the
    // ExpandDisks gate (Alpha in pkg/virt-config/featuregate/active.go) a grown disk never reaches the guest.
    it("admits growing a disk while KubeVirt's ExpandDisks gate is off, warning that the guest will not see it", async () => {
      const cluster = new FakeCluster();
      cluster.features = { ...cluster.features, featureGates: new Set([SNAPSHOT_GATE]) };
      const object = old();
      object.spec.disks[0].size = "100Gi";
      const response = await admit(object, { oldObject: old() }, cluster);
      expectAllowed(response);
      expect(response.warnings).toEqual([
        'spec.disks[0].size: disk system grew, but the guest does not see the new size (KubeVirt neither resizes a disk image nor tells a running VM): KubeVirt\'s ExpandDisks feature gate is not enabled; enable it by adding "ExpandDisks" to spec.configuration.developerConfiguration.featureGates of KubeVirt kubevirt/kubevirt',
      ]);
      // Not grown: nothing to say.
      expect((await admit(old(), { oldObject: old() }, cluster)).warnings ?? []).toEqual([]);
    });

    // KubeVirt v1.7.4 pkg/virt-controller/watch/vm/vm.go (handleDeclarativeVolumeHotplug): a disk added to a running
    // VM is hot-plugged only with DeclarativeHotplugVolumes on (Alpha, pkg/virt-config/featuregate/active.go).
    it("admits adding a disk while KubeVirt's DeclarativeHotplugVolumes gate is off, warning that a running VM will not get it", async () => {
      const cluster = new FakeCluster();
      cluster.features = { ...cluster.features, featureGates: new Set([SNAPSHOT_GATE, EXPAND_DISKS_GATE]) };
      const object = old();
      object.spec.disks.push({ name: "extra", size: "1Gi", storageClassName: "fast-ssd" });
      const response = await admit(object, { oldObject: old() }, cluster);
      expectAllowed(response);
      expect(response.warnings).toEqual([
        `spec.disks[${object.spec.disks.length - 1}]: if the VM is running, disk extra waits to be hot-plugged into the running VM, which KubeVirt does not do: KubeVirt's DeclarativeHotplugVolumes feature gate is not enabled; enable it by adding "DeclarativeHotplugVolumes" to spec.configuration.developerConfiguration.featureGates of KubeVirt kubevirt/kubevirt`,
      ]);
      // With the gate on: nothing to say.
      expect((await admit(clone(object), { oldObject: old() })).warnings ?? []).toEqual([]);
    });

    // KubeVirt v1.7.4: under vmRolloutStrategy Stage nothing is applied live (pkg/virt-controller/watch/vm/vm.go,
    // syncRestartRequired), and a hot-plug completes only through the workload updater's migration
    // (watch/workload-updater/workload-updater.go): a resize that will not reach the running VM is said at once.
    it.each([
      [{ rolloutStrategy: "Stage", liveMigrateUpdates: true }, "vmRolloutStrategy is Stage"],
      [{ rolloutStrategy: "LiveUpdate", liveMigrateUpdates: false }, "workloadUpdateMethods has no LiveMigrate"],
    ] as const)("admits a cpu and memory change the cluster applies only at restart (%j), warning at each path", async (liveUpdate, phrase) => {
      const cluster = new FakeCluster();
      cluster.features = { ...cluster.features, liveUpdate };
      const object = old();
      object.spec.cpu = 8;
      object.spec.memory = "32Gi";
      const response = await admit(object, { oldObject: old() }, cluster);
      expectAllowed(response);
      expect(response.warnings).toEqual([
        expect.stringMatching(new RegExp(`^spec\\.cpu: .*${phrase}`)),
        expect.stringMatching(new RegExp(`^spec\\.memory: .*${phrase}`)),
      ]);
      // Live updates on, but disks that are not ReadWriteMany keep the VMI from migrating, and KubeVirt hot-plugs only
      // into a migratable one (vm.go: "Memory-hotplug is only available for migratable VMs").
      cluster.features = { ...cluster.features, liveUpdate: { rolloutStrategy: "LiveUpdate", liveMigrateUpdates: true } };
      expect((await admit(object, { oldObject: old() }, cluster)).warnings).toEqual([
        expect.stringMatching(/^spec\.cpu: KubeVirt hot-plugs only into a VM it can live-migrate, and disks system, data are not ReadWriteMany/),
        expect.stringMatching(/^spec\.memory: KubeVirt hot-plugs only into a VM it can live-migrate/),
      ]);
      const shared = (wukong: ReturnType<typeof old>) => {
        for (const disk of wukong.spec.disks) disk.accessMode = "ReadWriteMany";
        return wukong;
      };
      expect((await admit(shared(clone(object)), { oldObject: shared(old()) }, cluster)).warnings ?? []).toEqual([]);
    });

    it("denies growing a disk on a StorageClass without allowVolumeExpansion", async () => {
      const object = old();
      object.spec.disks[1].size = "20Gi";
      expectDenied(await admit(object, { oldObject: old() }), "spec.disks[1].size", 'StorageClass "fast-ssd" does not allow volume expansion');
    });

    it("denies removing a disk unless the annotation names it", async () => {
      const object = old();
      object.spec.disks.pop();
      expectDenied(await admit(clone(object), { oldObject: old() }), "spec.disks", 'removing disk "data"');
      object.metadata.annotations = { [ALLOW_DISK_REMOVAL_ANNOTATION]: "data" };
      expectAllowed(await admit(object, { oldObject: old() }));
    });

    it("denies changing a network's VLAN", async () => {
      const object = old();
      object.spec.networks[0].vlanId = 200;
      expectDenied(await admit(object, { oldObject: old() }), "spec.networks[0].vlanId: is immutable");
    });

    it("does not recheck a StorageClass that existed when the disk was created", async () => {
      const cluster = new FakeCluster();
      cluster.classes = [{ name: "other", isDefault: true }];
      expectAllowed(await admit(old(), { oldObject: old() }, cluster));
    });
  });

  describe("cluster checks", () => {
    it("denies a StorageClass that does not exist, at spec.disks[0].storageClassName", async () => {
      const cluster = new FakeCluster();
      cluster.classes = cluster.classes.filter(sc => sc.name !== "longhorn");
      expectDenied(await admit(wukong(seedSpec()), {}, cluster), 'spec.disks[0].storageClassName: StorageClass "longhorn" does not exist');
    });

    // lib/admission/volume-checks.ts (its own tests pin an imported disk's size against its DataVolume, not CDI's
    // inflated claim): the seed's blank system disk meets a 100Gi claim retained from a Wukong of the same name.
    it("denies a disk below the size its existing volume holds, at spec.disks[0].size, and admits the size itself", async () => {
      const cluster = new FakeCluster();
      const claimName = `${SEED_NAME}-system`;
      cluster.volumes.set(`${SEED_NAMESPACE}/${claimName}`, {
        claim: {
          metadata: { name: claimName, labels: { "vm.novasphere.dev/retained-from": SEED_NAME } },
          spec: { resources: { requests: { storage: "100Gi" } } },
        },
      });
      expectDenied(
        await admit(wukong(seedSpec()), {}, cluster),
        `spec.disks[0].size: cannot be 80Gi: below the current size 100Gi of PersistentVolumeClaim ${claimName}, retained from Wukong ${SEED_NAME}`,
      );
      const sameSize = seedSpec();
      sameSize.disks![0].size = "100Gi";
      expectAllowed(await admit(wukong(sameSize), {}, cluster));
    });

    // lib/admission/first-consumer-checks.ts: CDI v1.66.0 reads HonorWaitForFirstConsumer from CDIConfig config
    // (pkg/feature-gates/feature-gates.go); off, its importer pod is an import's first consumer.
    it("warns about an imported disk on WaitForFirstConsumer storage while CDI's HonorWaitForFirstConsumer gate is off", async () => {
      const cluster = new FakeCluster();
      cluster.classes = [...cluster.classes, { name: "local-wffc", volumeBindingMode: "WaitForFirstConsumer", isDefault: false }];
      const spec = {
        ...seedSpec(),
        disks: [{ name: "system", size: "80Gi", storageClassName: "local-wffc", image: "docker://quay.io/containerdisks/debian:12" }],
      };
      const gateWarnings = async () => ((await admit(wukong(spec), {}, cluster)).warnings ?? []).filter(w => w.includes("HonorWaitForFirstConsumer"));
      expect(await gateWarnings()).toEqual([]);
      cluster.cdiGates = new Set();
      expect(await gateWarnings()).toEqual([
        "spec.disks[0]: CDI's HonorWaitForFirstConsumer feature gate is off (CDIConfig config): disk system's image is imported at once, and StorageClass local-wffc (WaitForFirstConsumer) makes its volume on the node CDI's importer pod runs on, not where the VM first starts; on node-local storage the VM can then only run there",
      ]);
      spec.disks[0].storageClassName = "longhorn";
      expect(await gateWarnings()).toEqual([]);
      cluster.cdiGates = undefined; // no CDI, or its config unreadable: nothing is said
      spec.disks[0].storageClassName = "local-wffc";
      expect(await gateWarnings()).toEqual([]);
    });

    it("admits a restore while the snapshot API is not served, naming it in a warning", async () => {
      const cluster = new FakeCluster();
      cluster.features = { ...cluster.features, servedApis: new Set([KUBEVIRT_CONFIG_API]) };
      const response = await admit(wukong(fullSpec()), {}, cluster);
      expectAllowed(response);
      // fullSpec's gateway and DHCP networks bring cloud-init route warnings too: only the snapshot ones count here.
      expect(response.warnings?.filter(w => w.startsWith("spec.restoreFromSnapshot"))).toEqual([
        "spec.restoreFromSnapshot: the cluster does not serve snapshot.kubevirt.io/v1beta1 (VirtualMachineSnapshot, VirtualMachineRestore): snapshots need KubeVirt v1.3.0 or newer",
      ]);
    });

    it("admits a restore on a KubeVirt whose VirtualMachineRestore predates our fields (v1.6: no volumeOwnershipPolicy), naming them", async () => {
      const cluster = new FakeCluster();
      // The v1beta1 VirtualMachineRestore spec of KubeVirt v1.6.0 (validations_generated.go at v1.6.0).
      const v160 = ["patches", "target", "targetReadinessPolicy", "virtualMachineSnapshotName", "volumeRestoreOverrides", "volumeRestorePolicy"];
      cluster.features = { ...cluster.features, restoreSpecFields: new Set(v160) };
      const response = await admit(wukong(fullSpec()), {}, cluster);
      expectAllowed(response);
      expect(response.warnings?.filter(w => w.startsWith("spec.restoreFromSnapshot"))).toEqual([
        expect.stringMatching(
          /^spec\.restoreFromSnapshot: the cluster's VirtualMachineRestore \(snapshot\.kubevirt\.io\/v1beta1\) has no spec\.volumeOwnershipPolicy,.*KubeVirt v1\.7\.0 or newer$/,
        ),
      ]);
    });

    it("warns about GPUs and SR-IOV networks whose device resources no node offers", async () => {
      const cluster = new FakeCluster();
      cluster.features = { ...cluster.features, nodeResources: new Set() };
      const response = await admit(wukong(fullSpec()), {}, cluster);
      expectAllowed(response);
      expect(response.warnings?.filter(w => w.includes("no node offers"))).toEqual([
        expect.stringMatching(/^spec\.gpus\[0\]\.deviceName: no node offers nvidia\.com\/GA102GL_A10 \(status\.allocatable\) for GPU gpu1/),
        expect.stringMatching(
          /^spec\.networks\[\d\]\.resourceName: no node offers intel\.com\/sriov_netdevice \(status\.allocatable\) for SR-IOV network fast/,
        ),
      ]);
    });

    it("looks again before denying a StorageClass its cached list lacks (made a moment before the Wukong)", async () => {
      const cluster = new FakeCluster();
      cluster.cachedClasses = cluster.classes.filter(sc => sc.name !== "longhorn");
      expectAllowed(await admit(wukong(seedSpec()), {}, cluster));
      expect(cluster.calls.storageClasses).toBe(2);
      // Still missing in a fresh list: denied.
      cluster.classes = cluster.cachedClasses;
      expectDenied(await admit(wukong(seedSpec()), {}, cluster), 'spec.disks[0].storageClassName: StorageClass "longhorn" does not exist');
    });

    it("looks again before denying for want of a default StorageClass", async () => {
      const cluster = new FakeCluster();
      cluster.cachedClasses = cluster.classes.map(sc => ({ ...sc, isDefault: false }));
      const spec: Raw = seedSpec();
      delete spec.disks[0].storageClassName;
      expectAllowed(await admit(wukong(spec), {}, cluster));
    });

    it("denies a disk without storageClassName when the cluster has no default StorageClass", async () => {
      const cluster = new FakeCluster();
      cluster.classes = cluster.classes.map(sc => ({ ...sc, isDefault: false }));
      const spec: Raw = seedSpec();
      delete spec.disks[0].storageClassName;
      expectDenied(await admit(wukong(spec), {}, cluster), "spec.disks[0].storageClassName: is required: the cluster has no default StorageClass");
      // With a default class it is fine.
      expectAllowed(await admit(wukong(spec)));
    });

    it("denies a nadName that does not exist in the namespace", async () => {
      const spec: Raw = { ...seedSpec(), networks: [{ name: "legacy", type: "bridge", nadName: "missing-net" }] };
      expectDenied(await admit(wukong(spec)), 'spec.networks[0].nadName: NetworkAttachmentDefinition "missing-net" does not exist in namespace default');
      // The same NAD name in another namespace does not count.
      const cluster = new FakeCluster();
      cluster.nads.add("other/missing-net");
      expectDenied(await admit(wukong(spec), {}, cluster), "spec.networks[0].nadName");
      cluster.nads.add("default/missing-net");
      expectAllowed(await admit(wukong(spec), {}, cluster));
    });

    describe("static IP conflicts", () => {
      const withNetwork = (network: Raw): Raw => ({ ...seedSpec(), networks: [network] });
      const other = (namespace: string, name: string, network: Raw): Wukong => ({
        apiVersion: `${API.group}/${API.version}`,
        kind: API.kind,
        metadata: { namespace, name },
        spec: stored(withNetwork(network), name, namespace),
      });
      const onNad = (address: string) => ({ name: "legacy", type: "bridge", nadName: "existing-net", ipConfig: { mode: "static", address } });
      const onVlan = (vlanId: number, address: string, bridgeName?: string) => ({
        name: "mgmt",
        type: "bridge",
        vlanId,
        bridgeName,
        ipConfig: { mode: "static", address },
      });

      it("denies an IP another Wukong uses on the same NAD, naming it", async () => {
        const cluster = new FakeCluster();
        cluster.others = [other("default", "db-01", onNad("10.10.0.5/16"))];
        expectDenied(
          await admit(wukong(withNetwork(onNad("10.10.0.5/16"))), {}, cluster),
          "spec.networks[0].ipConfig.address: 10.10.0.5 is already used by Wukong default/db-01",
        );
      });

      it("denies an IP another Wukong uses on the same bridge and VLAN, across namespaces", async () => {
        const cluster = new FakeCluster();
        cluster.others = [other("prod", "web-02", onVlan(100, "192.168.100.10/24"))];
        expectDenied(await admit(wukong(seedSpec()), {}, cluster), "spec.networks[0].ipConfig.address: 192.168.100.10 is already used by Wukong prod/web-02");
      });

      it("admits the same IP on a different VLAN, bridge or NAD", async () => {
        const cluster = new FakeCluster();
        cluster.nads.add("other/existing-net");
        cluster.others = [
          other("prod", "vlan-200", onVlan(200, "192.168.100.10/24")),
          other("prod", "other-bridge", onVlan(100, "192.168.100.10/24", "br1")),
          other("other", "other-nad", onNad("192.168.100.10/24")),
        ];
        expectAllowed(await admit(wukong(seedSpec()), {}, cluster));
      });

      it("sees one IPv6 address however it is spelled", async () => {
        const cluster = new FakeCluster();
        cluster.others = [other("prod", "v6", onVlan(100, "2001:DB8:0:0::10/64"))];
        expectDenied(await admit(wukong(withNetwork(onVlan(100, "2001:db8::10/64"))), {}, cluster), "2001:db8::10 is already used by Wukong prod/v6");
      });

      it("admits the same IP when the other Wukong uses it with dhcp (no static claim)", async () => {
        const cluster = new FakeCluster();
        cluster.others = [other("prod", "dhcp", { name: "mgmt", type: "bridge", vlanId: 100 })];
        expectAllowed(await admit(wukong(seedSpec()), {}, cluster));
      });

      // A new address reaches the guest only at its next boot: KubeVirt builds the NoCloud disk at VMI start
      // (pkg/cloud-init/cloud-init.go, v1.7.4) and cloud-init applies network config at boot (cloudinit/stages.py).
      it("denies an IP another Wukong's running guest still holds after its spec moved to another, and reserves the new one", async () => {
        const cluster = new FakeCluster();
        const moved = other("prod", "web-02", onVlan(100, "192.168.100.20/24"));
        moved.status = {
          networks: [
            { name: "mgmt", ipAddress: "192.168.100.10" },
            { name: "pod", ipAddress: "10.0.2.2" },
          ],
        };
        cluster.others = [moved];
        expectDenied(
          await admit(wukong(seedSpec()), {}, cluster),
          "spec.networks[0].ipConfig.address: 192.168.100.10 is already used by Wukong prod/web-02 (spec.networks[0]; its running guest still holds it",
        );
        expectDenied(await admit(wukong(withNetwork(onVlan(100, "192.168.100.20/24"))), {}, cluster), "192.168.100.20 is already used by Wukong prod/web-02");
        expectAllowed(await admit(wukong(withNetwork(onVlan(100, "192.168.100.30/24"))), {}, cluster));
      });

      it("does not conflict with itself on UPDATE", async () => {
        const cluster = new FakeCluster();
        const self = wukong(stored(seedSpec()));
        cluster.others = [self];
        expectAllowed(await admit(clone(self), { oldObject: clone(self) }, cluster));
      });

      it("denies two NICs of one Wukong with the same IP on the same segment", async () => {
        const spec: Raw = { ...seedSpec(), networks: [onVlan(100, "192.168.100.10/24"), { ...onVlan(100, "192.168.100.10/24"), name: "mgmt2" }] };
        expectDenied(
          await admit(wukong(spec), {}, new FakeCluster()),
          "spec.networks[1].ipConfig.address: 192.168.100.10 is already used by spec.networks[0] of this Wukong",
        );
      });

      it("denies a MAC another Wukong uses on the same segment", async () => {
        const cluster = new FakeCluster();
        cluster.others = [other("prod", "web-02", { ...onVlan(100, "192.168.100.11/24"), macAddress: "02:00:00:00:00:42" })];
        const spec: Raw = seedSpec();
        spec.networks[0].macAddress = "02:00:00:00:00:42";
        expectDenied(await admit(wukong(spec), {}, cluster), "spec.networks[0].macAddress: 02:00:00:00:00:42 is already used by Wukong prod/web-02");
      });
    });

    describe("when the cluster does not answer", () => {
      it("admits with a warning when the StorageClass lookup rejects (fail-open)", async () => {
        const cluster = new FakeCluster();
        cluster.storageClasses = () => Promise.reject(new Error("storageclasses is forbidden"));
        const response = await admit(wukong(seedSpec()), {}, cluster);
        expectAllowed(response);
        expect(response.warnings).toEqual([expect.stringMatching(/could not look up StorageClasses \(storageclasses is forbidden\)/)]);
      });

      it("admits with a warning when the StorageClass lookup throws synchronously (fail-open)", async () => {
        const cluster = new FakeCluster();
        cluster.storageClasses = () => {
          throw new Error("boom");
        };
        const response = await admit(wukong(seedSpec()), {}, cluster);
        expectAllowed(response);
        expect(response.warnings).toEqual([expect.stringContaining("StorageClasses")]);
      });

      it("admits with a warning when the NAD lookup fails (fail-open)", async () => {
        const cluster = new FakeCluster();
        cluster.networkAttachmentDefinitionExists = () => Promise.reject(new Error("connection refused"));
        const response = await admit(wukong({ ...seedSpec(), networks: [{ name: "legacy", type: "bridge", nadName: "existing-net" }] }), {}, cluster);
        expectAllowed(response);
        expect(response.warnings).toEqual([expect.stringContaining("NetworkAttachmentDefinitions")]);
      });

      it("denies when the Wukong lookup rejects (fail-closed)", async () => {
        const cluster = new FakeCluster();
        cluster.addressClaims = () => Promise.reject(new Error("etcdserver: request timed out"));
        expectDenied(await admit(wukong(seedSpec()), {}, cluster), "spec.networks: could not check static IPs", "retry");
      });

      it("needs no Wukong lookup for a spec without secondary networks", async () => {
        // Every secondary network claims at least its (defaulted) MAC; the pod network claims nothing.
        const cluster = new FakeCluster();
        cluster.addressClaims = () => Promise.reject(new Error("down"));
        expectAllowed(await admit(wukong({ ...seedSpec(), networks: [] }), {}, cluster));
      });

      it("reports cluster problems together with cross-field problems", async () => {
        const spec: Raw = { ...seedSpec(), disks: [{ name: "system", size: "10Gi", storageClassName: "no-such-class" }] };
        spec.networks[0].ipConfig.gateway = "10.0.0.1";
        expectDenied(
          await admit(wukong(spec), {}, new FakeCluster()),
          "spec.networks[0].ipConfig.gateway: 10.0.0.1 is outside the subnet",
          'spec.disks[0].storageClassName: StorageClass "no-such-class" does not exist',
        );
      });

      it("denies when the Wukong lookup hangs past the default deadline (fail-closed), in about 2 s", async () => {
        const cluster = new FakeCluster();
        cluster.addressClaims = never;
        const started = Date.now();
        expectDenied(await admit(wukong(seedSpec()), {}, cluster), "spec.networks: could not check static IPs", "no answer within 2000 ms");
        expect(Date.now() - started).toBeLessThan(2900);
      }, 5000);

      it("clusterChecks: a hanging Wukong lookup is a problem, hanging StorageClass and NAD lookups are warnings, all within the deadline", async () => {
        const cluster = new FakeCluster();
        cluster.addressClaims = never;
        cluster.storageClasses = never;
        cluster.networkAttachmentDefinitionExists = never;
        const spec = stored({ ...seedSpec(), networks: [...seedSpec().networks!, { name: "legacy", type: "bridge", nadName: "existing-net" }] });
        const started = Date.now();
        const verdict = await clusterChecks({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec }, cluster, 50);
        expect(Date.now() - started).toBeLessThan(1000);
        expect(verdict.problems).toEqual([{ path: "spec.networks", message: expect.stringContaining("no answer within 50 ms") }]);
        expect(verdict.warnings).toHaveLength(2);
        expect(verdict.warnings.join("\n")).toMatch(/StorageClasses[\s\S]*NetworkAttachmentDefinitions/);
      });

      it("clusterChecks: slow lookups within the deadline still count", async () => {
        const cluster = new FakeCluster();
        const slow = cluster.addressClaims.bind(cluster);
        cluster.others = [{ metadata: { namespace: "prod", name: "web-02" }, spec: stored(seedSpec(), "web-02", "prod") }];
        cluster.addressClaims = () => new Promise(resolve => setTimeout(() => resolve(slow()), 20));
        const verdict = await clusterChecks({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec: stored(seedSpec()) }, cluster, 500);
        expect(verdict.problems.map(problem => problem.path)).toEqual(["spec.networks[0].ipConfig.address"]);
      });
    });
  });
});
