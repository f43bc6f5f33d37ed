// Deterministic child names, part of the API: admission checks the 63-character limit on them before anything is created.
import type { Network } from "./spec";

/** The NetworkAttachmentDefinition Wukong generates for a network without nadName. */
export function generatedNadName(wukong: string, network: string): string {
  return `${wukong}-${network}`;
}

/** The NAD a network attaches to: the user's nadName, else the generated one. */
export function attachedNadName(wukong: string, network: Pick<Network, "name" | "nadName">): string {
  return network.nadName ?? generatedNadName(wukong, network.name);
}

/** The DataVolume (imported disk) or PersistentVolumeClaim (blank disk) backing a disk. */
export function diskClaimName(wukong: string, disk: string): string {
  return `${wukong}-${disk}`;
}

/** The VirtualMachine has the Wukong's own name, so `virtctl console <wukong>` just works. */
export function virtualMachineName(wukong: string): string {
  return wukong;
}

export function cloudInitSecretName(wukong: string): string {
  return `${wukong}-cloudinit`;
}
