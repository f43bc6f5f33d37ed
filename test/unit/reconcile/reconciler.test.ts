// The reconcile steps against the in-memory cluster: what is written, in which order, and what the
// user sees in status and Events — including when writes fail and when the view lags behind.
import { withDefaults } from "../../../lib/defaults";
import type { LiveObject } from "../../../lib/cluster/live";
import { type ResyncPolicy, wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { ALLOW_DISK_REMOVAL_ANNOTATION, API_VERSION, FINALIZER, LABELS } from "../../../schemas/wukong";
import { MemoryCluster, apiError } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";
const KEY = `${NAMESPACE}/${NAME}`;
const NOW = "2026-11-29T12:00:00Z";
const RESYNC: ResyncPolicy = { errorMs: 15_000, convergingMs: 30_000, deletionMs: 1_000 };
const STATUS_REFRESH_MS = 20_000;

/** Two networks (a generated bridge NAD and the user's own), an imported and a blank disk. */
function spec(overrides: Partial<WukongSpec> = {}): WukongSpec {
  return withDefaults({
    namespace: NAMESPACE,
    name: NAME,
    spec: {
      cpu: 2,
      memory: "4Gi",
      networks: [
        { name: "mgmt", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.10/24" } },
        { name: "shared", type: "bridge", nadName: "shared-lan" },
      ],
      disks: [
        { name: "system", size: "20Gi", storageClassName: "longhorn", image: "docker://quay.io/containerdisks/ubuntu:24.04" },
        { name: "data", size: "50Gi", storageClassName: "longhorn" },
      ],
      ...overrides,
    } as WukongSpec,
  });
}

function setup(wukongSpec = spec()) {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  cluster.lookups.add(`NetworkAttachmentDefinition/${NAMESPACE}/shared-lan`);
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation: 1, finalizers: [FINALIZER] },
    spec: wukongSpec as unknown as Record<string, unknown>,
  });
  const clock = { ms: 1_000_000 };
  const reconcile = wukongReconciler(cluster, { resync: RESYNC, statusRefreshMs: STATUS_REFRESH_MS, now: () => NOW, nowMs: () => clock.ms });
  return { cluster, reconcile, clock };
}

const wukongOf = (cluster: MemoryCluster) => cluster.stored("Wukong", NAMESPACE, NAME)!;
const statusOf = (cluster: MemoryCluster) => wukongOf(cluster).status as WukongStatus;
const condition = (cluster: MemoryCluster, type: string) => statusOf(cluster).conditions?.find(c => c.type === type);

function updateSpec(cluster: MemoryCluster, next: WukongSpec, annotations?: Record<string, string>): void {
  const current = wukongOf(cluster);
  cluster.put("Wukong", {
    ...current,
    metadata: { ...current.metadata, generation: (current.metadata.generation ?? 1) + 1, ...(annotations && { annotations }) },
    spec: next as unknown as Record<string, unknown>,
  });
}

/** Plays CDI, the PV binder and KubeVirt until the VM runs. */
function playRuntime(cluster: MemoryCluster): void {
  const labels = { [LABELS.wukong]: NAME };
  cluster.put("DataVolume", { ...cluster.stored("DataVolume", NAMESPACE, `${NAME}-system`)!, status: { phase: "Succeeded", progress: "100.0%" } });
  // CDI's claim for the DataVolume: labelled like it, controlled by the DataVolume (not by the Wukong).
  cluster.put("PersistentVolumeClaim", {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: `${NAME}-system`, namespace: NAMESPACE, labels, ownerReferences: [{ uid: "dv-uid", controller: true }] },
    spec: { resources: { requests: { storage: "20Gi" } } },
    status: { phase: "Bound", capacity: { storage: "20Gi" } },
  });
  const data = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)!;
  cluster.put("PersistentVolumeClaim", { ...data, status: { phase: "Bound", capacity: { storage: "50Gi" } } });
  cluster.put("VirtualMachine", { ...cluster.stored("VirtualMachine", NAMESPACE, NAME)!, status: { printableStatus: "Running", ready: true } });
  cluster.put("VirtualMachineInstance", {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: NAME, namespace: NAMESPACE, labels },
    status: { phase: "Running", nodeName: "node-1", interfaces: [{ name: "mgmt", ipAddress: "192.168.100.10", mac: "02:00:00:00:00:01" }] },
  });
}

