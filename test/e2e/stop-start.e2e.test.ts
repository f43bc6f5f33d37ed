// Journey 3: a user stops a running Wukong with runStrategy Halted and starts it again with Always.
import {
  R,
  condition,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  apply,
  waitFor,
  waitForPhase,
  wukongManifest,
} from "./support/kube";

const NAME = "stopper";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("stop");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const patchRunStrategy = (runStrategy: string) =>
  kubectlOk(["patch", "wk", NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { startStrategy: { runStrategy } } })]);

describe("journey 3: stop and start", () => {
  test("the Wukong runs first", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", networks: [{ name: "lan", type: "bridge" }], disks: [{ name: "system", size: "5Gi" }] }));
    const running = await waitForPhase(ns, NAME, "Running");
    expect(["sim-node-1", "sim-node-2"]).toContain(running.status.nodeName); // where kube-scheduler put it
    expect(await getJsonOrUndefined(R.vmi, NAME, ns)).toBeDefined();
  });

  test("runStrategy Halted: the VM is Halted, its instance goes, the phase is Stopped", async () => {
    await patchRunStrategy("Halted");

    await waitFor(async () => (await getJson(R.vm, NAME, ns)).spec.runStrategy, {
      describe: `vm/${NAME} spec.runStrategy Halted`,
      until: s => s === "Halted",
      timeoutMs: 30_000,
    });
    const stopped = await waitForPhase(ns, NAME, "Stopped", 60_000);
    await waitFor(() => getJsonOrUndefined(R.vmi, NAME, ns), { describe: `vmi/${NAME} to be gone`, until: vmi => vmi === undefined, timeoutMs: 30_000 });

    expect(condition(stopped, "Ready")).toMatchObject({ status: "False" });
    expect(["Stopped", "Stopping"]).toContain(condition(stopped, "Ready")?.reason);
    // Stopped and settled: no node any more, Ready says Stopped.
    const settled = await waitFor(() => getJson(R.wukong, NAME, ns), {
      describe: `wk/${NAME} Ready reason Stopped and no nodeName`,
      until: w => condition(w, "Ready")?.reason === "Stopped" && w.status.nodeName === undefined,
      timeoutMs: 30_000,
    });
    expect(settled.status.phase).toBe("Stopped");
    // Networks and volumes stay: only the VM stopped.
    expect(condition(settled, "NetworksConfigured")?.status).toBe("True");
    expect(condition(settled, "VolumesBound")?.status).toBe("True");
    const events = await eventsFor(ns, "Wukong", NAME);
    expect(events).toContainEqual(expect.objectContaining({ type: "Normal", reason: "Stopped" }));
  });

  test("runStrategy Always again: the VM starts and the phase is Running", async () => {
    await patchRunStrategy("Always");

    await waitFor(async () => (await getJson(R.vm, NAME, ns)).spec.runStrategy, {
      describe: `vm/${NAME} spec.runStrategy Always`,
      until: s => s === "Always",
      timeoutMs: 30_000,
    });
    const running = await waitForPhase(ns, NAME, "Running", 60_000);
    expect(["sim-node-1", "sim-node-2"]).toContain(running.status.nodeName); // where kube-scheduler put it
    expect(condition(running, "Ready")).toMatchObject({ status: "True", reason: "VirtualMachineRunning" });
    const vmi = await getJson(R.vmi, NAME, ns);
    expect(vmi.status.phase).toBe("Running");
  });
});
