// Stand-in for the PV controller, a CSI provisioner/resizer and the PVC-protection controller:
// binds Pending PVCs and "expands" grown ones by writing PVC status only (through the status
// subresource). No PersistentVolume is created and spec.volumeName stays empty: nothing here would
// consume a PV, and PVs would need reclaiming. A deleted claim loses its kubernetes.io/pvc-protection
// finalizer once no VMI (standing in for the virt-launcher pod) uses it.
import { Action, Plan, planEach } from "./plan";
import type { SimConfig } from "./config";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { quantityGreater } from "./quantity";
import { replacePatch } from "./status-diff";
import { KubeObject, keyOf, PVC, WUKONG_LABEL } from "./resources";

/** The binder touches only Wukong's PVCs and DataVolume-owned ones, never unrelated claims. */
export function isBinderScope(pvc: KubeObject): boolean {
  if (pvc.metadata.labels?.[WUKONG_LABEL] !== undefined) return true;
  return (pvc.metadata.ownerReferences ?? []).some(ref => ref.kind === "DataVolume" && ref.apiVersion?.startsWith("cdi.kubevirt.io/"));
}

export const PVC_PROTECTION = "kubernetes.io/pvc-protection";

/** VMIs whose volumes use the claim (directly or through the DataVolume of the same name). */
export function vmisUsingClaim(pvc: KubeObject, vmis: Iterable<KubeObject>): KubeObject[] {
  const name = pvc.metadata.name;
  return [...vmis].filter(vmi => {
    if (vmi.metadata.namespace !== pvc.metadata.namespace) return false;
    if (vmi.status?.phase === "Succeeded" || vmi.status?.phase === "Failed") return false; // its pod is gone
    const volumes: unknown[] = Array.isArray(vmi.spec?.volumes) ? vmi.spec.volumes : [];
    return volumes.some(v => {
      const vol = v as { persistentVolumeClaim?: { claimName?: string }; dataVolume?: { name?: string } };
      return vol?.persistentVolumeClaim?.claimName === name || vol?.dataVolume?.name === name;
    });
  });
}

function planProtectionRelease(pvc: KubeObject, vmis: Iterable<KubeObject>): Plan {
  const finalizers = Array.isArray(pvc.metadata.finalizers) ? (pvc.metadata.finalizers as string[]) : [];
  if (!finalizers.includes(PVC_PROTECTION)) return [];
  const key = keyOf(pvc);
  const users = vmisUsingClaim(pvc, vmis);
  if (users.length)
    return [
      {
        type: "note",
        key: `persistentvolumeclaims ${key}`,
        log: `[pvc-binder] ${key} stays Terminating: in use by VMI ${users.map(v => v.metadata.name).join(", ")}`,
      },
    ];
  // resourceVersion makes the merge patch conditional, so another finalizer added meanwhile is not lost.
  const patch = { metadata: { resourceVersion: pvc.metadata.resourceVersion, finalizers: finalizers.filter(f => f !== PVC_PROTECTION) } };
  return [
    {
      type: "patch",
      res: PVC,
      namespace: pvc.metadata.namespace ?? "",
      name: pvc.metadata.name ?? "",
      patch,
      log: `[pvc-binder] ${key} released ${PVC_PROTECTION} (deleted, not in use)`,
    },
  ];
}

export function planPvc(pvc: KubeObject, snap: Pick<Snapshot, "storageClasses" | "vmis">, elapsed: Elapsed, cfg: SimConfig): Plan {
  if (pvc.metadata.deletionTimestamp) return planProtectionRelease(pvc, snap.vmis.values());
  const key = keyOf(pvc);
  const clockKey = `pvc:${pvc.metadata.uid ?? key}`;
  const status = pvc.status ?? {};
  const phase = status.phase ?? "Pending";
  const request = pvc.spec?.resources?.requests?.storage;
  const patch = (desired: Record<string, unknown>, log: string): Action[] => {
    const diff = replacePatch(status, desired);
    return diff
      ? [
          {
            type: "patch",
            res: PVC,
            namespace: pvc.metadata.namespace ?? "",
            name: pvc.metadata.name ?? "",
            subresource: "status",
            patch: { status: diff },
            log,
          },
        ]
      : [];
  };

  if (phase === "Pending") {
    const className = pvc.spec?.storageClassName;
    // Without a storageClassName (and no default class filled it in) the simulator binds anyway, as if
    // a default provisioner existed. A named class that does not exist keeps the claim Pending, as in a real cluster.
    if (className && !snap.storageClasses.has(className)) {
      elapsed(clockKey, "waiting-for-storageclass");
      return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: storageclass "${className}" not found` }];
    }
    if (request === undefined)
      return [{ type: "note", key: `persistentvolumeclaims ${key}`, log: `[pvc-binder] ${key} stays Pending: no spec.resources.requests.storage` }];
    if (elapsed(clockKey, "Pending") < cfg.pvcBindMs) return [];
    const desired = {
      ...status,
      phase: "Bound",
      accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"],
      capacity: { ...(status.capacity ?? {}), storage: request },
    };
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
  return planEach([...snap.pvcs.values()].filter(isBinderScope), "persistentvolumeclaims", pvc => planPvc(pvc, snap, elapsed, cfg));
}
