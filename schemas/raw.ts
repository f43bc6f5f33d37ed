// Readers of a raw, not yet validated spec for the cross-field rules: they read it defensively, so a spec with
// structural errors still gets every cross-field problem reported in the same denial.
import type { Problem } from "./problems";

export type Raw = Record<string, unknown>;

export const isRecord = (value: unknown): value is Raw => typeof value === "object" && value !== null && !Array.isArray(value);

/** The objects of a list with their index. A list over its bound is already denied by the schema; the rules skip it rather than flood the denial. */
export const records = (value: unknown, bound: number): [Raw, number][] =>
  Array.isArray(value) && value.length <= bound
    ? value.map((item, index) => [item, index] as [unknown, number]).filter((pair): pair is [Raw, number] => isRecord(pair[0]))
    : [];

export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Names in a list must be unique and not reserved. */
export function duplicateNames(items: [Raw, number][], list: string, reserved: string[], reservedWhy: string): Problem[] {
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  for (const [item, i] of items) {
    const name = text(item.name);
    if (name === undefined) continue;
    if (reserved.includes(name)) problems.push({ path: `spec.${list}[${i}].name`, message: `"${name}" is reserved for ${reservedWhy}` });
    const first = seen.get(name);
    if (first !== undefined)
      problems.push({ path: `spec.${list}[${i}].name`, message: `duplicates spec.${list}[${first}].name "${name}": names must be unique` });
    else seen.set(name, i);
  }
  return problems;
}
