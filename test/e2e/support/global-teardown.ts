// Jest globalTeardown: the stack down, unless WUKONG_KEEP_STACK=1. (Logs of a failed run are printed by
// failure-logs-reporter.cjs, which runs before this.)
import { stackDown } from "./stack";

export default async function globalTeardown(): Promise<void> {
  if (process.env.WUKONG_KEEP_STACK === "1") {
    process.stderr.write("e2e: WUKONG_KEEP_STACK=1, leaving the stack running (test/stack/down.sh stops it)\n");
    return;
  }
  stackDown();
}
