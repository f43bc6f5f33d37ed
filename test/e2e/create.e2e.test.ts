// Journey 1: a user applies the seed example and watches it come up; then a Wukong whose disks are imported
// (a registry image and an http image). Also: once settled, the operator writes nothing.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  FINALIZER,
  type Obj,
  R,
  WUKONG_LABEL,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  list,
  sleep,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "./support/kube";
import { REPO } from "./support/stack";
import { type PhaseWatch, watchPhases } from "./support/watch";

const SEED = readFileSync(join(REPO, "samples/seed.yaml"), "utf8");
const NAME = "web-server-01";

let ns: string;
let phases: PhaseWatch;

beforeAll(async () => {
  ns = await createNamespace("create");
  phases = watchPhases(ns);
  await phases.ready;
});

afterAll(async () => {
  phases?.stop();
  await deleteNamespace(ns);
});

function expectOwnedBy(child: Obj, owner: Obj): void {
  expect(child.metadata.labels?.[WUKONG_LABEL]).toBe(owner.metadata.name);
  expect(child.metadata.ownerReferences).toEqual([
    expect.objectContaining({
      apiVersion: "vm.novasphere.dev/v1alpha1",
      kind: "Wukong",
      name: owner.metadata.name,
      uid: owner.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    }),
  ]);
}

