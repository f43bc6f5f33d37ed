// Jest reporter: when anything failed, print the tails of the operator log, the simulator log and the
// control-plane logs (test/stack/cluster/logs.sh 40), so a CI failure can be read without the machine.
// Plain CommonJS: jest loads reporters without transforming them.
const { spawnSync } = require("node:child_process");
const { existsSync, readFileSync } = require("node:fs");
const { join, resolve } = require("node:path");

const repo = resolve(__dirname, "../../..");
const stack = join(process.env.WUKONG_STATE || join(repo, ".wukong"), "stack");

// pepr colours its log lines; a CI log shows the escape codes as noise.
const plain = text => text.replace(/\u001b\[[0-9;]*m/g, "");

function lines(file) {
  return existsSync(file) ? plain(readFileSync(file, "utf8")).split("\n") : ["(no log)"];
}

const tail = (file, count) => lines(file).slice(-count).join("\n");

class FailureLogsReporter {
  onRunComplete(_contexts, results) {
    const failed = results.numFailedTests > 0 || results.numRuntimeErrorTestSuites > 0 || results.numFailedTestSuites > 0;
    if (!failed) return;
    const out = [];
    // pepr dev's operator.log, or the deployed admission.log and watcher.log (Pepr's JSON lines): warnings and
    // errors first, then the plain tail.
    for (const operatorLog of ["operator.log", "admission.log", "watcher.log"].map(name => join(stack, name)).filter(existsSync)) {
      const problems = lines(operatorLog)
        .filter(line => /^\[[\d:.]+\] (WARN|ERROR|FATAL)|"level":(40|50|60)\b/.test(line))
        .slice(-40);
      out.push(`\n===== e2e failed: last ${problems.length} WARN/ERROR lines of ${operatorLog}`, problems.join("\n"));
      out.push(`\n===== last 120 lines of ${operatorLog}`, tail(operatorLog, 120));
    }
    out.push(`\n===== last 60 lines of ${join(stack, "simulator.log")}`, tail(join(stack, "simulator.log"), 60));
    const logs = spawnSync(join(repo, "test/stack/cluster/logs.sh"), ["40"], { cwd: repo, encoding: "utf8" });
    out.push("\n===== test/stack/cluster/logs.sh 40", `${logs.stdout ?? ""}${logs.stderr ?? ""}`);
    process.stderr.write(`${out.join("\n")}\n`);
  }
}

module.exports = FailureLogsReporter;
