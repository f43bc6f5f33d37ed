// Journey 7: the operator dies (SIGKILL to its whole process group) while 20 Wukongs are being created, and is
// started again by test/stack/up.sh. Everything converges, with no duplicate child and no doubled finalizer.
import {
  FINALIZER,
  type Obj,
  R,
  WUKONG_LABEL,
  apply,
  createNamespace,
  deleteNamespace,
  list,
  sleep,
  statusSummary,
  tryApply,
  waitFor,
  wukongManifest,
} from "./support/kube";
import { groupAlive, killOperator, stackUp } from "./support/stack";

const COUNT = 20;
const names = Array.from({ length: COUNT }, (_, i) => `fleet-${String(i + 1).padStart(2, "0")}`);
const CHILD_KINDS = [R.nad, R.pvc, R.secret, R.vm] as const;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("crash");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("journey 7: operator killed mid-creation", () => {
  let runningAtKill = -1;

  test(`${COUNT} Wukongs applied at once, then kill -KILL of the operator's process group`, async () => {
    const manifests = names.map(name =>
      wukongManifest(name, { cpu: 1, memory: "512Mi", networks: [{ name: "lan", type: "bridge", vlanId: 700 }], disks: [{ name: "system", size: "1Gi" }] }),
    );
    const out = await apply(ns, manifests.join("\n---\n"));
    expect(out.trim().split("\n")).toHaveLength(COUNT);

    const groups = killOperator();
    await waitFor(async () => groups.some(groupAlive), {
      describe: `operator process groups ${groups.join(", ")} to be gone`,
      until: alive => !alive,
      timeoutMs: 10_000,
      intervalMs: 100,
    });

    const wukongs = await list(R.wukong, ns);
    expect(wukongs).toHaveLength(COUNT);
    runningAtKill = wukongs.filter(w => w.status?.phase === "Running").length;
    const withFinalizer = wukongs.filter(w => (w.metadata.finalizers ?? []).includes(FINALIZER)).length;
    const vms = (await list(R.vm, ns)).length;
    process.stderr.write(`journey 7: killed the operator with ${withFinalizer} finalizers, ${vms} VMs, ${runningAtKill} Running of ${COUNT} Wukongs\n`);
    // The kill came while they were being created, not after.
    expect(runningAtKill).toBeLessThan(COUNT);

    // With the operator gone, admission fails closed: nothing unchecked gets in.
    const whileDown = await tryApply(ns, wukongManifest("late", { cpu: 1, memory: "512Mi", disks: [{ name: "system", size: "1Gi" }] }));
    expect(whileDown.code).not.toBe(0);
    expect(whileDown.stderr).toMatch(/failed calling webhook|connection refused/);
  });

  test("after test/stack/up.sh restarts it, all converge to Running with exactly one of each child and one finalizer", async () => {
    const restarted = Date.now();
    stackUp();
    process.stderr.write(`journey 7: operator ready again after ${((Date.now() - restarted) / 1000).toFixed(1)} s\n`);

    await waitFor(async () => (await list(R.wukong, ns)).map(w => [w.metadata.name, statusSummary(w).phase]).filter(([, phase]) => phase !== "Running"), {
      describe: `all ${COUNT} Wukongs Running (shown: the ones that are not)`,
      until: notRunning => notRunning.length === 0,
      timeoutMs: 180_000,
      intervalMs: 2000,
    });
    const convergedIn = (Date.now() - restarted) / 1000;
    process.stderr.write(`journey 7: all ${COUNT} Running ${convergedIn.toFixed(1)} s after the restart began\n`);

    const children = Object.fromEntries(await Promise.all(CHILD_KINDS.map(async kind => [kind, await list(kind, ns)] as const)));
    for (const name of names) {
      for (const kind of CHILD_KINDS) {
        const mine = children[kind].filter((o: Obj) => o.metadata.labels?.[WUKONG_LABEL] === name);
        expect({ wukong: name, kind, count: mine.length }).toEqual({ wukong: name, kind, count: 1 });
      }
    }
    // And nothing unlabelled beside them: one per Wukong in the namespace, no more.
    for (const kind of CHILD_KINDS) {
      const ours = children[kind].filter((o: Obj) => !(kind === R.secret && o.type === "kubernetes.io/service-account-token"));
      expect({ kind, count: ours.length }).toEqual({ kind, count: COUNT });
    }

    const wukongs = await list(R.wukong, ns);
    for (const w of wukongs) {
      expect({ wukong: w.metadata.name, finalizers: w.metadata.finalizers }).toEqual({ wukong: w.metadata.name, finalizers: [FINALIZER] });
      // kube-scheduler spreads them over the two simulated nodes.
      expect(["sim-node-1", "sim-node-2"]).toContain(w.status.nodeName);
    }
    // Settled, the restarted operator leaves them alone: no status churn.
    const before = wukongs.map(w => w.metadata.resourceVersion);
    await sleep(3000);
    expect((await list(R.wukong, ns)).map(w => w.metadata.resourceVersion)).toEqual(before);
  }, 300_000);
});
