// Live resize on the real virt-controller and virt-api (KubeVirt v1.7.4). Under the default vmRolloutStrategy
// LiveUpdate, virt-controller applies a grown domain.cpu.sockets to the running VMI and marks it HotVCPUChange
// (pkg/virt-controller/watch/vm/vm.go handleCPUChangeRequest, watch/vmi/lifecycle.go); its workload updater asks for
// a migration (watch/workload-updater/workload-updater.go, with LiveMigrate in test/stack/cluster/kubevirt-cr.yaml),
// and virt-handler, simulated (test/simulator/virt-handler-resize.ts, after pkg/virt-handler/migration-target.go),
// reports the new topology. Memory grown past the headroom KubeVirt derived (4 × memory, pkg/defaults/defaults.go
// setupMemoryHotplug) is refused live: RestartRequired on the VM with KubeVirt's message (vm.go
// handleMemoryHotplugRequest: pkg/liveupdate/memory/memory.go ValidateLiveUpdateMemory refuses a guest above the
// VMI's maxGuest before the later "higher than what's available" check is reached), copied onto the Wukong. With spec.updates.restartWhenRequired the operator deletes the
// VMI and virt-controller starts a new one of the new size (runStrategy Always).
import {
  type Obj,
  R,
  apply,
  tryApply,
  createNamespace,
  deleteNamespace,
  getJson,
  kubectlOk,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "../support/kube";

const NAME = "resize";
const TOO_MUCH_MEMORY = "memory hotplug not supported, Guest memory is greater than the configured maxGuest memory";
let ns: string;
let bootedVmiUid: string;

beforeAll(async () => {
  ns = await createNamespace("up-resize");
});
afterAll(() => deleteNamespace(ns));

const patchSpec = (spec: Obj) => kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec })]);

test("admission denies headroom below the size, each at its field path, in one answer", async () => {
  const denied = await tryApply(
    ns,
    wukongManifest("too-small", { cpu: 4, memory: "4Gi", limits: { maxCpu: 2, maxMemory: "2Gi" }, disks: [{ name: "system", size: "1Gi" }] }),
  );
  expect(denied.code).not.toBe(0);
  expect(denied.stderr).toContain("spec.limits.maxCpu");
  expect(denied.stderr).toContain("limits.maxCpu must be at least cpu");
  expect(denied.stderr).toContain("spec.limits.maxMemory");
  expect(denied.stderr).toContain("limits.maxMemory must be at least memory");
});

test("a running Wukong: KubeVirt's default headroom (4×) on the VMI, and status.resize Live", async () => {
  // A shared disk: KubeVirt hot-plugs CPU and memory only into a LiveMigratable VMI ("Memory-hotplug is only
  // available for migratable VMs", pkg/virt-controller/watch/vm/vm.go), which needs every claim ReadWriteMany.
  await apply(
    ns,
    wukongManifest(NAME, { cpu: 2, memory: "2Gi", disks: [{ name: "system", size: "1Gi", storageClassName: "shared", accessMode: "ReadWriteMany" }] }),
  );
  await waitForPhase(ns, NAME, "Running", 120_000);
  const vmi = await getJson(R.vmi, NAME, ns);
  bootedVmiUid = vmi.metadata.uid;
  expect(vmi.spec.domain.cpu).toMatchObject({ sockets: 2, cores: 1, threads: 1, maxSockets: 8 });
  expect(vmi.spec.domain.memory).toMatchObject({ guest: "2Gi", maxGuest: "8Gi" });
  const resize = await waitFor(async () => (await wukong(ns, NAME)).status?.resize, { describe: `wk/${NAME} status.resize`, until: r => r?.phase === "Live" });
  expect(resize).toMatchObject({ cpu: { requested: 2, current: 2, max: 8 }, memory: { requested: "2Gi", current: "2Gi", max: "8Gi" } });
});

