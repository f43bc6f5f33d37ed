// Failure injection: annotations on a simulated object, or on the Wukong that owns it, make the
// simulated controllers misbehave the way real ones do (failed import, unschedulable VMI, crash loop).
import { KubeObject, WUKONG_LABEL } from "./resources";

export const FAULT_IMPORT = "sim.novasphere.dev/import"; // fail | slow | ok
export const FAULT_SCHEDULE = "sim.novasphere.dev/schedule"; // unschedulable | ok
export const FAULT_CRASH = "sim.novasphere.dev/crash"; // loop | ok
export const FAULT_SNAPSHOT = "sim.novasphere.dev/snapshot"; // fail | ok
export const FAULT_RESTORE = "sim.novasphere.dev/restore"; // fail | ok

export interface Faults {
  importFails: boolean;
  importSlow: boolean;
  unschedulable: boolean;
  crashLoop: boolean;
}

/** Wukongs by "namespace/name", to find the owner of a child through its label. */
export type WukongIndex = Map<string, KubeObject>;

export function indexWukongs(wukongs: KubeObject[] | undefined): WukongIndex {
  const index: WukongIndex = new Map();
  for (const w of wukongs ?? []) index.set(`${w.metadata.namespace}/${w.metadata.name}`, w);
  return index;
}

/** The Wukong named by an object's `vm.novasphere.dev/wukong` label, if it exists. */
export function owningWukong(obj: KubeObject, wukongs: WukongIndex): KubeObject | undefined {
  const name = obj.metadata.labels?.[WUKONG_LABEL];
  return name ? wukongs.get(`${obj.metadata.namespace}/${name}`) : undefined;
}

/**
 * The value of a fault annotation for a group of related objects (e.g. a VMI and its VM), most
 * specific first; the owning Wukong is consulted last. The first object carrying the annotation
 * wins, so `ok` on a child overrides a fault set on its Wukong.
 */
export function faultValue(key: string, objects: (KubeObject | undefined)[], wukongs: WukongIndex): string | undefined {
  const present = objects.filter((o): o is KubeObject => o !== undefined);
  for (const o of present) {
    const v = o.metadata.annotations?.[key];
    if (v !== undefined) return v.trim().toLowerCase();
  }
  for (const o of present) {
    const v = owningWukong(o, wukongs)?.metadata.annotations?.[key];
    if (v !== undefined) return v.trim().toLowerCase();
  }
  return undefined;
}

export function faultsFor(objects: (KubeObject | undefined)[], wukongs: WukongIndex): Faults {
  const importFault = faultValue(FAULT_IMPORT, objects, wukongs);
  return {
    importFails: importFault === "fail",
    importSlow: importFault === "slow",
    unschedulable: faultValue(FAULT_SCHEDULE, objects, wukongs) === "unschedulable",
    crashLoop: faultValue(FAULT_CRASH, objects, wukongs) === "loop",
  };
}