describe("journey 1: the seed example", () => {
  let admitted: Obj;

  test("kubectl apply -f samples/seed.yaml is admitted with the defaults visible in the stored spec", async () => {
    const out = await apply(ns, SEED);
    expect(out).toContain(`wukong.vm.novasphere.dev/${NAME} created`);

    admitted = await wukong(ns, NAME);
    const network = admitted.spec.networks[0];
    // A stable, locally administered unicast MAC (second-lowest bit of the first octet set, lowest clear).
    expect(network.macAddress).toMatch(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
    expect(parseInt(network.macAddress.slice(0, 2), 16) & 0b11).toBe(0b10);
    expect(network.ipConfig).toEqual({ mode: "static", address: "192.168.100.10/24" });
    expect(network.bridgeName).toBe("br0");
    expect(admitted.spec.podNetwork).toBe(true);
    expect(admitted.spec.startStrategy).toEqual({ runStrategy: "Always" });
    expect(admitted.spec.disks).toEqual([{ name: "system", size: "80Gi", storageClassName: "longhorn", boot: true }]);

    // The finalizer comes first, before any child exists.
    const withFinalizer = await waitFor(() => wukong(ns, NAME), {
      describe: `the finalizer on wk/${NAME}`,
      until: w => (w.metadata.finalizers ?? []).includes(FINALIZER),
      timeoutMs: 30_000,
    });
    expect(withFinalizer.metadata.finalizers).toEqual([FINALIZER]);
  });

  test("the operator creates the NAD, PVC, cloud-init Secret and VM, each owned by the Wukong and labelled", async () => {
    const children = await waitFor(
      async () => ({
        nad: await getJsonOrUndefined(R.nad, `${NAME}-mgmt`, ns),
        pvc: await getJsonOrUndefined(R.pvc, `${NAME}-system`, ns),
        secret: await getJsonOrUndefined(R.secret, `${NAME}-cloudinit`, ns),
        vm: await getJsonOrUndefined(R.vm, NAME, ns),
      }),
      { describe: "all four children to exist", until: c => Boolean(c.nad && c.pvc && c.secret && c.vm), timeoutMs: 60_000 },
    );
    const { nad, pvc, secret, vm } = children as Record<string, Obj>;
    for (const child of [nad, pvc, secret, vm]) expectOwnedBy(child, admitted);

    // What each child says matches the spec.
    expect(JSON.parse(nad.spec.config)).toMatchObject({ type: "bridge", bridge: "br0", vlan: 100, name: `${NAME}-mgmt` });
    expect(pvc.spec.storageClassName).toBe("longhorn");
    expect(pvc.spec.resources.requests.storage).toBe("80Gi");
    const networkData = Buffer.from(secret.data.networkdata, "base64").toString("utf8");
    expect(networkData).toContain("192.168.100.10/24");
    expect(networkData.toLowerCase()).toContain(admitted.spec.networks[0].macAddress);
    expect(vm.spec.runStrategy).toBe("Always");
    const domain = vm.spec.template.spec.domain;
    expect(domain.cpu.sockets).toBe(4);
    expect(domain.memory.guest).toBe("8Gi");
    expect(domain.devices.interfaces).toContainEqual(expect.objectContaining({ name: "mgmt", bridge: {}, macAddress: admitted.spec.networks[0].macAddress }));
    expect(vm.spec.template.spec.networks).toContainEqual({ name: "mgmt", multus: { networkName: `${ns}/${NAME}-mgmt` } });
  });

  test("the phase goes Creating → Running, with every condition True, the static IP and the node in status", async () => {
    const running = await waitForPhase(ns, NAME, "Running", 90_000);

    // The watch saw the way there: Creating first, never Error.
    const seen = phases.phases(NAME);
    expect(seen).toContain("Creating");
    expect(seen.indexOf("Creating")).toBeLessThan(seen.lastIndexOf("Running"));
    expect(seen).not.toContain("Error");

    for (const type of ["Ready", "NetworksConfigured", "VolumesBound"]) {
      expect(condition(running, type)).toMatchObject({ type, status: "True" });
    }
    expect(condition(running, "Ready")?.reason).toBe("VirtualMachineRunning");
    expect(running.status.networks[0]).toMatchObject({
      name: "mgmt",
      ipAddress: "192.168.100.10",
      nadName: `${NAME}-mgmt`,
      macAddress: admitted.spec.networks[0].macAddress,
    });
    // The node kube-scheduler chose for the launcher pod, where virt-controller handed the VMI.
    expect(running.status.nodeName).toBe((await getJson(R.vmi, NAME, ns)).status.nodeName);
    expect(["sim-node-1", "sim-node-2"]).toContain(running.status.nodeName);
    expect(running.status.volumes).toEqual([expect.objectContaining({ name: "system", pvcName: `${NAME}-system`, bound: true, size: "80Gi" })]);
    expect(running.status.observedGeneration).toBe(running.metadata.generation);

    const events = await eventsFor(ns, "Wukong", NAME);
    // One Event for everything a reconcile created: Events are writes too.
    const created = events.filter(e => e.type === "Normal" && e.reason === "Created").map(e => e.message);
    expect(created).toEqual([
      `Created NetworkAttachmentDefinition ${NAME}-mgmt, PersistentVolumeClaim ${NAME}-system, Secret ${NAME}-cloudinit, VirtualMachine ${NAME}`,
    ]);
    expect(events).toContainEqual(expect.objectContaining({ type: "Normal", reason: "Running" }));
    expect(events.filter(e => e.type === "Warning")).toEqual([]);
  });

  test("once settled, nothing is written: the Wukong's and its children's resourceVersions stay put for 10 s", async () => {
    // Settled: the VM reports Running and ready, and the Wukong has caught up with it.
    await waitFor(async () => (await getJson(R.vm, NAME, ns)).status, {
      describe: `vm/${NAME} printableStatus Running and ready`,
      until: s => s?.printableStatus === "Running" && s?.ready === true,
      timeoutMs: 30_000,
    });
    await waitForPhase(ns, NAME, "Running", 10_000);
    await sleep(3_000);

    const versions = async () => ({
      wukong: (await wukong(ns, NAME)).metadata.resourceVersion,
      vm: (await getJson(R.vm, NAME, ns)).metadata.resourceVersion,
      secret: (await getJson(R.secret, `${NAME}-cloudinit`, ns)).metadata.resourceVersion,
      nad: (await getJson(R.nad, `${NAME}-mgmt`, ns)).metadata.resourceVersion,
      pvc: (await getJson(R.pvc, `${NAME}-system`, ns)).metadata.resourceVersion,
    });
    const before = await versions();
    await sleep(10_000);
    expect(await versions()).toEqual(before);
  });
});

describe("journey 1b: disks imported from a registry and over http", () => {
  const IMPORTED = "imported";
  const REGISTRY_URL = "docker://quay.io/containerdisks/fedora:40";
  const HTTP_URL = "http://images.example.com/data/disk.qcow2";

  test("each image becomes a DataVolume with the right source, imports, and the VM runs", async () => {
    await apply(
      ns,
      wukongManifest(IMPORTED, {
        cpu: 2,
        memory: "2Gi",
        networks: [{ name: "lan", type: "bridge" }],
        disks: [
          { name: "system", size: "20Gi", image: REGISTRY_URL },
          { name: "data", size: "5Gi", image: HTTP_URL },
        ],
      }),
    );
    const admitted = await wukong(ns, IMPORTED);
    // Defaults for a network without ipConfig and disks without boot.
    expect(admitted.spec.networks[0]).toMatchObject({ ipConfig: { mode: "dhcp" }, bridgeName: "br0" });
    expect(admitted.spec.disks.map((d: Obj) => [d.name, d.boot])).toEqual([
      ["system", true],
      ["data", false],
    ]);

    const [system, data] = await waitFor(
      async () => [await getJsonOrUndefined(R.dv, `${IMPORTED}-system`, ns), await getJsonOrUndefined(R.dv, `${IMPORTED}-data`, ns)],
      { describe: "both DataVolumes to exist", until: dvs => dvs.every(Boolean), timeoutMs: 60_000 },
    );
    expect(system!.spec.source).toEqual({ registry: { url: REGISTRY_URL } });
    expect(data!.spec.source).toEqual({ http: { url: HTTP_URL } });
    expectOwnedBy(system!, admitted);
    expectOwnedBy(data!, admitted);
    expect(system!.spec.storage.resources.requests.storage).toBe("20Gi");

    const running = await waitForPhase(ns, IMPORTED, "Running", 120_000);
    for (const dvName of [`${IMPORTED}-system`, `${IMPORTED}-data`]) {
      const dv = await getJson(R.dv, dvName, ns);
      expect(dv.status).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    }
    expect(condition(running, "VolumesBound")).toMatchObject({ status: "True", reason: "VolumesReady" });
    // cdi-controller v1.66.0 sizes a Filesystem claim for the filesystem overhead (pkg/util/util.go,
    // GetRequiredSpace: ceil(size × (1 + overhead)), CDIConfig's default global overhead 0.06 from
    // pkg/common/common.go) and the status reports the claim's capacity, in bytes.
    const withOverhead = (gi: number) => String(Math.ceil(gi * 2 ** 30 * 1.06));
    expect(running.status.volumes).toEqual([
      expect.objectContaining({ name: "system", bound: true, size: withOverhead(20) }),
      expect.objectContaining({ name: "data", bound: true, size: withOverhead(5) }),
    ]);
    // The VM waits on the DataVolumes themselves, and the claims CDI made carry the Wukong's label.
    const vm = await getJson(R.vm, IMPORTED, ns);
    expect(vm.spec.template.spec.volumes).toEqual(
      expect.arrayContaining([
        { name: "system", dataVolume: { name: `${IMPORTED}-system` } },
        { name: "data", dataVolume: { name: `${IMPORTED}-data` } },
      ]),
    );
    const claims = await list(R.pvc, ns, `${WUKONG_LABEL}=${IMPORTED}`);
    expect(claims.map(c => c.metadata.name).sort()).toEqual([`${IMPORTED}-data`, `${IMPORTED}-system`]);
    // A dhcp NIC's address comes from the segment (the simulator's fake DHCP), and status shows it.
    expect(running.status.networks[0].ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  });
});
