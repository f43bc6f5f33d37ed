// Journey 5: an image import fails (the simulator's `sim.novasphere.dev/import: fail` on the Wukong: the simulated
// kubelet ends CDI's importer pod with the importer's own 404 termination message), the Wukong says so in status and
// with a Warning Event; the user removes the cause and it recovers on its own.
import { R, apply, condition, createNamespace, deleteNamespace, eventsFor, getJson, kubectlOk, waitFor, waitForPhase, wukongManifest } from "./support/kube";

const NAME = "importer";
const IMAGE = "http://images.example.com/missing/disk.qcow2";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("import");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("journey 5: a failed import, then recovery", () => {
  test("with the import failing, the phase is Error with the reason in conditions and a Warning Event", async () => {
    await apply(
      ns,
      wukongManifest(
        NAME,
        { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "10Gi", image: IMAGE }] },
        { annotations: { "sim.novasphere.dev/import": "fail" } },
      ),
    );

    const failed = await waitForPhase(ns, NAME, "Error", 60_000);
    expect(condition(failed, "VolumesBound")).toMatchObject({ status: "False", reason: "ImportFailed" });
    expect(condition(failed, "VolumesBound")?.message).toContain(`import from ${IMAGE} failed`);
    expect(condition(failed, "VolumesBound")?.message).toContain("404");
    expect(condition(failed, "Ready")).toMatchObject({ status: "False", reason: "ImportFailed" });
    expect(failed.status.message).toContain("Disk system: import from");
    expect(failed.status.volumes[0]).toMatchObject({ name: "system", bound: false });
    // cdi-controller v1.66.0 keeps retrying a non-fatal import: the DataVolume stays ImportInProgress and its Running
    // condition carries the importer's termination message (pkg/controller/datavolume/import-controller.go,
    // updateStatusPhase; pkg/controller/util.go, setAnnotationsFromPodWithPrefix). Failed is for fatal errors only.
    const dv = await getJson(R.dv, `${NAME}-system`, ns);
    expect(dv.status.phase).toBe("ImportInProgress");
    expect(condition(dv, "Running")).toMatchObject({ status: "False", reason: "Error" });
    expect(condition(dv, "Running")?.message).toContain("Unable to connect to http data source");

    const warnings = await waitFor(async () => (await eventsFor(ns, "Wukong", NAME)).filter(e => e.type === "Warning"), {
      describe: `a Warning Event on wk/${NAME}`,
      until: w => w.length > 0,
      timeoutMs: 15_000,
    });
    expect(warnings[0]).toMatchObject({ reason: "ImportFailed" });
    expect(warnings[0].message).toContain("404");
  });

  test("removing the annotation lets the import finish: Running, and a Normal Recovered Event", async () => {
    await kubectlOk(["annotate", "wk", NAME, "-n", ns, "sim.novasphere.dev/import-"]);

    const running = await waitForPhase(ns, NAME, "Running", 90_000);
    expect(condition(running, "VolumesBound")).toMatchObject({ status: "True", reason: "VolumesReady" });
    expect(condition(running, "Ready")).toMatchObject({ status: "True", reason: "VirtualMachineRunning" });
    expect((await getJson(R.dv, `${NAME}-system`, ns)).status.phase).toBe("Succeeded");

    const events = await waitFor(() => eventsFor(ns, "Wukong", NAME), {
      describe: `a Normal Recovered Event on wk/${NAME}`,
      until: e => e.some(event => event.reason === "Recovered"),
      timeoutMs: 15_000,
    });
    expect(events.find(e => e.reason === "Recovered")).toMatchObject({ type: "Normal" });
    expect(events.find(e => e.reason === "Recovered")?.message).toMatch(/^Recovered: /);
  });
});
