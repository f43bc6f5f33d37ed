// Builders shared by the simulator's unit tests.
import type { SimConfig } from "./config";
import { KubeObject } from "./resources";
import { emptySnapshot, Snapshot } from "./snapshot";

export const cfg: SimConfig = {
  tickMs: 500,
  pvcBindMs: 1000,
  pvcExpandMs: 1000,
  importMs: 2000,
  slowImportFactor: 10,
  enactmentMs: 1000,
  snapshotMs: 1000,
  verbose: false,
};

/** An Elapsed that says every object has been in its state for `ms`. */
export const after = (ms: number) => () => ms;

export function obj(kind: string, name: string, extra: Partial<KubeObject> = {}, ns = "ns1"): KubeObject {
  const { metadata, ...rest } = extra;
  return { kind, metadata: { name, namespace: ns, uid: `uid-${kind}-${name}`, ...(metadata ?? {}) }, ...rest };
}

export function snapshotWith(objects: {
  pvcs?: KubeObject[];
  dataVolumes?: KubeObject[];
  vmis?: KubeObject[];
  wukongs?: KubeObject[];
  secrets?: KubeObject[];
  storageClasses?: string[];
}): Snapshot {
  const snap = emptySnapshot();
  const put = (map: Map<string, KubeObject>, list?: KubeObject[]) => list?.forEach(o => map.set(`${o.metadata.namespace}/${o.metadata.name}`, o));
  put(snap.pvcs, objects.pvcs);
  put(snap.dataVolumes, objects.dataVolumes);
  put(snap.vmis, objects.vmis);
  put(snap.wukongs, objects.wukongs);
  put(snap.secrets, objects.secrets);
  (objects.storageClasses ?? ["local-path"]).forEach(s => snap.storageClasses.add(s));
  return snap;
}

/** Applies a JSON merge patch the way the API server does (null deletes, objects merge, the rest replaces). */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === "object" && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}
