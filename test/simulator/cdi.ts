// Stand-in for CDI's DataVolume controller and importer pods: each DataVolume gets a PVC of the same
// name (controller-owned by the DV), then walks Pending -> ImportScheduled -> ImportInProgress
// (progress 0% -> 100%) -> Succeeded. Blank disks need no import. Faults: import fail / slow.
import { Action, Plan, planEach } from "./plan";
import type { SimConfig } from "./config";
import { ConditionSpec, mergeConditions } from "./conditions";
import { Faults, faultsFor } from "./faults";
import { parseQuantity } from "./quantity";
import { DATA_VOLUME, KubeObject, keyOf, ownerRefTo, PVC } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { replacePatch } from "./status-diff";

const MiB = 2 ** 20;

/** The source kind as CDI names it in the PVC's import.source annotation. */
export function sourceType(dv: KubeObject): string {
  const source = dv.spec?.source ?? {};
  if (source.blank) return "none";
  for (const kind of ["http", "registry", "s3", "gcs", "imageio", "vddk", "upload", "pvc", "snapshot"]) if (source[kind]) return kind;
  return dv.spec?.sourceRef ? "sourceRef" : "none";
}

export function isBlank(dv: KubeObject): boolean {
  return sourceType(dv) === "none";
}

/** The PVC size CDI would request: spec.storage (plus filesystem overhead, for Filesystem mode, if configured) or spec.pvc verbatim. */
export function requestedSize(dv: KubeObject, cfg: Pick<SimConfig, "cdiFilesystemOverhead">, pvcs?: Map<string, KubeObject>): string | undefined {
  const storage = dv.spec?.storage;
  const size = (storage ?? dv.spec?.pvc)?.resources?.requests?.storage;
  if (size === undefined) {
    // A clone without a size takes the source PVC's size, as CDI does.
    const src = dv.spec?.source?.pvc;
    const srcPvc = src?.name ? pvcs?.get(`${src.namespace ?? dv.metadata.namespace}/${src.name}`) : undefined;
    return srcPvc?.status?.capacity?.storage ?? srcPvc?.spec?.resources?.requests?.storage;
  }
  const volumeMode = storage?.volumeMode ?? "Filesystem";
  if (!storage || volumeMode !== "Filesystem" || !cfg.cdiFilesystemOverhead) return String(size);
  const bytes = parseQuantity(size);
  if (bytes === undefined) return String(size);
  // CDI v1.66.0 pkg/util/util.go GetRequiredSpace: the size aligned up to 1MiB, then times (1 + overhead), rounded up.
  const aligned = Math.ceil(bytes / MiB) * MiB;
  return String(Math.ceil(aligned * (1 + cfg.cdiFilesystemOverhead)));
}

/** The PVC CDI creates for a DataVolume, or undefined when the DV gives no size. */
export function desiredPvc(dv: KubeObject, cfg: Pick<SimConfig, "cdiFilesystemOverhead">, pvcs?: Map<string, KubeObject>): KubeObject | undefined {
  const size = requestedSize(dv, cfg, pvcs);
  if (size === undefined) return undefined;
  const storage = dv.spec?.storage ?? dv.spec?.pvc ?? {};
  const source = dv.spec?.source ?? {};
  const endpoint = source.http?.url ?? source.registry?.url ?? source.s3?.url ?? source.gcs?.url;
  const annotations: Record<string, string> = {
    "cdi.kubevirt.io/storage.contentType": dv.spec?.contentType ?? "kubevirt",
    "cdi.kubevirt.io/storage.import.source": sourceType(dv),
    "cdi.kubevirt.io/createdForDataVolume": dv.metadata.uid ?? "",
  };
  if (endpoint) annotations["cdi.kubevirt.io/storage.import.endpoint"] = endpoint;
  const spec: Record<string, unknown> = {
    accessModes: storage.accessModes ?? ["ReadWriteOnce"], // real CDI takes these from the StorageProfile
    resources: { requests: { storage: size } },
  };
  if (storage.storageClassName) spec.storageClassName = storage.storageClassName;
  if (storage.volumeMode) spec.volumeMode = storage.volumeMode;
  if (storage.selector) spec.selector = storage.selector;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: {
      name: dv.metadata.name,
      namespace: dv.metadata.namespace,
      // CDI copies the DataVolume's labels, so the Wukong label reaches the PVC too.
      labels: {
        ...(dv.metadata.labels ?? {}),
        app: "containerized-data-importer",
        "app.kubernetes.io/component": "storage",
        "app.kubernetes.io/managed-by": "cdi-controller",
      },
      annotations,
      ownerReferences: [ownerRefTo(DATA_VOLUME, dv)],
    },
    spec,
  };
}

