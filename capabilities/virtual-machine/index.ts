// Virtual machine: VM and VMI changes (starting, moving, getting an IP, stopping) bring their Wukong back.
import { Capability, a } from "pepr";
import { LABELS } from "../../schemas/wukong";
import { VirtualMachine, VirtualMachineInstance } from "../kinds";
import type { Controller } from "../lifecycle/controller";

export function virtualMachineCapability(controller: Controller): Capability {
  const vm = new Capability({ name: "virtual-machine", description: "Watches the VirtualMachines, their instances and cloud-init Secrets." });
  for (const model of [VirtualMachine, VirtualMachineInstance, a.Secret]) {
    vm.When(model)
      .IsCreatedOrUpdated()
      .WithLabel(LABELS.wukong)
      .Watch(child => controller.enqueueOwner(child));
    vm.When(model)
      .IsDeleted()
      .WithLabel(LABELS.wukong)
      .Watch(child => controller.enqueueOwner(child));
  }
  return vm;
}
