// Storage step: a DataVolume per imported disk (created once: its spec is immutable), a PVC per blank disk,
// PVC requests grown when a disk grows, and the volumes of removed disks deleted.
import { K8s, kind } from "pepr";
import { diskClaimName } from "../../lib/children";
import type { KubernetesObject } from "../../lib/children/kubernetes-object";
import { bytesOf } from "../../schemas/quantity";
import { DataVolume } from "../kinds";
import type { ReconcileContext } from "../lifecycle/context";
import { applyIfChanged, deleteIfPresent, getOrUndefined, type Live, ownedChildren } from "../runtime/children";
import { isNotFound } from "../runtime/api-errors";
import { recordingFailure } from "../runtime/failures";

export async function reconcileStorage(ctx: ReconcileContext): Promise<void> {
  const { namespace, name, uid, desired, observed, wukong } = ctx;
  await checkStorageClasses(ctx);

  const liveDataVolumes = await ownedChildren(DataVolume, namespace, name, uid);
  const volumes = [
    ...desired.dataVolumes.map(object => ({ object, model: DataVolume, kind: "DataVolume" })),
    ...desired.persistentVolumeClaims.map(object => ({ object, model: kind.PersistentVolumeClaim, kind: "PersistentVolumeClaim" })),
  ];
  const wanted = new Map(volumes.map(volume => [volume.object.metadata.name, volume]));
  // One read of each disk's claim: created if missing, grown if the disk grew, and observed for status.
  for (const disk of wukong.spec?.disks ?? []) {
    const claimName = diskClaimName(name, disk.name);
    const volume = wanted.get(claimName);
    let dataVolume = liveDataVolumes.get(claimName);
    let claim = await getOrUndefined(kind.PersistentVolumeClaim, namespace, claimName);
    if (volume && !(volume.kind === "DataVolume" ? dataVolume : claim)) {
      const created = await recordingFailure(observed.childErrors, volume.kind, claimName, () => applyIfChanged(volume.model, volume.object, undefined));
      if (created) {
        await ctx.events.record(wukong, "Normal", "Created", `Created ${volume.kind} ${claimName}`);
        if (volume.kind === "DataVolume") dataVolume = await getOrUndefined(DataVolume, namespace, claimName);
        else claim = await getOrUndefined(kind.PersistentVolumeClaim, namespace, claimName);
      }
    }
    if (claim) await growClaim(ctx, claim, disk.size);
    observed.pvcs = { ...observed.pvcs, [disk.name]: claim };
    if (dataVolume) observed.dataVolumes = { ...observed.dataVolumes, [disk.name]: dataVolume };
  }
  await deleteRemovedDisks(ctx, new Set(wanted.keys()), liveDataVolumes);
}

/** A disk names a StorageClass that does not exist: the claim would wait forever, so say it. */
async function checkStorageClasses(ctx: ReconcileContext): Promise<void> {
  const names = new Set((ctx.wukong.spec?.disks ?? []).map(disk => disk.storageClassName).filter((n): n is string => !!n));
  for (const scName of names) {
    try {
      await K8s(kind.StorageClass).Get(scName);
    } catch (error) {
      if (!isNotFound(error)) throw error;
      ctx.observed.childErrors.push({ kind: "StorageClass", name: scName, reason: "NotFound", message: `StorageClass ${scName} does not exist` });
    }
  }
}

/** DataVolume specs are immutable, so growth goes to the claim itself, for imported and blank disks alike. */
async function growClaim(ctx: ReconcileContext, claim: Live, size: string): Promise<void> {
  const spec = claim.spec as { resources?: { requests?: { storage?: string } } } | undefined;
  const requested = spec?.resources?.requests?.storage;
  const [current, wanted] = [bytesOf(requested ?? "0"), bytesOf(size)];
  if (current === undefined || wanted === undefined || wanted <= current) return;
  const claimName = claim.metadata.name;
  const patched = await recordingFailure(ctx.observed.childErrors, "PersistentVolumeClaim", claimName, () =>
    K8s(kind.PersistentVolumeClaim, { namespace: ctx.namespace, name: claimName }).Patch([
      { op: "replace", path: "/spec/resources/requests/storage", value: size },
    ]),
  );
  if (patched) await ctx.events.record(ctx.wukong, "Normal", "Resized", `Requested ${size} for PersistentVolumeClaim ${claimName} (was ${requested})`);
}

/** Only disks the user removed (admission demands an explicit opt-in) lose their volumes. */
async function deleteRemovedDisks(ctx: ReconcileContext, wanted: Set<string>, liveDataVolumes: Map<string, KubernetesObject>): Promise<void> {
  const { namespace, name, uid } = ctx;
  for (const dvName of liveDataVolumes.keys()) {
    if (!wanted.has(dvName)) await deleteIfPresent(DataVolume, namespace, dvName);
  }
  const liveClaims = await ownedChildren(kind.PersistentVolumeClaim, namespace, name, uid);
  for (const claimName of liveClaims.keys()) {
    if (!wanted.has(claimName)) await deleteIfPresent(kind.PersistentVolumeClaim, namespace, claimName);
  }
}
