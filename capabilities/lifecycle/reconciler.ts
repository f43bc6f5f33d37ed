// One reconcile of one Wukong, in the order children depend on each other:
// finalizer → networks → storage → virtual machine → status. Deletion takes the finalize path instead.
import { Log } from "pepr";
import { desiredChildren } from "../../lib/children";
import type { ObservedChildren } from "../../lib/status/observed";
import { WukongResource } from "../kinds";
import { deleteGeneratedNetworks, reconcileNetworks } from "../networks/reconcile-networks";
import { getOrUndefined } from "../runtime/children";
import type { EventRecorder } from "../runtime/events";
import type { RunOutcome } from "../runtime/work-queue";
import { reconcileStorage } from "../storage/reconcile-storage";
import { reconcileVirtualMachine } from "../virtual-machine/reconcile-vm";
import type { ReconcileContext } from "./context";
import { addFinalizer, hasFinalizer, removeFinalizer } from "./finalizer";
import { reconcileStatus } from "./status";

export interface ResyncPolicy {
  /** While something is wrong that no watched object will announce (a StorageClass appearing), look again. */
  errorMs: number;
  /** Safety net while children are still converging. */
  convergingMs: number;
  /** How soon to look again for our NADs to be gone during deletion. */
  deletionMs: number;
}

export const DEFAULT_RESYNC: ResyncPolicy = {
  errorMs: Number(process.env.WUKONG_ERROR_RESYNC_MS ?? 15_000),
  convergingMs: 30_000,
  deletionMs: 1_000,
};

export function wukongReconciler(events: EventRecorder, resync: ResyncPolicy = DEFAULT_RESYNC) {
  return async function reconcileWukong(key: string): Promise<RunOutcome> {
    const [namespace, name] = key.split("/");
    const wukong = (await getOrUndefined(WukongResource, namespace, name)) as WukongResource | undefined;
    if (!wukong?.spec) return;
    if (wukong.metadata?.deletionTimestamp) return finalize(wukong, resync);
    if (!hasFinalizer(wukong)) await addFinalizer(wukong);

    const ctx: ReconcileContext = {
      wukong,
      namespace,
      name,
      uid: wukong.metadata?.uid ?? "",
      desired: desiredChildren(wukong, {}),
      events,
      observed: emptyObservation(),
    };
    await reconcileNetworks(ctx);
    await reconcileStorage(ctx);
    await reconcileVirtualMachine(ctx);
    const status = await reconcileStatus(ctx);

    if (status.phase === "Error") return { requeueAfterMs: resync.errorMs };
    if (status.phase === "Creating" || status.phase === "Pending") return { requeueAfterMs: resync.convergingMs };
  };
}

async function finalize(wukong: WukongResource, resync: ResyncPolicy): Promise<RunOutcome> {
  if (!hasFinalizer(wukong)) return;
  const { namespace = "", name = "", uid = "" } = wukong.metadata ?? {};
  const remaining = await deleteGeneratedNetworks(namespace, name, uid);
  if (remaining > 0) {
    Log.info({ wukong: `${namespace}/${name}`, remaining }, "waiting for generated NetworkAttachmentDefinitions to go");
    return { requeueAfterMs: resync.deletionMs };
  }
  // The rest (DataVolumes, PVCs, Secret, VirtualMachine) carries our ownerReference: the garbage collector takes it.
  await removeFinalizer(wukong);
}

function emptyObservation(): ObservedChildren {
  return { nads: [], dataVolumes: {}, pvcs: {}, childErrors: [] };
}