test("cpu 2 → 4: the VMI gets 4 sockets without a restart, and the Wukong says Live", async () => {
  await patchSpec({ cpu: 4 });
  // virt-controller patches the running VMI (VMICPUsPatch), then the hot-plug is reported by virt-handler.
  const vmi = await waitFor(() => getJson(R.vmi, NAME, ns), {
    describe: `vmi/${NAME} with 4 current sockets`,
    until: v => v.spec.domain.cpu.sockets === 4 && v.status?.currentCPUTopology?.sockets === 4,
    timeoutMs: 90_000,
  });
  expect(vmi.metadata.uid).toBe(bootedVmiUid);
  expect(vmi.status.conditions.map((c: Obj) => c.type)).not.toContain("HotVCPUChange");
  // The workload updater asked for the migration that completes a hot-plug (its Event on the VMI).
  const migrations = await waitFor(() => kubectlOk(["get", "events", "-n", ns, "--field-selector", `involvedObject.name=${NAME}`, "-o", "json"]), {
    describe: "virt-controller's workload-update migration Event",
    until: out => out.includes("for automated workload update"),
  });
  expect(migrations).toContain("Created Migration");
  const status = await waitFor(async () => (await wukong(ns, NAME)).status, {
    describe: `wk/${NAME} status.resize Live with 4 vCPUs`,
    until: s => s?.resize?.phase === "Live" && s.resize.cpu.current === 4,
    timeoutMs: 60_000,
  });
  expect(status!.phase).toBe("Running");
  expect(status!.conditions.map((c: Obj) => c.type)).not.toContain("RestartRequired");
  expect(status!.restartRequired).toBe(false);
});

test("memory 2Gi → 16Gi, past the 8Gi headroom: RestartRequired with KubeVirt's reason, and no restart by default", async () => {
  await patchSpec({ memory: "16Gi" });
  const status = await waitFor(async () => (await wukong(ns, NAME)).status, {
    describe: `wk/${NAME} RestartRequired`,
    until: s => s?.resize?.phase === "WaitingForRestart" && s.conditions?.some((c: Obj) => c.type === "RestartRequired"),
    timeoutMs: 60_000,
  });
  const restart = status!.conditions.find((c: Obj) => c.type === "RestartRequired");
  expect(restart).toMatchObject({ status: "True", reason: "VirtualMachineSpecChanged" });
  expect(restart.message).toBe(`Restart VM ${NAME} to apply the latest spec changes: ${TOO_MUCH_MEMORY}.`);
  expect(status!.resize.message).toContain(`KubeVirt says ${TOO_MUCH_MEMORY}`);
  // Copied from the VM, not guessed: virt-controller wrote it there.
  const vm = await getJson(R.vm, NAME, ns);
  expect(vm.status.conditions.find((c: Obj) => c.type === "RestartRequired")?.message).toBe(TOO_MUCH_MEMORY);
  expect((await getJson(R.vmi, NAME, ns)).metadata.uid).toBe(bootedVmiUid);
});

test("with spec.updates.restartWhenRequired the operator restarts the VM and the 16Gi land", async () => {
  await patchSpec({ updates: { restartWhenRequired: true } });
  const vmi = await waitFor(
    () =>
      kubectlOk(["get", R.vmi, NAME, "-n", ns, "-o", "json"])
        .then(JSON.parse)
        .catch(() => undefined),
    {
      describe: `a new vmi/${NAME} with 16Gi`,
      until: v => v !== undefined && v.metadata.uid !== bootedVmiUid && v.spec.domain.memory.guest === "16Gi",
      timeoutMs: 90_000,
    },
  );
  expect(vmi!.spec.domain.cpu.sockets).toBe(4);
  const status = await waitFor(async () => (await wukong(ns, NAME)).status, {
    describe: `wk/${NAME} Running, Live at 16Gi`,
    until: s => s?.phase === "Running" && s.resize?.phase === "Live" && s.resize.memory.current === "16Gi",
    timeoutMs: 90_000,
  });
  expect(status!.conditions.map((c: Obj) => c.type)).not.toContain("RestartRequired");
  const events = await kubectlOk(["get", "events", "-n", ns, "--field-selector", `involvedObject.name=${NAME},involvedObject.kind=Wukong`, "-o", "json"]);
  expect(events).toContain(`Restarted VirtualMachineInstance ${NAME} (${TOO_MUCH_MEMORY})`);
});
