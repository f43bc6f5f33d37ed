// What one reconcile of one Wukong carries from step to step.
import type { DesiredChildren } from "../children";
import type { ChildKind } from "../cluster/kinds";
import type { LiveObject } from "../cluster/live";
import type { ObservedChildren } from "../status/observed";
import type { Wukong } from "../../schemas/wukong";
import type { ClusterPort } from "./port";

/** The Wukong as the view holds it: identity always present. */
export type LiveWukong = Wukong & LiveObject & { metadata: LiveObject["metadata"] & { namespace: string; uid: string } };

/** A write that changed the cluster, told to the user in one Event per verb at the end of the reconcile. */
export interface Change {
  verb: "Created" | "Updated" | "Adopted" | "Resized" | "Deleted" | "Restarted";
  kind: ChildKind;
  name: string;
  detail?: string;
}

export interface ReconcileContext {
  port: ClusterPort;
  wukong: LiveWukong;
  namespace: string;
  name: string;
  uid: string;
  desired: DesiredChildren;
  /** Filled by each step: what exists and what went wrong, for status. */
  observed: ObservedChildren;
  changes: Change[];
}
