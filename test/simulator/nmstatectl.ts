// The real nmstatectl 2.2.62 (../shared/upstream, see its README), run the way kubernetes-nmstate v0.86's handler
// runs it (pkg/nmstatectl/nmstatectl.go): state and policy in temporary files, the error built from stdout, stderr
// and the exit status. Only what works without NetworkManager (no D-Bus here): `policy` exactly as the handler
// calls it; `statistic` and `validate` with `--current` (the NodeNetworkState), since without it they ask
// NetworkManager. `validate --current` merges a desired state onto that state and checks it; the simulator runs
// it where the handler runs `apply`.
import { execFileSync, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- nmstate states are free-form JSON
export type State = any;

/** What `nmstatectl policy --output-captured` writes: capture name → its state and when it was taken. */
export type CapturedStates = Record<string, { state: State; metaInfo?: { time?: string; version?: string } }>;

export interface Nmstatectl {
  /** pkg/nmstatectl/nmstatectl.go `Policy`: the desired state and the captured states, or the handler's error. */
  policy(
    policy: { capture?: Record<string, string>; desiredState?: State },
    current: State,
    captured?: CapturedStates,
  ): Promise<{ desiredState: State; capturedStates: CapturedStates }>;
  /** pkg/nmstatectl/nmstatectl.go `Statistic`: the features a desired state uses. */
  features(desired: State, current: State): Promise<string[]>;
  /** Resolves to nothing when nmstate accepts `desired` on top of `current`; rejects with nmstatectl's error. */
  validate(desired: State, current: State): Promise<void>;
}

const UPSTREAM_BIN = join(__dirname, "../stack/cluster/upstream-bin.sh");
let cachedPath: string | undefined;

/** `SIM_NMSTATECTL`, or the checked binary that test/stack/cluster/upstream-bin.sh unpacks from ../shared/upstream. */
export function nmstatectlPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SIM_NMSTATECTL) return env.SIM_NMSTATECTL;
  cachedPath ??= execFileSync(UPSTREAM_BIN, ["nmstate-2.2.62/nmstatectl"], { encoding: "utf8" }).trim();
  return cachedPath;
}

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function run(binary: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", chunk => (stdout += chunk));
    child.stderr.on("data", chunk => (stderr += chunk));
    child.on("error", reject);
    child.on("close", code => resolve({ stdout, stderr, code }));
  });
}

/** nmstatectlWithInput's error: `<stdout>, <stderr>: failed to execute nmstatectl <args>: exit status <n>`. */
function failure(args: string[], result: Run): Error {
  return new Error(`${result.stdout}, ${result.stderr}: failed to execute nmstatectl ${args.join(" ")}: exit status ${result.code}`);
}

export function realNmstatectl(binary = nmstatectlPath()): Nmstatectl {
  const withFiles = async <T>(use: (file: (name: string, content?: unknown) => Promise<string>) => Promise<T>): Promise<T> => {
    const dir = await mkdtemp(join(tmpdir(), "nmstate-"));
    try {
      return await use(async (name, content) => {
        const path = join(dir, name);
        await writeFile(path, content === undefined ? "" : JSON.stringify(content));
        return path;
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  return {
    policy: (policy, current, captured) =>
      withFiles(async file => {
        const policyFile = await file("policy", policy);
        const capturedFile = await file("capturedState", captured);
        const args = ["policy", "--current", await file("currentState", current), "--json", "--output-captured", capturedFile];
        if (captured && Object.keys(captured).length > 0) args.push("--captured", capturedFile);
        args.push(policyFile);
        const result = await run(binary, args);
        // The handler wraps this error with the wrong verb ("rollback"); its users see exactly that.
        if (result.code !== 0) throw new Error(`failed calling nmstatectl rollback: ${failure(args, result).message}`);
        return { desiredState: JSON.parse(result.stdout), capturedStates: JSON.parse(await readFile(capturedFile, "utf8")) };
      }),
    // The handler runs `st -` on the node, where nmstatectl reads the current state from NetworkManager; here it
    // comes from the NodeNetworkState.
    features: (desired, current) =>
      withFiles(async file => {
        const args = ["statistic", "--json", "--current", await file("currentState", current), await file("desiredState", desired)];
        const result = await run(binary, ["-q", ...args]);
        if (result.code !== 0) throw new Error(`failed calling nmstatectl statistics: ${failure(args, result).message}`);
        return (JSON.parse(result.stdout) as { features?: string[] }).features ?? [];
      }),
    validate: (desired, current) =>
      withFiles(async file => {
        const args = ["validate", "--current", await file("currentState", current), await file("desiredState", desired)];
        const result = await run(binary, ["-q", ...args]);
        if (result.code !== 0) throw new Error(result.stderr.trim() || failure(args, result).message);
      }),
  };
}
