// Admission defaulting: fills what the user left out so the stored Wukong shows what will be built. The networks'
// defaults are theirs (networks/defaults.ts).
// Idempotent: defaulting a defaulted spec changes nothing.
import { RUN_STRATEGY_OF_RESTART_POLICY, type RunStrategy, type WukongSpec } from "../schemas/spec";
import { defaultNetworks } from "./networks/defaults";

export const DEFAULT_OS_DISK = { name: "system", size: "20Gi" } as const;

/** The runStrategy the other start fields imply when runStrategy itself is not given. */
export function impliedRunStrategy(spec: WukongSpec): RunStrategy {
  if (spec.startStrategy?.autoStart === false) return "Halted";
  const policy = spec.highAvailability?.restartPolicy;
  return policy ? RUN_STRATEGY_OF_RESTART_POLICY[policy] : "Always";
}

export interface DefaultingTarget {
  namespace: string;
  name: string;
  spec: WukongSpec;
  /** The stored spec on UPDATE: defaults that were derived keep following their inputs, MACs are inherited. */
  oldSpec?: WukongSpec;
}

export function withDefaults({ namespace, name, spec, oldSpec }: DefaultingTarget): WukongSpec {
  const out: WukongSpec = structuredClone(spec);
  defaultNetworks(out, { namespace, name, oldSpec });

  if ((out.disks ?? []).length === 0 && out.osImage) out.disks = [{ ...DEFAULT_OS_DISK, boot: true }];
  const disks = out.disks ?? [];
  if (disks.length > 0 && !disks.some(disk => disk.boot === true)) disks[0].boot = true;
  for (const disk of disks) disk.boot ??= false;

  out.startStrategy = { ...out.startStrategy, runStrategy: runStrategyFor(out, oldSpec) };
  return out;
}

// A runStrategy that was itself derived keeps following autoStart/restartPolicy; one the user set stays.
function runStrategyFor(spec: WukongSpec, oldSpec?: WukongSpec): RunStrategy {
  const given = spec.startStrategy?.runStrategy;
  if (!given) return impliedRunStrategy(spec);
  const oldGiven = oldSpec?.startStrategy?.runStrategy;
  const wasDerived = oldSpec !== undefined && oldGiven === impliedRunStrategy(oldSpec);
  if (wasDerived && given === oldGiven && impliedRunStrategy(spec) !== impliedRunStrategy(oldSpec)) {
    return impliedRunStrategy(spec);
  }
  return given;
}