export interface DvStatus {
  phase: string;
  progress: string;
  claimName?: string;
  restartCount: number;
  conditions: ConditionSpec[];
}

const formatProgress = (pct: number) => `${pct.toFixed(1)}%`;
const parseProgress = (p: unknown) => (typeof p === "string" && /^[0-9.]+%$/.test(p) ? parseFloat(p) : 0);

export function importFailureMessage(dv: KubeObject): string {
  const kind = sourceType(dv);
  return `Unable to connect to ${kind === "registry" ? "registry" : "http"} data source: expected status code 200, got 404. Status: 404 Not Found`;
}

function conditionsFor(phase: string, pvc: KubeObject | undefined, name: string, failure?: string): ConditionSpec[] {
  const pvcPhase = pvc?.status?.phase ?? "Pending";
  const bound: ConditionSpec = !pvc
    ? { type: "Bound", status: "Unknown", reason: "NotFound", message: "No PVC found" }
    : pvcPhase === "Bound"
      ? { type: "Bound", status: "True", reason: "Bound", message: `PVC ${name} Bound` }
      : { type: "Bound", status: "False", reason: pvcPhase, message: `PVC ${name} ${pvcPhase}` };
  const running: ConditionSpec =
    phase === "ImportInProgress"
      ? { type: "Running", status: "True", reason: "Pod is running" }
      : phase === "Succeeded"
        ? { type: "Running", status: "False", reason: "Completed" }
        : phase === "Failed"
          ? { type: "Running", status: "False", reason: "Error", message: failure }
          : phase === "ImportScheduled"
            ? { type: "Running", status: "False", reason: "Pending", message: "Import pod is pending" }
            : { type: "Running", status: "False" };
  const ready: ConditionSpec =
    phase === "Succeeded"
      ? { type: "Ready", status: "True" }
      : phase === "ImportInProgress"
        ? { type: "Ready", status: "False", reason: "TransferRunning" }
        : phase === "Failed"
          ? { type: "Ready", status: "False", reason: "Error" }
          : { type: "Ready", status: "False" };
  return [bound, ready, running];
}

/**
 * The DataVolume's next status given its PVC, faults and how long it has been in its phase.
 * Succeeded is final (a later import fault changes nothing, as with a real finished import).
 */
