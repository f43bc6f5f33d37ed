// Every problem of a Wukong, each with its field path: structure (zod), cross-field rules and update rules.
import type { z } from "zod";
import { type Problem, fieldPath, uniqueProblems } from "./problems";
import { nodeSelectorProblems } from "./networks/attachment-rules";
import { crossFieldProblems } from "./rules";
import { WukongSpec } from "./spec";
import { updateProblems } from "./update-rules";

export interface ValidationInput {
  name: string;
  spec: unknown;
  /** The stored spec on UPDATE. */
  oldSpec?: WukongSpec;
  annotations?: Record<string, string>;
}

export function validateWukong({ name, spec, oldSpec, annotations }: ValidationInput): Problem[] {
  const parsed = WukongSpec.safeParse(spec, { reportInput: true });
  const problems = parsed.success ? [] : parsed.error.issues.map(issue => problemOf(issue));
  problems.push(...crossFieldProblems(name, spec));
  if (isRecord(spec)) problems.push(...nodeSelectorProblems(spec, oldSpec as Record<string, unknown> | undefined));
  if (parsed.success && oldSpec) problems.push(...updateProblems(oldSpec, parsed.data, annotations));
  return uniqueProblems(problems)
    .slice(0, MAX_PROBLEMS)
    .map(problem => ({ path: clip(problem.path, MAX_PATH), message: clip(problem.message, MAX_MESSAGE) }));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

// A denial stays readable and small whatever arrives (paths and messages may quote raw input).
const MAX_PROBLEMS = 25;
const MAX_PATH = 128;
const MAX_MESSAGE = 256;
const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function problemOf(issue: z.core.$ZodIssue): Problem {
  const path = fieldPath(["spec", ...issue.path]);
  if (issue.code === "unrecognized_keys")
    return { path, message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map(key => `"${key.slice(0, 40)}"`).join(", ")}` };
  // zod reports .int() failures as invalid_type "int": keep the schema's own message.
  if (issue.code === "invalid_type" && issue.expected === "int" && typeof issue.input === "number") return { path, message: issue.message };
  // A bad record key (nodeSelector): the key schema's message, not zod's generic "Invalid key in record".
  if (issue.code === "invalid_key") return { path, message: issue.issues[0]?.message ?? issue.message };
  if (issue.code === "invalid_type") return { path, message: issue.input === undefined ? "is required" : `must be ${article(issue.expected)}` };
  return { path, message: issue.message };
}

const article = (expected: string) => (expected === "array" || expected === "object" || expected === "integer" ? `an ${expected}` : `a ${expected}`);
