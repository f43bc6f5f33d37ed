// The harness of the UPDATE tests: a stored spec, an edit of it run the way admission runs an UPDATE, and the
// problem expected at a field path.
import { withDefaults } from "../../../lib/defaults";
import { formatProblems, type Problem } from "../../../schemas/problems";
import type { WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import { SEED_NAME, SEED_NAMESPACE, clone, seedSpec } from "./fixtures";

const defaulted = (spec: WukongSpec, oldSpec?: WukongSpec) => withDefaults({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec, oldSpec });

/** The stored spec: the seed plus a data disk and a second network on an existing NAD, defaulted as admission stores it. */
function storedSpec(): WukongSpec {
  const spec = seedSpec() as WukongSpec;
  spec.disks!.push({ name: "data", size: "100Gi", storageClassName: "longhorn", image: "docker://quay.io/example/data:1" });
  spec.networks!.push({ name: "legacy", type: "bridge", nadName: "existing-net" });
  return defaulted(spec);
}

/** Runs an UPDATE the way admission does: the edited stored spec is defaulted against the old one, then validated. */
export function update(change: (spec: WukongSpec) => void, annotations?: Record<string, string>): Problem[] {
  const oldSpec = storedSpec();
  const edited = clone(oldSpec);
  change(edited);
  return validateWukong({ name: SEED_NAME, spec: defaulted(edited, oldSpec), oldSpec, annotations });
}

export const expectProblem = (problems: Problem[], path: string, phrase: string) => {
  const messages = problems.filter(problem => problem.path === path).map(problem => problem.message);
  if (messages.length === 0) throw new Error(`no problem at ${path}; got: ${formatProblems(problems) || "none"}`);
  expect(messages.join(" | ")).toContain(phrase);
};