export function nextDvStatus(dv: KubeObject, pvc: KubeObject | undefined, faults: Faults, elapsedInPhase: number, cfg: SimConfig): DvStatus {
  const name = dv.metadata.name ?? "";
  const current = dv.status ?? {};
  const phase: string = current.phase ?? "";
  const restarts: number = typeof current.restartCount === "number" ? current.restartCount : 0;
  const make = (p: string, progress: string, restartCount = restarts, failure?: string): DvStatus => ({
    phase: p,
    progress,
    claimName: pvc ? name : undefined,
    restartCount,
    conditions: conditionsFor(p, pvc, name, failure),
  });

  if (!pvc || pvc.status?.phase !== "Bound") return phase === "Succeeded" && pvc ? make("Succeeded", current.progress ?? "100.0%") : make("Pending", "N/A");
  if (phase === "Succeeded") return make("Succeeded", current.progress ?? "100.0%");
  if (isBlank(dv)) return make("Succeeded", "100.0%");

  switch (phase) {
    case "ImportScheduled":
      if (elapsedInPhase < cfg.importScheduleMs) return make("ImportScheduled", "N/A");
      return faults.importFails ? make("Failed", "N/A", restarts + 1, importFailureMessage(dv)) : make("ImportInProgress", formatProgress(0));
    case "ImportInProgress": {
      if (faults.importFails) return make("Failed", current.progress ?? "N/A", restarts + 1, importFailureMessage(dv));
      const duration = cfg.importMs * (faults.importSlow ? cfg.slowImportFactor : 1);
      const byTime = duration > 0 ? (elapsedInPhase / duration) * 100 : 100;
      // 5% steps keep status writes few; never go backwards (e.g. after a simulator restart).
      const pct = Math.max(parseProgress(current.progress), Math.floor(byTime / 5) * 5);
      return pct >= 100 ? make("Succeeded", formatProgress(100)) : make("ImportInProgress", formatProgress(pct));
    }
    case "Failed":
      // The importer keeps retrying; once the source works again the import starts over.
      return faults.importFails ? make("Failed", current.progress ?? "N/A", restarts, importFailureMessage(dv)) : make("ImportScheduled", "N/A");
    default: // "", Pending, PVCBound or anything unexpected: the PVC is bound, schedule the importer
      return make("ImportScheduled", "N/A");
  }
}

export function planDataVolume(dv: KubeObject, snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan {
  if (dv.metadata.deletionTimestamp) return [];
  const key = keyOf(dv);
  const ns = dv.metadata.namespace ?? "";
  const name = dv.metadata.name ?? "";
  const plan: Action[] = [];
  let pvc = snap.pvcs.get(key);

  if (pvc && !(pvc.metadata.ownerReferences ?? []).some(ref => ref.uid === dv.metadata.uid)) {
    // A claim of that name exists but is not ours (or belongs to a deleted DV awaiting GC): CDI does not touch it.
    return [{ type: "note", key: `datavolumes ${key}`, log: `[cdi] ${key} waits: PVC ${name} exists and is not owned by this DataVolume` }];
  }
  if (!pvc) {
    const wanted = desiredPvc(dv, cfg, snap.pvcs);
    if (!wanted) return [{ type: "note", key: `datavolumes ${key}`, log: `[cdi] ${key} waits: no storage size in spec.storage/spec.pvc` }];
    plan.push({
      type: "create",
      res: PVC,
      obj: wanted,
      log: `[cdi] ${key} created PVC ${name} (${wanted.spec.resources.requests.storage}${wanted.spec.storageClassName ? `, class ${wanted.spec.storageClassName}` : ""})`,
    });
    pvc = undefined; // not bound yet this loop
  }

  const faults = faultsFor([dv], snap.wukongs);
  const phase = dv.status?.phase ?? "";
  const next = nextDvStatus(dv, pvc, faults, elapsed(`dv:${dv.metadata.uid ?? key}`, phase), cfg);
  const desired = {
    ...(dv.status ?? {}),
    phase: next.phase,
    progress: next.progress,
    claimName: next.claimName,
    restartCount: next.restartCount,
    conditions: mergeConditions(dv.status?.conditions, next.conditions, { heartbeat: true }),
  };
  const diff = replacePatch(dv.status, desired);
  if (diff) {
    const what =
      next.phase !== phase
        ? `phase ${phase || "<none>"} -> ${next.phase}`
        : next.progress !== dv.status?.progress
          ? `progress ${next.progress}`
          : "conditions updated";
    const detail = next.phase === "Failed" && phase !== "Failed" ? ` (${importFailureMessage(dv)})` : "";
    plan.push({ type: "patch", res: DATA_VOLUME, namespace: ns, name, subresource: "status", patch: { status: diff }, log: `[cdi] ${key} ${what}${detail}` });
  }
  return plan;
}

export function planCdi(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  return planEach(snap.dataVolumes.values(), "datavolumes", dv => planDataVolume(dv, snap, elapsed, cfg));
}
