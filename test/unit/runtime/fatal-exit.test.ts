// A rejection nobody handles, carrying a plain object as the Kubernetes client's do, ends the process with
// exit code 1 and one fatal log line that shows the object, instead of Node's "#<Object>".
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const repo = join(__dirname, "../../..");
const run = (code: string) =>
  spawnSync(
    join(repo, "node_modules/.bin/tsx"),
    ["-e", `import { exitOnUncaughtErrors } from "./capabilities/runtime/fatal-exit"; exitOnUncaughtErrors(); ${code}`],
    {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, LOG_LEVEL: "info" },
      timeout: 60_000,
    },
  );

describe("exitOnUncaughtErrors", () => {
  it("logs an unhandled rejection's plain object as JSON and exits 1", () => {
    const result = run(`void Promise.reject({ status: 503, message: "the API server is away" }); setTimeout(() => console.log("still running"), 2000);`);
    expect(result.status).toBe(1);
    const line = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
    expect(line).toMatchObject({ level: 60, msg: "unhandled promise rejection; exiting so that the process is restarted" });
    expect(JSON.parse(line.error)).toEqual({ status: 503, message: "the API server is away" });
    expect(result.stdout).not.toContain("still running");
  });

  it("logs an uncaught exception with its stack and exits 1", () => {
    const result = run(`setTimeout(() => { throw new Error("watch gave up"); }, 0);`);
    expect(result.status).toBe(1);
    const line = JSON.parse(result.stdout.trim().split("\n").pop() ?? "{}");
    expect(line.msg).toBe("uncaught exception; exiting so that the process is restarted");
    expect(line.error).toContain("Error: watch gave up");
  });
});
