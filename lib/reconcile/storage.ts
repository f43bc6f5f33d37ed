// Storage step: a DataVolume per imported disk (created once: its spec is immutable), a PVC per blank disk
// (adopted back when a restore re-created it without our ownerReference; either adopted when retained from a deleted
// Wukong of the same name, and a retained disk's held without an ownerReference), PVC requests grown when a disk grows,
// and the volumes of removed disks deleted.
import { diskClaimName, virtualMachineName } from "../children";
import type { KubernetesObject } from "../children/kubernetes-object";
import { ownerReference } from "../children/ownership";
import { claimRequest, heldDiskSize } from "../cluster/disk-size";
import { isControlledBy, type LiveObject } from "../cluster/live";
import { setAnnotationOp } from "../cluster/metadata-patch";
import { bytesOf, formatBytes } from "../../schemas/quantity";
import { DISK_SIZE_ANNOTATION, LABELS, OWNER_UID_ANNOTATION } from "../../schemas/wukong";
import { IMMEDIATE_BINDING } from "../status/volumes";
import type { ReconcileContext } from "./context";
import { dropRetainedLabel, isHeldBy, isOurs, ownerUidPatch } from "./retain";
import { attempt, deleteChild, ensureChild } from "./writes";

type VolumeKind = "DataVolume" | "PersistentVolumeClaim";

export async function reconcileStorage(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, desired, observed, wukong } = ctx;
  const disks = wukong.spec?.disks ?? [];
  // Before any write, so a class that is missing is reported even when a write then fails.
  await observeStorageClasses(
    ctx,
    disks.map(disk => disk.storageClassName),
  );

  const wanted = new Map<string, { kind: VolumeKind; object: KubernetesObject }>([
    ...desired.dataVolumes.map(object => [object.metadata.name, { kind: "DataVolume" as const, object }] as const),
    ...desired.persistentVolumeClaims.map(object => [object.metadata.name, { kind: "PersistentVolumeClaim" as const, object }] as const),
  ]);
  // KubeVirt restores volumes in place by deleting and re-creating them: while it does, look but never touch.
  const restoring = observed.restore?.phase === "Restoring";
  // Disks do not depend on each other: one round trip for all of them.
  const volumes = await Promise.all(
    disks.map(async disk => {
      const claimName = diskClaimName(ctx.name, disk.name);
      const volume = wanted.get(claimName);
      let dataVolume = port.get("DataVolume", namespace, claimName);
      let claim = port.get("PersistentVolumeClaim", namespace, claimName);
      // Created once and never re-applied: a DataVolume's spec is immutable, and a claim only ever grows.
      if (restoring) return { dataVolume, claim };
      if (volume?.kind === "DataVolume" && !dataVolume) dataVolume = await ensureChild(ctx, "DataVolume", volume.object, undefined);
      if (volume?.kind === "PersistentVolumeClaim" && !claim) claim = await ensureChild(ctx, "PersistentVolumeClaim", volume.object, undefined);
      const retain = disk.retainOnDelete === true;
      if (volume?.kind === "PersistentVolumeClaim" && claim) claim = await adopt(ctx, "PersistentVolumeClaim", claim, retain);
      if (volume?.kind === "DataVolume" && dataVolume) {
        dataVolume = await adopt(ctx, "DataVolume", dataVolume, retain);
        if (claim) claim = await unlabelRetainedClaim(ctx, claim, dataVolume);
      }
      if (claim) claim = await growClaim(ctx, claim, disk.size, dataVolume);
      return { dataVolume, claim };
    }),
  );
  observed.pvcs = Object.fromEntries(disks.map((disk, i) => [disk.name, volumes[i].claim]));
  observed.dataVolumes = Object.fromEntries(disks.flatMap((disk, i) => (volumes[i].dataVolume ? [[disk.name, volumes[i].dataVolume]] : [])));
  // Only a Pending claim's class matters (whether it waits for a first consumer), or an import's that CDI bound at
  // once; a Bound claim outlives its class.
  await observeStorageClasses(
    ctx,
    volumes.map(({ claim }) => pendingClaimClass(claim)),
    false,
  );
  if (!restoring) await deleteRemovedDisks(ctx, new Set(wanted.keys()));
}

