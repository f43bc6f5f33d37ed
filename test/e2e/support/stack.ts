// The local stack from the suite's side: bring it up (test/stack/up.sh, in the runtime WUKONG_RUNTIME names),
// read the environment env.sh sets, and kill the operator the way a crash would.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO = resolve(__dirname, "../../..");
export const STATE = process.env.WUKONG_STATE ?? join(REPO, ".wukong");
export const STACK_STATE = join(STATE, "stack");
export const OPERATOR_LOG = join(STACK_STATE, "operator.log");
export const SIMULATOR_LOG = join(STACK_STATE, "simulator.log");
/** `dev`: the module under `pepr dev`; `deployed`: the built module as its Deployments run it (test/stack/deployed/). */
export const RUNTIME: "dev" | "deployed" = process.env.WUKONG_RUNTIME === "deployed" ? "deployed" : "dev";
const DEPLOYED = join(STATE, "deployed", "wukong");

/** Runs test/stack/up.sh (idempotent; restarts a dead operator or simulator), its output on our stderr. */
export function stackUp(): void {
  const result = spawnSync(join(REPO, "test/stack/up.sh"), [], { cwd: REPO, stdio: ["ignore", process.stderr, process.stderr], env: process.env });
  if (result.status !== 0) throw new Error(`test/stack/up.sh failed (exit ${result.status ?? result.signal})`);
}

export function stackDown(...args: string[]): void {
  spawnSync(join(REPO, "test/stack/down.sh"), args, { cwd: REPO, stdio: ["ignore", process.stderr, process.stderr], env: process.env });
}

/** PATH and KUBECONFIG exactly as `. test/stack/cluster/env.sh` sets them. */
export function clusterEnv(): { PATH: string; KUBECONFIG: string } {
  const out = execFileSync("bash", ["-c", '. test/stack/cluster/env.sh >&2 && printf "%s\\0%s" "$PATH" "$KUBECONFIG"'], {
    cwd: REPO,
    env: process.env,
    encoding: "utf8",
  });
  const [PATH, KUBECONFIG] = out.split("\0");
  if (!PATH || !KUBECONFIG) throw new Error(`test/stack/cluster/env.sh gave no PATH/KUBECONFIG (${JSON.stringify(out)})`);
  return { PATH, KUBECONFIG };
}

/**
 * The operator's process groups: `pepr dev`'s, or the deployed admission's and watcher's supervisors (each
 * leads its own session, with its container in it).
 */
export function operatorGroups(): number[] {
  const pidFiles = RUNTIME === "dev" ? [join(STACK_STATE, "operator.pid")] : ["admission", "watcher"].map(c => join(DEPLOYED, c, "supervisor.pid"));
  return pidFiles.map(file => Number(readFileSync(file, "utf8").trim()));
}

export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * kill -KILL of every operator process group: nothing gets to clean up, and no supervisor restarts it. A group
 * already gone (killed before, and reaped) is no error: the pid files still name it until the stack restarts it.
 */
export function killOperator(): number[] {
  const groups = operatorGroups();
  for (const pgid of groups) {
    try {
      process.kill(-pgid, "SIGKILL");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
    }
  }
  return groups;
}

export const CLUSTER_STATE = join(STATE, "cluster");
export type ControlPlaneComponent = "etcd" | "kube-apiserver" | "kube-controller-manager";
export const CONTROL_PLANE: readonly ControlPlaneComponent[] = ["etcd", "kube-apiserver", "kube-controller-manager"];

/** Live processes of this stack's <component>: that binary, with a path under this state's cluster/ in its arguments. */
export function controlPlanePids(component: ControlPlaneComponent): number[] {
  return execFileSync("ps", ["-eo", "pid=,stat=,args="], { encoding: "utf8" })
    .split("\n")
    .map(line => line.trim().split(/\s+/))
    .filter(([, stat, exe]) => stat && !stat.startsWith("Z") && exe?.split("/").pop() === component)
    .filter(fields => fields.join(" ").includes(`${CLUSTER_STATE}/`))
    .map(([pid]) => Number(pid));
}

/** Runs test/stack/cluster/up.sh, its output on our stderr. */
export function clusterUp(): void {
  const result = spawnSync(join(REPO, "test/stack/cluster/up.sh"), [], { cwd: REPO, stdio: ["ignore", process.stderr, process.stderr], env: process.env });
  if (result.status !== 0) throw new Error(`test/stack/cluster/up.sh failed (exit ${result.status ?? result.signal})`);
}

/** The operator's log files: pepr dev's, or the deployed admission's and watcher's. */
export function operatorLogFiles(): string[] {
  return RUNTIME === "dev" ? [OPERATOR_LOG] : ["admission", "watcher"].map(c => join(DEPLOYED, `${c}.log`));
}
