// Stand-in for the PV controller + a CSI provisioner/resizer: binds Pending PVCs and "expands" grown
// ones by writing PVC status only (through the status subresource). No PersistentVolume is created:
// nothing in this cluster would consume it, and spec.volumeName stays empty.
import { Action, Plan } from "./actions";
import { SimConfig } from "./config";
import { Snapshot } from "./snapshot";
import { Elapsed } from "./state-clock";
import { quantityGreater } from "./quantity";
import { replacePatch } from "./status-diff";
import { KubeObject, keyOf, PVC, WUKONG_LABEL } from "./resources";

/** The binder touches only Wukong's PVCs and DataVolume-owned ones, never unrelated claims. */
export function isBinderScope(pvc: KubeObject): boolean {
  if (pvc.metadata.labels?.[WUKONG_LABEL] !== undefined) return true;
  return (pvc.metadata.ownerReferences ?? []).some(ref => ref.kind === "DataVolume" && ref.apiVersion?.startsWith("cdi.kubevirt.io/"));
}

export function planPvc(pvc: KubeObject, snap: Pick<Snapshot, "storageClasses">, elapsed: Elapsed, cfg: SimConfig): Plan {
  if (pvc.metadata.deletionTimestamp) return [];
  const key = keyOf(pvc);
  const clockKey = `pvc:${pvc.metadata.uid ?? key}`;
  const status = pvc.status ?? {};
  const phase = status.phase ?? "Pending";
  const request = pvc.spec?.resources?.requests?.storage;
  const patch = (desired: Record<string, unknown>, log: string): Action[] => {
    const diff = replacePatch(status, desired);
    return diff ? [{ type: "patch", res: PVC, namespace: pvc.metadata.namespace ?? "", name: pvc.metadata.name ?? "", subresource: "status", patch: { status: diff }, log }] : [];
  };

  if (phase === "Pending") {
    const className = pvc.spec?.storageClassName;
    // Without a storageClassName (and no default class filled it in) the simulator binds anyway, as if
    // a default provisioner existed. A named class that does not exist keeps the claim Pending, as in a real cluster.
    if (className && !snap.storageClasses.has(className)) {
      elapsed(clockKey, "waiting-for-storageclass");
      return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: storageclass "${className}" not found` }];
    }
    if (request === undefined) return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: no spec.resources.requests.storage` }];
    if (elapsed(clockKey, "Pending") < cfg.pvcBindMs) return [];
    const desired = { ...status, phase: "Bound", accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"], capacity: { ...(status.capacity ?? {}), storage: request } };
    return patch(desired, `[pvc-binder] ${key} Pending -> Bound (capacity ${request})`);
  }

  if (phase === "Bound" && quantityGreater(request, status.capacity?.storage)) {
    // A grown request: the resizer catches up after a delay (timer restarts if the request grows again).
    if (elapsed(clockKey, `expanding-to:${request}`) < cfg.pvcExpandMs) return [];
    const desired = { ...status, capacity: { ...(status.capacity ?? {}), storage: request } };
    return patch(desired, `[pvc-binder] ${key} expanded ${status.capacity?.storage ?? "?"} -> ${request}`);
  }
  return [];
}

export function planPvcBinder(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  return [...snap.pvcs.values()].filter(isBinderScope).map(pvc => planPvc(pvc, snap, elapsed, cfg));
}
