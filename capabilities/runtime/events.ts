// Kubernetes Events on the Wukong: one per child created, failure and recovery. Messages come from status
// text and API reasons, never from secret material. Recording is best effort: it never fails a reconcile.
import { K8s, Log, kind } from "pepr";
import { API_VERSION, MANAGER } from "../../schemas/wukong";
import type { WukongResource } from "../kinds";
import { apiFailure } from "./api-errors";

export type EventType = "Normal" | "Warning";

export interface EventRecorder {
  record(wukong: WukongResource, type: EventType, reason: string, message: string): Promise<void>;
}

export const kubernetesEvents: EventRecorder = {
  async record(wukong, type, reason, message) {
    const { name = "", namespace = "default", uid } = wukong.metadata ?? {};
    const now = new Date().toISOString();
    try {
      await K8s(kind.CoreEvent).Create({
        apiVersion: "v1",
        kind: "Event",
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: API_VERSION, kind: "Wukong", name, namespace, uid },
        type,
        reason,
        message,
        source: { component: MANAGER },
        reportingComponent: MANAGER,
        reportingInstance: process.env.HOSTNAME ?? MANAGER,
        firstTimestamp: now as unknown as Date,
        lastTimestamp: now as unknown as Date,
        count: 1,
      });
    } catch (error) {
      // kubernetes-fluent-client throws plain objects: String(error) would log "[object Object]".
      const failure = apiFailure(error);
      Log.warn({ wukong: `${namespace}/${name}`, reason, status: failure.status, error: failure.message }, "could not record event");
    }
  },
};
