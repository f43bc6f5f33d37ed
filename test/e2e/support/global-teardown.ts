// Jest globalTeardown: no log line and no Event shows the secret marker journeys planted; then the stack
// down, unless WUKONG_KEEP_STACK=1. (Logs of a failed run are printed by failure-logs-reporter.cjs, which runs
// before this.)
import { secretLeaks, secretMarker } from "./secrets";
import { stackDown } from "./stack";

export default async function globalTeardown(): Promise<void> {
  const leaks = await secretLeaks(secretMarker()).catch((error: Error) => [`could not search the logs and Events: ${error.message}`]);
  if (process.env.WUKONG_KEEP_STACK === "1") {
    process.stderr.write("e2e: WUKONG_KEEP_STACK=1, leaving the stack running (test/stack/down.sh stops it)\n");
  } else {
    stackDown();
  }
  if (leaks.length > 0) throw new Error(`the planted secret marker shows in ${leaks.length} log lines or Events:\n${leaks.join("\n")}`);
}
