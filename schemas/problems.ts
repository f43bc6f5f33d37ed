// A problem is one field path and what is wrong with it: the unit of every admission denial.
export interface Problem {
  path: string;
  message: string;
}

/** ["spec", "networks", 1, "ipConfig"] → "spec.networks[1].ipConfig" */
export function fieldPath(segments: readonly PropertyKey[]): string {
  return segments.map((segment, index) => (typeof segment === "number" ? `[${segment}]` : `${index === 0 ? "" : "."}${String(segment)}`)).join("");
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map(problem => `${problem.path}: ${problem.message}`).join("; ");
}

/** Drops repeats (the same path and message reported twice) while keeping order. */
export function uniqueProblems(problems: readonly Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter(problem => {
    const key = `${problem.path}\u0000${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A field's value in a message: "unset" when absent. */
export const shown = (value: unknown): string => (value === undefined ? "unset" : JSON.stringify(value));
