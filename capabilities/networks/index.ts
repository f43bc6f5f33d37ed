// Networks: a change to a generated NAD (or its deletion) brings its Wukong back to the queue.
import { Capability } from "pepr";
import { LABELS } from "../../schemas/wukong";
import { NetworkAttachmentDefinition } from "../kinds";
import type { Controller } from "../lifecycle/controller";

export function networksCapability(controller: Controller): Capability {
  const networks = new Capability({ name: "networks", description: "Watches the NetworkAttachmentDefinitions Wukongs generate." });
  networks
    .When(NetworkAttachmentDefinition)
    .IsCreatedOrUpdated()
    .WithLabel(LABELS.wukong)
    .Watch(nad => controller.enqueueOwner(nad));
  networks
    .When(NetworkAttachmentDefinition)
    .IsDeleted()
    .WithLabel(LABELS.wukong)
    .Watch(nad => controller.enqueueOwner(nad));
  return networks;
}
