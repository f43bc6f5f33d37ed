// Storage: imports progressing, claims binding or growing, and deleted volumes bring their Wukong back.
import { Capability, a } from "pepr";
import { LABELS } from "../../schemas/wukong";
import { DataVolume } from "../kinds";
import type { Controller } from "../lifecycle/controller";

export function storageCapability(controller: Controller): Capability {
  const storage = new Capability({ name: "storage", description: "Watches the DataVolumes and PersistentVolumeClaims of Wukong disks." });
  for (const model of [DataVolume, a.PersistentVolumeClaim]) {
    storage
      .When(model)
      .IsCreatedOrUpdated()
      .WithLabel(LABELS.wukong)
      .Watch(child => controller.enqueueOwner(child));
    storage
      .When(model)
      .IsDeleted()
      .WithLabel(LABELS.wukong)
      .Watch(child => controller.enqueueOwner(child));
  }
  return storage;
}
