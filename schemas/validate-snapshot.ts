// Every problem of a WukongSnapshot that needs no cluster, each with its field path: structure and immutability.
import { type Problem, uniqueProblems } from "./problems";
import { problemOf } from "./validate";
import { WukongSnapshotSpec } from "./wukongsnapshot";

export function validateWukongSnapshot(spec: unknown, oldSpec?: unknown): Problem[] {
  const parsed = WukongSnapshotSpec.safeParse(spec, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.map(issue => problemOf(issue));
  const old = WukongSnapshotSpec.safeParse(oldSpec);
  if (parsed.success && old.success && old.data.wukongName !== parsed.data.wukongName) {
    problems.push({ path: "spec.wukongName", message: `is immutable (was "${old.data.wukongName}"): create a new WukongSnapshot instead` });
  }
  return uniqueProblems(problems);
}
