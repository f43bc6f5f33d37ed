// The local control plane's scripts after a component died: test/stack/cluster/up.sh starts only what is dead and
// leaves no second copy of anything; test/stack/cluster/down.sh stops every process even when the pid files lie.
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { apply, createNamespace, deleteNamespace, sleep, waitForPhase, wukongManifest } from "./support/kube";
import { CLUSTER_STATE, CONTROL_PLANE, type ControlPlaneComponent, REPO, clusterUp, controlPlanePids, stackUp } from "./support/stack";

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("control-plane");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

/** One live process per component, by pid. */
function running(): Record<ControlPlaneComponent, number[]> {
  return Object.fromEntries(CONTROL_PLANE.map(c => [c, controlPlanePids(c)])) as Record<ControlPlaneComponent, number[]>;
}

async function killAndWait(component: ControlPlaneComponent): Promise<number> {
  const [pid] = controlPlanePids(component);
  process.kill(pid, "SIGKILL");
  for (let i = 0; i < 100 && controlPlanePids(component).length > 0; i++) await sleep(100);
  expect(controlPlanePids(component)).toEqual([]);
  return pid;
}

describe("journey: the control plane after a component died", () => {
  test.each(["kube-apiserver", "etcd", "kube-controller-manager"] as const)("after kill -KILL of %s, up.sh starts only that one", async component => {
    const before = running();
    for (const c of CONTROL_PLANE) expect({ c, count: before[c].length }).toEqual({ c, count: 1 });
    const killed = await killAndWait(component);

    clusterUp();

    const after = running();
    for (const c of CONTROL_PLANE) {
      expect({ c, count: after[c].length }).toEqual({ c, count: 1 });
      if (c === component) expect(after[c][0]).not.toBe(killed);
      else expect({ c, pid: after[c][0] }).toEqual({ c, pid: before[c][0] });
    }
  });

  test("down.sh stops every process although one pid file names a dead process and another is gone", async () => {
    writeFileSync(join(CLUSTER_STATE, "etcd.pid"), "999999\n");
    rmSync(join(CLUSTER_STATE, "kube-apiserver.pid"));

    const down = spawnSync(join(REPO, "test/stack/cluster/down.sh"), [], { cwd: REPO, encoding: "utf8", env: process.env });
    expect(down.status).toBe(0);
    expect(running()).toEqual({ etcd: [], "kube-apiserver": [], "kube-controller-manager": [] });
  });

  test("up.sh then brings the stack back, and a new Wukong converges", async () => {
    stackUp();
    const after = running();
    for (const c of CONTROL_PLANE) expect({ c, count: after[c].length }).toEqual({ c, count: 1 });
    await apply(ns, wukongManifest("after-restart", { cpu: 1, memory: "512Mi", disks: [{ name: "system", size: "1Gi" }] }));
    expect((await waitForPhase(ns, "after-restart", "Running", 180_000)).status.vmName).toBe("after-restart");
  }, 300_000);
});
