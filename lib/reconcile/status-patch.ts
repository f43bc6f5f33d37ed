// The one way both reconcilers write status, in the manner of cluster-api's patch helper (util/patch/patch.go):
// a copy of the status is taken when the reconcile starts, and at its end one merge patch carries only what
// changed since (each changed field, a removed one as null, the conditions only when a condition changed).
// Nothing changed: no write.
import { statusChanges } from "../status/changed";
import type { ClusterPort, StatusKind } from "./port";

export interface StatusPatchHelper<S extends object> {
  /** The status as it was when the reconcile started. */
  readonly before: S | undefined;
  /** The merge patch from `before` to `next`: empty when nothing changed. */
  changes(next: S): Record<string, unknown>;
  /** Writes the changes to the status subresource, if any; says whether it wrote. */
  patch(next: S): Promise<boolean>;
}

interface WithStatus<S> {
  metadata: { namespace?: string; name: string };
  status?: S;
}

export function statusPatchHelper<S extends object>(port: ClusterPort, kind: StatusKind, object: WithStatus<S>): StatusPatchHelper<S> {
  const { namespace = "", name } = object.metadata;
  const before = object.status === undefined ? undefined : structuredClone(object.status);
  return {
    before,
    changes: next => statusChanges(before, next),
    async patch(next) {
      const changes = statusChanges(before, next);
      if (Object.keys(changes).length === 0) return false;
      await port.patchStatus(namespace, name, changes, kind);
      return true;
    },
  };
}
