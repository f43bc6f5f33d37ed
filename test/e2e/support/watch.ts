// `kubectl get wk --watch` in the background: the status history a user would see scroll by, so a journey can
// assert the path (Creating before Running) and not only where it ended.
import { spawn } from "node:child_process";
import { R } from "./kube";

export interface PhaseWatch {
  /** Resolves once the watch request is open (kubectl -v=6 logs it), so nothing after this is missed. */
  ready: Promise<void>;
  /** Phases seen for `name`, consecutive repeats collapsed, in order. */
  phases(name: string): string[];
  stop(): void;
}

export function watchPhases(namespace: string): PhaseWatch {
  const seen = new Map<string, string[]>();
  const child = spawn("kubectl", ["get", R.wukong, "-n", namespace, "--watch", "--v=6", "-o", 'jsonpath={.metadata.name}{" "}{.status.phase}{"\\n"}'], {
    stdio: ["ignore", "pipe", "pipe"],
    env: process.env,
  });
  let buffer = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    buffer += chunk;
    const lines = buffer.split("\n");
    buffer = lines.pop() ?? "";
    for (const line of lines) {
      const [name, phase = ""] = line.trim().split(/\s+/);
      if (!name) continue;
      const phases = seen.get(name) ?? [];
      const shown = phase || "(none)";
      if (phases[phases.length - 1] !== shown) phases.push(shown);
      seen.set(name, phases);
    }
  });
  let stderr = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kubectl get --watch did not open its watch within 15 s: ${stderr.slice(-500)}`)), 15_000);
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-20_000);
      if (/watch=true[^\n]*200 OK/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return {
    ready,
    phases: name => [...(seen.get(name) ?? [])],
    stop: () => {
      child.kill("SIGTERM");
    },
  };
}
