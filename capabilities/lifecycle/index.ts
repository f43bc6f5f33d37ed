// Lifecycle: every change to a Wukong (including deletion, through our finalizer) queues its reconcile.
import { Capability } from "pepr";
import { WukongResource } from "../kinds";
import type { Controller } from "./controller";

export function lifecycleCapability(controller: Controller): Capability {
  const lifecycle = new Capability({
    name: "lifecycle",
    description: "Reconciles each Wukong: finalizer, children in order, status and clean deletion.",
  });
  lifecycle
    .When(WukongResource)
    .IsCreatedOrUpdated()
    .Watch(wukong => controller.enqueue(wukong));
  return lifecycle;
}
