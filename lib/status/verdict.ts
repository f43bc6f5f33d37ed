// The common shape each part of the Wukong (networks, volumes, VM) is judged in, and how a child
// error becomes one.
import type { ChildError, ObservedCondition } from "./observed";
import { camelReason, detail, sentence } from "./text";

/**
 * ok: ready (for the VM: running); waiting: in progress; stopped: VM deliberately not running; error: needs a human;
 * notice: works, but the condition says False with a reason the user should see (phase and message unaffected).
 */
export interface Verdict {
  state: "ok" | "waiting" | "stopped" | "error" | "notice";
  reason: string;
  message: string;
}

// Shorter words for reasons, matching the condition reasons documented in derive.ts.
const KIND_WORD: Record<string, string> = { NetworkAttachmentDefinition: "NetworkAttachment", PersistentVolumeClaim: "Claim" };

export function childErrorVerdict(error: ChildError): Verdict {
  const word = KIND_WORD[error.kind] ?? camelReason(error.kind, "Child");
  if (error.reason === "NotFound") {
    return { state: "error", reason: `${word}Missing`, message: sentence(`${error.kind} ${error.name} does not exist`) };
  }
  const why = detail(error.message) || error.reason;
  return { state: "error", reason: `${word}${camelReason(error.reason, "Error")}`, message: sentence(`${error.kind} ${error.name}: ${why}`) };
}

export function findCondition(conditions: ObservedCondition[] | undefined, type: string): ObservedCondition | undefined {
  return conditions?.find(condition => condition.type === type);
}