/**
 * The classes the disks name and their Pending claims carry (the API server fills in the default one): a class a disk
 * names that does not exist leaves its claim waiting forever, so say it; one that binds at first consumer is reported.
 */
async function observeStorageClasses(ctx: ReconcileContext, names: (string | undefined)[], reportMissing = true): Promise<void> {
  const bindingModes: Record<string, string | undefined> = { ...ctx.observed.bindingModes };
  const missing = new Set(ctx.observed.childErrors.filter(error => error.kind === "StorageClass").map(error => error.name));
  for (const scName of new Set(names)) {
    if (!scName || Object.hasOwn(bindingModes, scName) || missing.has(scName)) continue;
    const storageClass = await ctx.port.storageClass(scName);
    if (storageClass) bindingModes[scName] = storageClass.volumeBindingMode;
    else if (reportMissing)
      ctx.observed.childErrors.push({ kind: "StorageClass", name: scName, reason: "NotFound", message: `StorageClass ${scName} does not exist` });
  }
  ctx.observed.bindingModes = bindingModes;
}

/**
 * The class of a Pending claim, or of a claim CDI asked to bind at once (its HonorWaitForFirstConsumer gate is off,
 * which status reports on a WaitForFirstConsumer class); undefined for any other.
 */
function pendingClaimClass(claim: LiveObject | undefined): string | undefined {
  const immediate = claim?.metadata.annotations?.[IMMEDIATE_BINDING] !== undefined;
  if ((claim?.status as { phase?: string } | undefined)?.phase !== "Pending" && !immediate) return undefined;
  return (claim?.spec as { storageClassName?: string } | undefined)?.storageClassName;
}

/**
 * DataVolume specs are immutable (CDI v1.66.0 pkg/apiserver/webhooks/datavolume-validate.go refuses any spec change),
 * so growth goes to the claim itself, for imported and blank disks alike. CDI asked for more than an imported disk's
 * size: its filesystem overhead (pkg/controller/datavolume/util.go renderPvcSpecVolumeSize, InflateSizeWithOverhead),
 * and KubeVirt shows the guest only the claim's capacity less that overhead. So growth compares the disk's sizes,
 * not the claim's inflated request, and keeps CDI's proportion of request to disk size.
 */
async function growClaim(ctx: ReconcileContext, claim: LiveObject, size: string, dataVolume: LiveObject | undefined): Promise<LiveObject> {
  const growth = claimGrowth(claim, size, dataVolume);
  if (!growth) return claim;
  const claimName = claim.metadata.name;
  const annotations = claim.metadata.annotations;
  const patched = await attempt(ctx, "PersistentVolumeClaim", claimName, () =>
    ctx.port.patch("PersistentVolumeClaim", ctx.namespace, claimName, [
      { op: "replace", path: "/spec/resources/requests/storage", value: growth.request },
      setAnnotationOp(annotations, DISK_SIZE_ANNOTATION, size),
    ]),
  );
  if (!patched) return claim;
  const request = growth.request === size ? "" : `; the claim requests ${formatBytes(BigInt(growth.request))} with CDI's filesystem overhead`;
  ctx.changes.push({ verb: "Resized", kind: "PersistentVolumeClaim", name: claimName, detail: `${growth.from} → ${size}${request}` });
  return patched;
}

/** The request that gives the claim room for `size`, or undefined when it has that room already. Pure. */
function claimGrowth(claim: LiveObject, size: string, dataVolume: LiveObject | undefined): { from: string; request: string } | undefined {
  const request = claimRequest(claim);
  const from = heldDiskSize(claim, dataVolume);
  const [current, held, wanted] = [bytesOf(request ?? ""), bytesOf(from ?? ""), bytesOf(size)];
  if (!from || current === undefined || held === undefined || wanted === undefined || held === 0n || wanted <= held) return undefined;
  // ceil(wanted × current / held): CDI's proportion kept (1 for a blank disk), and never less than the disk itself.
  const scaled = (wanted * current + held - 1n) / held;
  return { from, request: scaled <= wanted ? size : String(scaled) };
}

