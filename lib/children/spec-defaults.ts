// Readers for fields admission defaults. desiredChildren re-applies lib/defaults first, so these fallbacks only
// matter to a builder called on its own; they mirror lib/defaults. The networks' readers: lib/networks/defaults.ts.
import type { Disk, RunStrategy, WukongSpec } from "../../schemas/spec";
import type { Wukong } from "../../schemas/wukong";
import { impliedRunStrategy } from "../defaults";

export type SpecifiedWukong = Wukong & { spec: WukongSpec };

/** The disk marked boot, else the first one. */
export function bootDisk(spec: WukongSpec): Disk | undefined {
  return spec.disks?.find(disk => disk.boot) ?? spec.disks?.[0];
}

export function runStrategyOf(spec: WukongSpec): RunStrategy {
  return spec.startStrategy?.runStrategy ?? impliedRunStrategy(spec);
}
