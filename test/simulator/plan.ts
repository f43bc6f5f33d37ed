// What the planners ask for. Planners are pure (snapshot in, actions out) so their decisions can be
// unit-tested; run-plans.ts performs the actions against the API server.
import { KubeObject, Resource } from "./resources";

export type Action =
  | { type: "create"; res: Resource; obj: KubeObject; log: string }
  | { type: "patch"; res: Resource; namespace: string; name: string; patch: unknown; subresource?: "status"; log: string }
  // A JSON patch (RFC 6902) where a merge patch cannot say it: storing a null (see vmi-status.ts).
  | { type: "jsonPatch"; res: Resource; namespace: string; name: string; ops: JsonPatchOp[]; log: string }
  | { type: "delete"; res: Resource; namespace: string; name: string; uid?: string; force?: boolean; log: string } // force: zero grace, as the kubelet confirms a stopped pod
  | { type: "note"; key: string; log: string }; // nothing to write, but worth saying once (e.g. why an object is stuck)

export type JsonPatchOp = { op: "add" | "remove" | "replace" | "test"; path: string; value?: unknown };

/** The actions for one object, run in order; a failure skips the rest until the next loop. */
export type Plan = Action[];

/** Plans each object separately so that one malformed object is reported and skipped, never fatal. */
export function planEach(objects: Iterable<KubeObject>, what: string, plan: (obj: KubeObject) => Plan): Plan[] {
  const plans: Plan[] = [];
  for (const obj of objects) {
    try {
      plans.push(plan(obj));
    } catch (err) {
      const key = `${what} ${obj?.metadata?.namespace}/${obj?.metadata?.name}`;
      plans.push([{ type: "note", key, log: `error: cannot handle ${key}: ${(err as Error).message}` }]);
    }
  }
  return plans;
}
