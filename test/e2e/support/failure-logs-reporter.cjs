// Jest reporter: when anything failed, print the tails of the operator log, the simulator log and the
// control-plane logs (test/cluster/logs.sh 40), so a CI failure can be read without the machine.
// Plain CommonJS: jest loads reporters without transforming them.
const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

const repo = resolve(__dirname, "../../..");
const stack = join(process.env.WUKONG_STATE || join(repo, ".wukong"), "stack");

function tail(file, lines) {
  if (!existsSync(file)) return "(no log)";
  return readFileSync(file, "utf8").split("\n").slice(-lines).join("\n");
}

class FailureLogsReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests > 0 || results.numRuntimeErrorTestSuites > 0 || results.numFailedTestSuites > 0;
    if (!failed) return;
    const out = [];
    out.push(`\n===== e2e failed: last 120 lines of ${join(stack, "operator.log")}`, tail(join(stack, "operator.log"), 120));
    out.push(`\n===== last 60 lines of ${join(stack, "simulator.log")}`, tail(join(stack, "simulator.log"), 60));
    const logs = spawnSync(join(repo, "test/cluster/logs.sh"), ["40"], { cwd: repo, encoding: "utf8" });
    out.push("\n===== test/cluster/logs.sh 40", `${logs.stdout ?? ""}${logs.stderr ?? ""}`);
    process.stderr.write(`${out.join("\n")}\n`);
  }
}

module.exports = FailureLogsReporter;
