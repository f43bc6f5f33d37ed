// What one reconcile of one Wukong carries from step to step.
import type { DesiredChildren } from "../../lib/children";
import type { ObservedChildren } from "../../lib/status/observed";
import type { EventRecorder } from "../runtime/events";
import type { WukongResource } from "../kinds";

export interface ReconcileContext {
  wukong: WukongResource;
  namespace: string;
  name: string;
  uid: string;
  desired: DesiredChildren;
  events: EventRecorder;
  /** Filled by each step: what exists and what went wrong, for status. */
  observed: ObservedChildren;
}
