// The harness of the table-driven denial tests: the seed with one change, and a case naming the field path and a
// phrase of the message the denial must carry there.
import { formatProblems, type Problem } from "../../../schemas/problems";
import { validateWukong } from "../../../schemas/validate";
import { SEED_NAME, seedSpec } from "./fixtures";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Spec = any;

/** The seed with one change applied: every case breaks exactly one thing. */
export const seedWith = (change: (spec: Spec) => void): Spec => {
  const spec: Spec = seedSpec();
  change(spec);
  return spec;
};
export const withNetworks = (...networks: Spec[]) => seedWith(spec => (spec.networks = networks));

export interface Case {
  what: string;
  spec: unknown;
  path: string;
  phrase: string;
  name?: string;
}

export const problemsAt = (problems: Problem[], path: string) => problems.filter(problem => problem.path === path);

/** One test per case: validation reports a problem at its path whose message contains its phrase. */
export function itDenies(cases: Case[]): void {
  it.each(cases)("$what → $path", ({ spec, path, phrase, name }) => {
    const problems = validateWukong({ name: name ?? SEED_NAME, spec });
    const atPath = problemsAt(problems, path);
    if (atPath.length === 0) throw new Error(`no problem at ${path}; got: ${formatProblems(problems) || "none"}`);
    expect(atPath.map(problem => problem.message).join(" | ")).toContain(phrase);
  });
}
