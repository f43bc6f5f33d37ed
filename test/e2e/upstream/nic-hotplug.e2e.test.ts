// A bridge NIC added to a running Wukong, on the real KubeVirt v1.7.4 virt-controller: it is hot-plugged without a
// restart. virt-controller's VM network controller patches the new interface into the running VMI's spec
// (pkg/network/controllers/vm.go, Sync); the VMI becomes MigrationRequired once no Multus dynamic networks controller
// attached it in place (pkg/network/migration/evaluator.go, 15 s grace); the workload updater migrates it
// (pkg/virt-controller/watch/workload-updater/workload-updater.go; test/stack/cluster/kubevirt-cr.yaml lists
// LiveMigrate) to a target pod whose Multus annotation has the new network (pkg/network/pod/annotations/generator.go);
// the simulated Multus attaches it there (test/simulator/kubelet.ts) and the simulated virt-handler reports it in the
// guest's domain on the target (test/simulator/virt-handler-migration.ts). Bridge hot-plug needs that migration, so
// the disk is ReadWriteMany (test/stack/cluster/upstream/shared-storage.yaml).
// Removing it unplugs it the same way back: the operator keeps it on the VM as `state: absent` (lib/children/nic-unplug.ts)
// and keeps its NAD meanwhile (lib/networks/reconcile-nads.ts); virt-controller marks it absent on the VMI, the simulated
// virt-handler detaches it from the domain, the VMI is migrated to a pod without the network
// (pkg/network/migration/evaluator.go, generator.go), and virt-controller then drops it from the VMI and the VM
// (pkg/network/controllers/vm.go, clearDetachedIfacesFromVMI/VM).
import {
  R,
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "../support/kube";

const NAME = "plugged";
let ns: string;

const spec = (networks: object[]) => ({
  cpu: 1,
  memory: "1Gi",
  networks,
  disks: [{ name: "system", size: "1Gi", boot: true, storageClassName: "shared", accessMode: "ReadWriteMany" }],
});
const MGMT = { name: "mgmt", type: "bridge", bridgeName: "br-mgmt", ipConfig: { mode: "dhcp" } };
const ADDED = { name: "added", type: "bridge", bridgeName: "br-added", ipConfig: { mode: "dhcp" } };

beforeAll(async () => {
  ns = await createNamespace("up-nic");
});
afterAll(() => deleteNamespace(ns));

test("a NIC added to a running Wukong becomes Plugged on the VMI, without a restart", async () => {
  await apply(ns, wukongManifest(NAME, spec([MGMT])));
  await waitForPhase(ns, NAME, "Running", 120_000);
  const before = await getJson(R.vmi, NAME, ns);

  await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "add", path: "/spec/networks/-", value: ADDED }])]);
  const pending = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} reports NIC added`,
    until: w => (w.status?.networks ?? []).some((n: { name: string }) => n.name === "added"),
    timeoutMs: 30_000,
  });
  expect(pending.status.networks.find((n: { name: string }) => n.name === "added").state).toMatch(/^(Pending|Plugged)$/);

  const plugged = await waitFor(() => wukong(ns, NAME), {
    describe: `wk/${NAME} NIC added Plugged`,
    until: w => (w.status?.networks ?? []).find((n: { name: string }) => n.name === "added")?.state === "Plugged",
    timeoutMs: 120_000,
  });
  expect(plugged.status.networks.map((n: { name: string; state: string }) => [n.name, n.state])).toEqual([
    ["mgmt", "Plugged"],
    ["added", "Plugged"],
    ["pod", "Plugged"],
  ]);
  const after = await getJson(R.vmi, NAME, ns);
  // The same VMI, never restarted: it moved to another pod by live migration.
  expect(after.metadata.uid).toBe(before.metadata.uid);
  expect(after.status.phase).toBe("Running");
  expect(after.spec.domain.devices.interfaces.map((i: { name: string }) => i.name)).toContain("added");
  expect(after.status.interfaces.find((i: { name: string }) => i.name === "added").infoSource).toContain("domain");
});

test("a NIC removed from a running Wukong is unplugged from the VMI and the VM, without a restart", async () => {
  const before = await getJson(R.vmi, NAME, ns);
  const names = (items: { name: string }[] = []) => items.map(item => item.name);
  const index = (await wukong(ns, NAME)).spec.networks.findIndex((n: { name: string }) => n.name === "added");
  await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "remove", path: `/spec/networks/${index}` }])]);

  const after = await waitFor(() => getJson(R.vmi, NAME, ns), {
    describe: `vmi/${NAME} without the NIC added`,
    until: vmi => !names(vmi.spec.domain.devices.interfaces).includes("added") && !names(vmi.status?.interfaces).includes("added"),
    timeoutMs: 150_000,
  });
  expect(after.metadata.uid).toBe(before.metadata.uid);
  expect(after.status.phase).toBe("Running");
  expect(names(after.spec.networks)).not.toContain("added");
  const vm = await waitFor(() => getJson(R.vm, NAME, ns), {
    describe: `vm/${NAME} without the NIC added`,
    until: v => !names(v.spec.template.spec.domain.devices.interfaces).includes("added"),
    timeoutMs: 30_000,
  });
  expect(names(vm.spec.template.spec.networks)).not.toContain("added");
  await waitFor(() => getJsonOrUndefined(R.nad, `${NAME}-added`, ns), {
    describe: `nad/${NAME}-added deleted`,
    until: nad => nad === undefined,
    timeoutMs: 30_000,
  });
  const w = await wukong(ns, NAME);
  expect(w.status.networks.map((n: { name: string; state: string }) => [n.name, n.state])).toEqual([
    ["mgmt", "Plugged"],
    ["pod", "Plugged"],
  ]);
  expect(w.status.phase).toBe("Running");
});