async function converge() {
  const env = setup();
  await env.reconcile(KEY);
  playRuntime(env.cluster);
  await env.reconcile(KEY);
  return env;
}

describe("reconcile: create", () => {
  it("writes each child once, in dependency order, then status, and tells the user in one Event", async () => {
    const { cluster, reconcile } = setup();
    const outcome = await reconcile(KEY);
    expect(cluster.writes.map(w => `${w.verb} ${w.kind}/${w.name}`)).toEqual([
      `apply NetworkAttachmentDefinition/${NAME}-mgmt`,
      `apply DataVolume/${NAME}-system`,
      `apply PersistentVolumeClaim/${NAME}-data`,
      `apply Secret/${NAME}-cloudinit`,
      `apply VirtualMachine/${NAME}`,
      `patchStatus Wukong/${NAME}`,
    ]);
    expect(cluster.events).toEqual([
      {
        type: "Normal",
        reason: "Created",
        message: `Created NetworkAttachmentDefinition ${NAME}-mgmt, DataVolume ${NAME}-system, PersistentVolumeClaim ${NAME}-data, Secret ${NAME}-cloudinit, VirtualMachine ${NAME}`,
      },
    ]);
    expect(statusOf(cluster).phase).toBe("Creating");
    expect(outcome).toEqual({ requeueAfterMs: RESYNC.convergingMs });
  });

  it("adds the finalizer first when admission did not (a Wukong from before the webhook added it)", async () => {
    const { cluster, reconcile } = setup();
    const wukong = wukongOf(cluster);
    cluster.put("Wukong", { ...wukong, metadata: { ...wukong.metadata, finalizers: undefined } });
    await reconcile(KEY);
    expect(cluster.writes[0]).toEqual({ verb: "patch", kind: "Wukong", name: NAME });
    expect(wukongOf(cluster).metadata.finalizers).toEqual([FINALIZER]);
  });

  it("reaches Running with the node and IPs, then writes nothing at all while nothing changes", async () => {
    const { cluster, reconcile } = await converge();
    expect(statusOf(cluster)).toMatchObject({ phase: "Running", nodeName: "node-1" });
    expect(statusOf(cluster).networks?.find(n => n.name === "mgmt")?.ipAddress).toBe("192.168.100.10");
    expect(cluster.events.map(e => e.reason)).toEqual(["Created", "Running"]);

    const [writes, events] = [cluster.writes.length, cluster.events.length];
    for (let i = 0; i < 3; i++) expect(await reconcile(KEY)).toBeUndefined();
    expect(cluster.writes.length).toBe(writes);
    expect(cluster.events.length).toBe(events);
  });
});

describe("reconcile: status writes", () => {
  it("while converging, writes a new phase at once but other detail at most once per refresh interval", async () => {
    const { cluster, reconcile, clock } = setup();
    await reconcile(KEY);
    const dataVolume = () => cluster.stored("DataVolume", NAMESPACE, `${NAME}-system`)!;
    const statusWrites = () => cluster.writes.filter(w => w.verb === "patchStatus").length;
    expect(statusWrites()).toBe(1);

    // The import moves on: only the message would change, so the write waits for the interval.
    cluster.put("DataVolume", { ...dataVolume(), status: { phase: "ImportInProgress", progress: "45.0%" } });
    clock.ms += 5_000;
    expect(await reconcile(KEY)).toEqual({ requeueAfterMs: STATUS_REFRESH_MS - 5_000 });
    expect(statusWrites()).toBe(1);
    clock.ms += STATUS_REFRESH_MS - 5_000;
    await reconcile(KEY);
    expect(statusWrites()).toBe(2);
    expect(statusOf(cluster).message).toContain("45.0%");

    // Running is a new phase: written at once.
    playRuntime(cluster);
    clock.ms += 1_000;
    await reconcile(KEY);
    expect(statusWrites()).toBe(3);
    expect(statusOf(cluster).phase).toBe("Running");

    // Settled: a new detail (the guest got another address) is written at once.
    const vmi = cluster.stored("VirtualMachineInstance", NAMESPACE, NAME)!;
    cluster.put("VirtualMachineInstance", { ...vmi, status: { ...vmi.status, interfaces: [{ name: "mgmt", ipAddress: "192.168.100.11" }] } });
    clock.ms += 1_000;
    await reconcile(KEY);
    expect(statusWrites()).toBe(4);
    expect(statusOf(cluster).networks?.find(n => n.name === "mgmt")?.ipAddress).toBe("192.168.100.11");
  });

  it("writes a new generation at once, so a user sees their change was seen", async () => {
    const { cluster, reconcile } = await converge();
    const writes = cluster.writes.filter(w => w.verb === "patchStatus").length;
    updateSpec(cluster, spec({ cpu: 4 }));
    await reconcile(KEY);
    expect(cluster.writes.filter(w => w.verb === "patchStatus")).toHaveLength(writes + 1);
    expect(statusOf(cluster).observedGeneration).toBe(2);
  });
});

