// When the builders refuse the spec no step runs, but status still tells what exists.
import { attachedNadName, diskClaimName, virtualMachineName } from "../children";
import type { ReconcileContext } from "./context";

export async function observeExisting(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, wukong, observed } = ctx;
  for (const network of wukong.spec?.networks ?? []) {
    const nad = attachedNadName(name, network);
    const exists = network.nadName
      ? await port.exists("NetworkAttachmentDefinition", namespace, nad)
      : port.get("NetworkAttachmentDefinition", namespace, nad) !== undefined;
    observed.nads.push({ name: nad, exists });
  }
  for (const disk of wukong.spec?.disks ?? []) {
    const claim = diskClaimName(name, disk.name);
    observed.pvcs = { ...observed.pvcs, [disk.name]: port.get("PersistentVolumeClaim", namespace, claim) };
    const dataVolume = port.get("DataVolume", namespace, claim);
    if (dataVolume) observed.dataVolumes = { ...observed.dataVolumes, [disk.name]: dataVolume };
  }
  observed.virtualMachine = port.get("VirtualMachine", namespace, virtualMachineName(name));
  observed.virtualMachineInstance = port.get("VirtualMachineInstance", namespace, name);
}
