// Deterministic child names, part of the API: admission checks the 63-character limit on them before anything is created.
// The networks' children are named in networks/names.ts.

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
