// metav1.Conditions with stable lastTransitionTime: it moves only when a condition's status flips,
// never for a new reason or message, so clients can tell how long something has been true.
import type { Condition } from "../../schemas/status";

export type ConditionState = Pick<Condition, "type" | "status" | "reason" | "message">;

export function withTransitionTimes(previous: Condition[] | undefined, states: ConditionState[], now: string, generation: number | undefined): Condition[] {
  return states.map(state => {
    const before = previous?.find(condition => condition.type === state.type);
    const lastTransitionTime = before?.status === state.status && before.lastTransitionTime ? before.lastTransitionTime : now;
    return { ...state, lastTransitionTime, ...(generation !== undefined && { observedGeneration: generation }) };
  });
}