describe("reconcile: changes to the spec", () => {
  it("grows a disk by patching its claim only, and says so", async () => {
    const { cluster, reconcile } = await converge();
    const mark = cluster.writes.length;
    updateSpec(cluster, spec({ disks: spec().disks!.map(d => (d.name === "data" ? { ...d, size: "80Gi" } : d)) }));
    await reconcile(KEY);
    expect(cluster.writesSince(mark).filter(w => w.kind !== "Wukong")).toEqual([{ verb: "patch", kind: "PersistentVolumeClaim", name: `${NAME}-data` }]);
    expect(cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)?.spec).toMatchObject({ resources: { requests: { storage: "80Gi" } } });
    expect(cluster.events.at(-1)).toEqual({ type: "Normal", reason: "Resized", message: `Resized PersistentVolumeClaim ${NAME}-data (50Gi → 80Gi)` });
  });

  // CDI v1.66.0 pkg/controller/datavolume/util.go renderPvcSpecVolumeSize → pkg/controller/common/util.go
  // InflateSizeWithOverhead → pkg/util/util.go GetRequiredSpace: an imported Filesystem disk's claim requests
  // ceil(roundUp(size, 1MiB) × (1 + overhead)) bytes, 5.5% more by default; the DataVolume's spec cannot change.
  describe("grows an imported disk against its DataVolume's size, keeping CDI's filesystem overhead", () => {
    const MiB = 2n ** 20n;
    const requiredSpace = (bytes: bigint) => BigInt(Math.ceil(Number(((bytes + MiB - 1n) / MiB) * MiB) * 1.055));
    const Gi = (n: number) => BigInt(n) * 2n ** 30n;
    const systemClaim = (cluster: MemoryCluster) => cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)!;

    async function inflated() {
      const env = await converge();
      const claim = systemClaim(env.cluster);
      const request = String(requiredSpace(Gi(20)));
      env.cluster.put("PersistentVolumeClaim", {
        ...claim,
        spec: { resources: { requests: { storage: request } } },
        status: { phase: "Bound", capacity: { storage: request } },
      });
      return env;
    }
    const growSystem = (cluster: MemoryCluster, size: string) =>
      updateSpec(cluster, spec({ disks: spec().disks!.map(d => (d.name === "system" ? { ...d, size } : d)) }));
    const requested = (cluster: MemoryCluster) =>
      BigInt(String((systemClaim(cluster).spec as { resources: { requests: { storage: string } } }).resources.requests.storage));

    it("growth smaller than the overhead (20Gi → 21Gi) is not ignored", async () => {
      const { cluster, reconcile } = await inflated();
      growSystem(cluster, "21Gi");
      await reconcile(KEY);
      expect(requested(cluster)).toBeGreaterThanOrEqual(requiredSpace(Gi(21)));
      expect(requested(cluster)).toBeLessThan(requiredSpace(Gi(21)) + MiB);
      expect(cluster.events.at(-1)).toEqual({
        type: "Normal",
        reason: "Resized",
        message: expect.stringMatching(
          new RegExp(`^Resized PersistentVolumeClaim ${NAME}-system \\(20Gi → 21Gi; the claim requests 22\\.\\d+Gi with CDI's filesystem overhead\\)$`),
        ),
      });

      // Done once: the claim remembers the disk size it was grown for.
      const mark = cluster.writes.length;
      await reconcile(KEY);
      expect(cluster.writesSince(mark).filter(w => w.kind === "PersistentVolumeClaim")).toEqual([]);
    });

    it("larger growth (20Gi → 40Gi) never requests less than CDI would for the new size", async () => {
      const { cluster, reconcile } = await inflated();
      growSystem(cluster, "40Gi");
      await reconcile(KEY);
      expect(requested(cluster)).toBeGreaterThanOrEqual(requiredSpace(Gi(40)));
      expect(requested(cluster)).toBeLessThan(requiredSpace(Gi(40)) + MiB);
      growSystem(cluster, "41Gi"); // and again, from the size it was grown to
      await reconcile(KEY);
      expect(requested(cluster)).toBeGreaterThanOrEqual(requiredSpace(Gi(41)));
    });
  });

  it("stops the VM: re-applies it Halted and reports Stopped once the instance is gone", async () => {
    const { cluster, reconcile } = await converge();
    updateSpec(cluster, spec({ startStrategy: { runStrategy: "Halted" } }));
    await reconcile(KEY);
    expect((cluster.stored("VirtualMachine", NAMESPACE, NAME)?.spec as { runStrategy?: string }).runStrategy).toBe("Halted");
    expect(statusOf(cluster).phase).toBe("Stopped");
    expect(condition(cluster, "Ready")).toMatchObject({ status: "False", reason: "Stopping" });
    cluster.remove("VirtualMachineInstance", NAMESPACE, NAME);
    await reconcile(KEY); // settled (Stopped): written at once
    expect(condition(cluster, "Ready")).toMatchObject({ status: "False", reason: "Stopped" });
    expect(statusOf(cluster).nodeName).toBeUndefined();
  });

  it("deletes the volume of a removed disk (with the user's opt-in), by uid, and nothing else", async () => {
    const { cluster, reconcile } = await converge();
    const mark = cluster.writes.length;
    updateSpec(cluster, spec({ disks: spec().disks!.filter(d => d.name !== "data") }), { [ALLOW_DISK_REMOVAL_ANNOTATION]: "data" });
    await reconcile(KEY);
    const childWrites = cluster.writesSince(mark).filter(w => w.kind !== "Wukong");
    // The VM loses the volume; the claim goes; CDI's claim of the imported disk is not ours to delete.
    expect(childWrites).toEqual([
      { verb: "delete", kind: "PersistentVolumeClaim", name: `${NAME}-data` },
      { verb: "apply", kind: "VirtualMachine", name: NAME },
    ]);
    expect(cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-system`)).toBeDefined();
    expect(cluster.events.map(e => e.reason)).toEqual(expect.arrayContaining(["Deleted", "Updated"]));
  });
});

describe("reconcile: a removed network", () => {
  const mgmtNad = `${NAME}-mgmt`;
  const running = (cluster: MemoryCluster, names: string[]) => {
    const vmi = cluster.stored("VirtualMachineInstance", NAMESPACE, NAME)!;
    const spec = {
      domain: { devices: { interfaces: names.map(name => ({ name, bridge: {} })) } },
      networks: names.map(name => ({ name, multus: { networkName: `${NAMESPACE}/${NAME}-${name}` } })),
    };
    cluster.put("VirtualMachineInstance", { ...vmi, spec });
  };
  const vmNetworks = (cluster: MemoryCluster) =>
    (cluster.stored("VirtualMachine", NAMESPACE, NAME)?.spec as { template: { spec: { networks: { name: string }[] } } }).template.spec.networks;

  // kubevirt v1.7.4 pkg/network/multus/nad.go (NetworkToResource): virt-controller renders no launcher pod, not even
  // the migration target that completes a bridge NIC's unplug, while the NAD of a Multus network of the VMI is missing.
  it("keeps its NAD while the NIC is being unplugged, and deletes it once neither the VMI nor the VM names it", async () => {
    const { cluster, reconcile } = await converge();
    running(cluster, ["mgmt"]);
    updateSpec(cluster, spec({ networks: spec().networks!.filter(n => n.name !== "mgmt") }));
    await reconcile(KEY);
    expect(cluster.stored("NetworkAttachmentDefinition", NAMESPACE, mgmtNad)).toBeDefined();
    expect(vmNetworks(cluster).map(n => n.name)).toContain("mgmt");

    // virt-controller drops the detached NIC from the VMI, then from the VM (pkg/network/controllers/vm.go).
    running(cluster, []);
    await reconcile(KEY);
    expect(vmNetworks(cluster).map(n => n.name)).not.toContain("mgmt");
    const mark = cluster.writes.length;
    await reconcile(KEY);
    expect(cluster.writesSince(mark)).toContainEqual({ verb: "delete", kind: "NetworkAttachmentDefinition", name: mgmtNad });
    expect(cluster.stored("NetworkAttachmentDefinition", NAMESPACE, mgmtNad)).toBeUndefined();
  });
});

describe("reconcile: deletion", () => {
  it("deletes our NADs first, waits for them, then releases the finalizer; the rest is left to the garbage collector", async () => {
    const { cluster, reconcile } = await converge();
    const wukong = wukongOf(cluster);
    cluster.put("Wukong", { ...wukong, metadata: { ...wukong.metadata, deletionTimestamp: NOW } });
    const mark = cluster.writes.length;

    expect(await reconcile(KEY)).toEqual({ requeueAfterMs: RESYNC.deletionMs });
    expect(cluster.writesSince(mark)).toEqual([{ verb: "delete", kind: "NetworkAttachmentDefinition", name: `${NAME}-mgmt` }]);
    expect(await reconcile(KEY)).toBeUndefined();
    expect(wukongOf(cluster).metadata.finalizers).toEqual([]);
    expect(cluster.stored("VirtualMachine", NAMESPACE, NAME)).toBeDefined();
  });
});

describe("reconcile: storage classes", () => {
  it("reads the binding mode of the class a claim got by default, and reports a Halted Wukong's disk as binding at start", async () => {
    const { cluster, reconcile } = setup(spec({ disks: [{ name: "data", size: "50Gi" }], startStrategy: { runStrategy: "Halted" } }));
    cluster.storageClasses.set("local-path", { volumeBindingMode: "WaitForFirstConsumer" });
    await reconcile(KEY);
    // The API server's DefaultStorageClass admission names the class; with no consumer the claim stays Pending.
    const data = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)!;
    cluster.put("PersistentVolumeClaim", { ...data, spec: { ...data.spec, storageClassName: "local-path" }, status: { phase: "Pending" } });
    cluster.put("VirtualMachine", { ...cluster.stored("VirtualMachine", NAMESPACE, NAME)!, status: { printableStatus: "Stopped" } });
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Stopped");
    expect(statusOf(cluster).message).toBe(
      `VM ${NAME} is stopped (runStrategy Halted). Disk data binds when the VM starts (StorageClass local-path: WaitForFirstConsumer).`,
    );
    expect(condition(cluster, "VolumesBound")).toMatchObject({ status: "False", reason: "WaitingForFirstConsumer" });
    expect(statusOf(cluster).volumes).toEqual([{ name: "data", pvcName: `${NAME}-data`, bound: false, phase: "WaitingForFirstConsumer" }]);
  });

  it("does not look up the class of a Bound claim: a claim outlives its StorageClass", async () => {
    const { cluster, reconcile, clock } = setup(spec({ disks: [{ name: "data", size: "50Gi" }] }));
    await reconcile(KEY);
    const data = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)!;
    cluster.put("PersistentVolumeClaim", { ...data, spec: { ...data.spec, storageClassName: "deleted-since" }, status: { phase: "Bound" } });
    clock.ms += STATUS_REFRESH_MS;
    await reconcile(KEY);
    expect(condition(cluster, "VolumesBound")).toMatchObject({ status: "True", reason: "VolumesReady" });
  });
});

describe("reconcile: failures", () => {
  it("shows a refused child as Error with the API's reason, and recovers by itself once the write goes through", async () => {
    const { cluster, reconcile } = setup();
    cluster.failNext("VirtualMachine", "apply", apiError(422, "Invalid", 'VirtualMachine.kubevirt.io "app-01" is invalid: spec.template: Required value'));
    expect(await reconcile(KEY)).toEqual({ requeueAfterMs: RESYNC.errorMs });
    expect(statusOf(cluster).phase).toBe("Error");
    expect(condition(cluster, "Ready")).toMatchObject({ status: "False", reason: "VirtualMachineInvalid" });
    expect(cluster.events.at(-1)).toMatchObject({ type: "Warning", reason: "VirtualMachineInvalid" });

    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Creating");
    expect(cluster.stored("VirtualMachine", NAMESPACE, NAME)).toBeDefined();
    expect(cluster.events.at(-1)?.reason).toBe("Recovered");
  });

  it("still writes status when a write keeps failing with 503, then lets the queue retry", async () => {
    const { cluster, reconcile } = setup();
    const unavailable = apiError(503, "ServiceUnavailable", "the server is currently unable to handle the request");
    cluster.failNext("DataVolume", "apply", unavailable, 3);
    for (let attempt = 0; attempt < 3; attempt++) await expect(reconcile(KEY)).rejects.toMatchObject({ kind: "DataVolume" });
    expect(statusOf(cluster).phase).toBe("Error");
    expect(condition(cluster, "VolumesBound")).toMatchObject({ status: "False", reason: "DataVolumeServiceUnavailable" });
    // Steps after the failing one wait for the retry: no VM exists without its disks.
    expect(cluster.stored("VirtualMachine", NAMESPACE, NAME)).toBeUndefined();

    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Creating");
    expect(cluster.stored("VirtualMachine", NAMESPACE, NAME)).toBeDefined();
  });

  it("reports a spec the builders refuse as a condition reason, without writing any child", async () => {
    const { cluster, reconcile } = setup(spec({ cloudInit: { userData: "- not\n- a mapping\n" } }));
    expect(await reconcile(KEY)).toEqual({ requeueAfterMs: RESYNC.errorMs });
    expect(cluster.writes.map(w => w.verb)).toEqual(["patchStatus"]);
    expect(statusOf(cluster).phase).toBe("Error");
    expect(condition(cluster, "Ready")).toMatchObject({ status: "False", reason: "WukongBuildFailed" });
    expect(statusOf(cluster).message).toContain("must be a YAML mapping");
  });

  it("reports a StorageClass or user NAD that does not exist", async () => {
    const { cluster, reconcile } = setup();
    cluster.lookups.clear();
    cluster.storageClasses.clear();
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Error");
    expect(condition(cluster, "NetworksConfigured")).toMatchObject({ status: "False", reason: "NetworkAttachmentMissing" });
    expect(condition(cluster, "VolumesBound")).toMatchObject({ status: "False", reason: "StorageClassMissing" });
  });

  it("reports a user Secret that does not exist, and recovers when it appears", async () => {
    const { cluster, reconcile } = setup(spec({ sshKeySecret: "ops-keys" }));
    await reconcile(KEY);
    expect(condition(cluster, "Ready")).toMatchObject({ status: "False", reason: "SecretMissing" });
    expect(statusOf(cluster).message).toBe("Secret ops-keys does not exist.");
    cluster.lookups.add(`Secret/${NAMESPACE}/ops-keys`);
    await reconcile(KEY);
    expect(statusOf(cluster).phase).toBe("Creating");
  });
});

describe("reconcile: a view that lags behind the API server", () => {
  it("does not write again what it just wrote, before any watch event arrives", async () => {
    const { cluster, reconcile } = setup();
    cluster.watchesKeepUp = false;
    await reconcile(KEY);
    const writes = cluster.writes.length;
    await reconcile(KEY);
    expect(cluster.writes.length).toBe(writes);
  });

  it("re-applies a child it cannot see without making a second one", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(KEY);
    cluster.view.remove("NetworkAttachmentDefinition", NAMESPACE, `${NAME}-mgmt`); // the view lost it; the server did not
    await reconcile(KEY);
    expect(cluster.storedOf("NetworkAttachmentDefinition").map(nad => nad.metadata.name)).toEqual([`${NAME}-mgmt`]);
  });

  it("never deletes a same-named successor it has not seen yet", async () => {
    const { cluster, reconcile } = await converge();
    cluster.watchesKeepUp = false;
    // Someone replaced the data claim (new uid) and the watch has not told us yet.
    const old = cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)!;
    const successor: LiveObject = { ...old, metadata: { ...old.metadata, uid: "successor-uid" } };
    cluster.remove("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`);
    cluster.put("PersistentVolumeClaim", successor);
    updateSpec(cluster, spec({ disks: spec().disks!.filter(d => d.name !== "data") }), { [ALLOW_DISK_REMOVAL_ANNOTATION]: "data" });
    cluster.deliver("Wukong"); // the view has the new spec, and still the old claim
    expect(cluster.view.get("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)?.metadata.uid).toBe(old.metadata.uid);
    await reconcile(KEY);
    expect(cluster.stored("PersistentVolumeClaim", NAMESPACE, `${NAME}-data`)?.metadata.uid).toBe("successor-uid");
  });
});
