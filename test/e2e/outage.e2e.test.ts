// Journey: the control plane goes away. Wukongs are converging when kube-apiserver stops for two minutes
// (WUKONG_E2E_OUTAGE_SECONDS); test/stack/cluster/up.sh then starts it again. The operator rides it out (or, when
// deployed, exits with a clear line and its supervisor restarts it); every Wukong converges with exactly one of
// each child, and no log holds an unhandled rejection or an uncaught exception.
import { readFileSync } from "node:fs";
import { type Obj, R, WUKONG_LABEL, apply, createNamespace, deleteNamespace, list, sleep, statusSummary, waitFor, wukongManifest } from "./support/kube";
import { plantedUser, secretLeaks, secretMarker } from "./support/secrets";
import { RUNTIME, clusterUp, controlPlanePids, groupAlive, operatorGroups, operatorLogFiles } from "./support/stack";

const OUTAGE_SECONDS = Number(process.env.WUKONG_E2E_OUTAGE_SECONDS ?? 120);
const marker = secretMarker();
// Blank disks bind quickly; the imported ones (slowed down by the simulator) are still importing at the outage.
interface Member {
  name: string;
  disk: { name: string; size: string; image?: string };
  annotations: Record<string, string>;
}
const fleet: Member[] = [
  ...Array.from({ length: 4 }, (_, i) => ({ name: `blank-${i + 1}`, disk: { name: "system", size: "1Gi" }, annotations: {} })),
  ...Array.from({ length: 2 }, (_, i) => ({
    name: `imported-${i + 1}`,
    disk: { name: "system", size: "2Gi", image: "docker://quay.io/containerdisks/ubuntu:24.04" },
    annotations: { "sim.novasphere.dev/import": "slow" },
  })),
];
const CHILD_KINDS = [R.nad, R.secret, R.vm] as const;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("outage");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const logs = () =>
  operatorLogFiles()
    .map(file => readFileSync(file, "utf8"))
    .join("\n");

describe("journey: kube-apiserver away for a while", () => {
  let groups: number[] = [];

  test(
    `Wukongs converging when kube-apiserver stops for ${OUTAGE_SECONDS} s`,
    async () => {
      const manifests = fleet.map(({ name, disk, annotations }) =>
        wukongManifest(
          name,
          { cpu: 1, memory: "512Mi", networks: [{ name: "lan", type: "bridge", vlanId: 710 }], disks: [disk], ...plantedUser(marker) },
          { annotations },
        ),
      );
      expect((await apply(ns, manifests.join("\n---\n"))).trim().split("\n")).toHaveLength(fleet.length);
      groups = operatorGroups();
      await sleep(2000);

      const [apiserver] = controlPlanePids("kube-apiserver");
      const phases = (await list(R.wukong, ns)).map(w => statusSummary(w).phase);
      process.stderr.write(`outage: stopping kube-apiserver (pid ${apiserver}) with phases ${phases.join(", ")}\n`);
      expect(phases.filter(phase => phase === "Running").length).toBeLessThan(fleet.length);
      // SIGKILL: gone at once, connections reset (on SIGTERM it drains its watches for well over 30 s).
      process.kill(apiserver, "SIGKILL");
      await waitFor(async () => controlPlanePids("kube-apiserver"), {
        describe: "kube-apiserver to exit",
        until: pids => pids.length === 0,
        timeoutMs: 10_000,
      });
      await sleep(OUTAGE_SECONDS * 1000);
    },
    OUTAGE_SECONDS * 1000 + 120_000,
  );

  test("after test/stack/cluster/up.sh starts it again, every Wukong converges with exactly one of each child", async () => {
    const restarted = Date.now();
    clusterUp();
    await waitFor(async () => (await list(R.wukong, ns)).map(w => [w.metadata.name, statusSummary(w).phase]).filter(([, phase]) => phase !== "Running"), {
      describe: `all ${fleet.length} Wukongs Running (shown: the ones that are not)`,
      until: notRunning => notRunning.length === 0,
      timeoutMs: 300_000,
      intervalMs: 2000,
    });
    process.stderr.write(`outage: all Running ${((Date.now() - restarted) / 1000).toFixed(1)} s after up.sh began\n`);

    const children = Object.fromEntries(await Promise.all([...CHILD_KINDS, R.dv, R.pvc].map(async kind => [kind, await list(kind, ns)] as const)));
    for (const { name, disk } of fleet) {
      // Children by label; claims by name too, as CDI's claim for a DataVolume need not carry the label.
      const mine = (kind: string) =>
        children[kind].filter((o: Obj) => o.metadata.labels?.[WUKONG_LABEL] === name || (kind === R.pvc && o.metadata.name === `${name}-${disk.name}`)).length;
      const expected = { [R.nad]: 1, [R.secret]: 1, [R.vm]: 1, [R.dv]: disk.image ? 1 : 0, [R.pvc]: 1 };
      expect({ wukong: name, ...Object.fromEntries(Object.keys(expected).map(kind => [kind, mine(kind)])) }).toEqual({ wukong: name, ...expected });
    }
  }, 420_000);

  test("the operator rode it out, with no unhandled rejection or uncaught exception in its logs", async () => {
    // Under pepr dev nothing would restart it; deployed, its supervisor may have (after a clear fatal line).
    if (RUNTIME === "dev") expect(groups.map(groupAlive)).toEqual(groups.map(() => true));
    const text = logs();
    expect(text).not.toMatch(/unhandled|uncaught|UnhandledPromiseRejection/i);
    expect(await secretLeaks(marker)).toEqual([]);
  });
});
