// NAD step: one generated NAD per network without nadName; the user's NADs are only looked at.
import { virtualMachineName } from "../../schemas/child-names";
import { isControlledBy } from "../cluster/live";
import type { ReconcileContext } from "../reconcile/context";
import { deleteChild, ensureChild } from "../reconcile/writes";

const KIND = "NetworkAttachmentDefinition";

export async function reconcileNads(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, uid, desired, observed } = ctx;
  const live = new Map(
    port
      .list(KIND, namespace, name)
      .filter(nad => isControlledBy(nad, uid))
      .map(nad => [nad.metadata.name, nad]),
  );
  const wanted = new Set(desired.networkAttachmentDefinitions.map(nad => nad.metadata.name));

  // NADs do not depend on each other: one round trip for all of them.
  const generated = await Promise.all(desired.networkAttachmentDefinitions.map(nad => ensureChild(ctx, KIND, nad, live.get(nad.metadata.name))));
  desired.networkAttachmentDefinitions.forEach((nad, i) => observed.nads.push({ name: nad.metadata.name, exists: generated[i] !== undefined }));
  const attached = nadsStillAttached(ctx);
  const stale = [...live].filter(([nadName]) => !wanted.has(nadName) && !attached.has(nadName));
  await Promise.all(stale.map(([, nad]) => deleteChild(ctx, KIND, nad)));
  const userNads = (ctx.wukong.spec?.networks ?? []).flatMap(network => (network.nadName ? [network.nadName] : []));
  const found = await Promise.all(userNads.map(nadName => port.exists(KIND, namespace, nadName)));
  userNads.forEach((nadName, i) => observed.nads.push({ name: nadName, exists: found[i] }));
}

/**
 * A removed network's NAD stays while the VM or its VMI still names it: a NIC being hot-unplugged stays on both
 * (marked absent) until the guest has let go of it, and virt-controller renders every launcher pod, such as the
 * migration target that completes the unplug, only once it has found the NAD of each Multus network of the VMI
 * (kubevirt v1.7.4 pkg/network/multus/nad.go, NetworkToResource).
 */
function nadsStillAttached(ctx: Pick<ReconcileContext, "port" | "namespace" | "name">): Set<string> {
  const { port, namespace } = ctx;
  const name = virtualMachineName(ctx.name);
  const vm = port.get("VirtualMachine", namespace, name)?.spec as { template?: { spec?: { networks?: MultusNetwork[] } } } | undefined;
  const vmi = port.get("VirtualMachineInstance", namespace, name)?.spec as { networks?: MultusNetwork[] } | undefined;
  const networks = [...(vm?.template?.spec?.networks ?? []), ...(vmi?.networks ?? [])];
  return new Set(
    networks.flatMap(network => {
      const [nadNamespace, nadName] = network.multus?.networkName?.includes("/")
        ? network.multus.networkName.split("/", 2)
        : [namespace, network.multus?.networkName];
      return nadNamespace === namespace && nadName ? [nadName] : [];
    }),
  );
}

interface MultusNetwork {
  multus?: { networkName?: string };
}

/** Deletion: our NADs go first (they carry no data); returns how many were still there. */
export async function deleteGeneratedNads(ctx: Pick<ReconcileContext, "port" | "namespace" | "name" | "uid">): Promise<number> {
  const { port, namespace, name, uid } = ctx;
  const owned = port.list(KIND, namespace, name).filter(nad => isControlledBy(nad, uid));
  for (const nad of owned) await port.delete(KIND, namespace, nad.metadata.name, nad.metadata.uid ?? "");
  return owned.length;
}