type Reference = NonNullable<LiveObject["metadata"]["ownerReferences"]>[number] & { kind?: string; name?: string };

/**
 * The disk's volume in the form its retainOnDelete asks for: controlled by the Wukong, or (retained) held by the
 * owner-uid annotation with no ownerReference to it (retain.ts says why). A blank disk's claim that KubeVirt's restore
 * re-created has no controller, or the Wukong's VM as controller (a restore made without volumeOwnershipPolicy None):
 * it becomes ours again, so removing the disk still deletes it. A volume retained from a deleted Wukong of the same
 * name has no controller either: adopted, it loses its retained-from label. A volume some other controller holds is
 * left alone.
 */
async function adopt(ctx: ReconcileContext, kind: VolumeKind, object: LiveObject, retain: boolean): Promise<LiveObject> {
  const references: Reference[] = object.metadata.ownerReferences ?? [];
  const referenced = references.some(ref => ref.uid === ctx.uid);
  const ours = isOurs(object, ctx.uid);
  if (retain ? isHeldBy(object, ctx.uid) && !referenced : isControlledBy(object, ctx.uid) && !object.metadata.annotations?.[OWNER_UID_ANNOTATION])
    return object;
  const controller = references.find(ref => ref.controller === true);
  const vm = ctx.port.get("VirtualMachine", ctx.namespace, virtualMachineName(ctx.name));
  const ourVm = controller?.kind === "VirtualMachine" && controller.name === virtualMachineName(ctx.name) && (!vm || controller.uid === vm.metadata.uid);
  if (controller && !ourVm && controller.uid !== ctx.uid) return object;
  const others = references.filter(ref => ref.uid !== ctx.uid && !(ourVm && ref === controller));
  const owner = { name: ctx.name, namespace: ctx.namespace, uid: ctx.uid };
  const name = object.metadata.name;
  const retainedFrom = object.metadata.labels?.[LABELS.retainedFrom];
  const patched = await attempt(ctx, kind, name, () =>
    ctx.port.patch(kind, ctx.namespace, name, [
      { op: "test", path: "/metadata/resourceVersion", value: object.metadata.resourceVersion },
      { op: "add", path: "/metadata/ownerReferences", value: retain ? others : [...others, ownerReference(owner)] },
      ...ownerUidPatch(object, retain ? ctx.uid : undefined),
      ...dropRetainedLabel(object),
    ]),
  );
  if (!patched) return object;
  if (ours) {
    const detail = retain ? "retained on deletion: no ownerReference to the Wukong" : "no longer retained: deleted with the Wukong";
    ctx.changes.push({ verb: "Updated", kind, name, detail });
    return patched;
  }
  const detail = ourVm ? `from VirtualMachine ${controller.name}` : retainedFrom ? `retained from Wukong ${retainedFrom}` : undefined;
  ctx.changes.push({ verb: "Adopted", kind, name, detail });
  return patched;
}

/** The claim CDI made for a retained DataVolume we adopted carries the retained-from label too: it goes. */
async function unlabelRetainedClaim(ctx: ReconcileContext, claim: LiveObject, dataVolume: LiveObject): Promise<LiveObject> {
  const drop = dropRetainedLabel(claim);
  if (drop.length === 0 || !isOurs(dataVolume, ctx.uid)) return claim;
  const name = claim.metadata.name;
  const patched = await attempt(ctx, "PersistentVolumeClaim", name, () =>
    ctx.port.patch("PersistentVolumeClaim", ctx.namespace, name, [
      { op: "test", path: "/metadata/resourceVersion", value: claim.metadata.resourceVersion },
      ...drop,
    ]),
  );
  return patched ?? claim;
}

/** Only disks the user removed (admission demands an explicit opt-in) lose their volumes. */
async function deleteRemovedDisks(ctx: ReconcileContext, wanted: Set<string>): Promise<void> {
  for (const kind of ["DataVolume", "PersistentVolumeClaim"] as const) {
    const owned = ctx.port.list(kind, ctx.namespace, ctx.name).filter(object => isOurs(object, ctx.uid));
    for (const object of owned) {
      if (!wanted.has(object.metadata.name)) await deleteChild(ctx, kind, object);
    }
  }
}
