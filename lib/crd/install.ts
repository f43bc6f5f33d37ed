// Installs or upgrades one shipped CRD, judged by its crd-version annotation: a missing CRD is created, an
// older one upgraded, an equal one left alone, and a newer one (a newer module ran here) never downgraded.
import { compare, valid } from "semver";
import { CRD_VERSION_ANNOTATION, type ShippedCrd } from "../../schemas/crds";
import { isConflict } from "../cluster/api-errors";
import { setAnnotationOp } from "../cluster/metadata-patch";

export interface InstalledCrd {
  metadata: { name?: string; resourceVersion?: string; annotations?: Record<string, string> };
}

export type CrdDecision =
  | { action: "create" }
  /** `from` is absent when the CRD predates the annotation: applied by an older watcher or from an older file. */
  | { action: "upgrade"; from?: string }
  | { action: "keep"; reason: "current" | "newer" | "unreadable"; installed: string };

export function crdDecision(shippedVersion: string, installed: InstalledCrd | undefined): CrdDecision {
  if (installed === undefined) return { action: "create" };
  const version = installed.metadata.annotations?.[CRD_VERSION_ANNOTATION];
  if (version === undefined) return { action: "upgrade" };
  // Someone wrote something we cannot order: leaving it is the only choice that cannot be a downgrade.
  if (valid(version) === null) return { action: "keep", reason: "unreadable", installed: version };
  const order = compare(version, shippedVersion);
  if (order < 0) return { action: "upgrade", from: version };
  return { action: "keep", reason: order === 0 ? "current" : "newer", installed: version };
}

export type JsonPatchOp = { op: "replace" | "add"; path: string; value: unknown };

/**
 * Replaces the spec and stamps the version, only if the CRD is still the one we read: the API server answers a
 * patch that carries a stale resourceVersion with 409 (a failed `test` op would be a 422, and the CRD's own
 * status conditions change it right after a create). Other annotations (kubectl's last-applied record) stay.
 */
export function upgradePatch(crd: ShippedCrd, installed: InstalledCrd): JsonPatchOp[] {
  const version = crd.metadata.annotations[CRD_VERSION_ANNOTATION];
  return [
    { op: "replace", path: "/metadata/resourceVersion", value: installed.metadata.resourceVersion },
    { op: "replace", path: "/spec", value: crd.spec },
    setAnnotationOp(installed.metadata.annotations, CRD_VERSION_ANNOTATION, version),
  ];
}

/** What the installer needs of the API server. Failures reject like api-errors.ts expects (409 on a conflict). */
export interface CrdPort {
  get(name: string): Promise<InstalledCrd | undefined>;
  create(crd: ShippedCrd): Promise<void>;
  patch(name: string, patch: JsonPatchOp[]): Promise<void>;
}

/** Another writer (a second watcher during a rollout) may act between our read and write: read again. */
const ATTEMPTS = 3;

export async function installCrd(port: CrdPort, crd: ShippedCrd): Promise<CrdDecision> {
  const name = crd.metadata.name;
  const shipped = crd.metadata.annotations[CRD_VERSION_ANNOTATION];
  for (let attempt = 1; ; attempt++) {
    const installed = await port.get(name);
    const decision = crdDecision(shipped, installed);
    try {
      if (installed === undefined) await port.create(crd);
      else if (decision.action === "upgrade") await port.patch(name, upgradePatch(crd, installed));
      return decision;
    } catch (error) {
      if (!isConflict(error) || attempt === ATTEMPTS) throw error;
    }
  }
}
