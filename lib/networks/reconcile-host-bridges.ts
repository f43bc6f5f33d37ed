// Host bridges step: a bridge network that no physicalInterface builds plugs into a bridge that must already be on
// the nodes. Where NMState reports the nodes' interfaces, the bridges some node lacks go to status (BridgeMissing);
// without NMState nothing can be checked (admission warned). Read only: nothing is written.
import { bridgesExpectedOnNodes, missingBridges } from "./host-bridges";
import { BRIDGE_ANNOTATION } from "./node-network-policy";
import type { ReconcileContext } from "../reconcile/context";

export async function reconcileHostBridges(ctx: ReconcileContext): Promise<void> {
  if (!ctx.wukong.spec) return;
  // A bridge another Wukong's policy builds is NMState's to report on (NodeNetworkPending there), not missing.
  const built = new Set(ctx.port.all("NodeNetworkConfigurationPolicy").map(policy => policy.metadata.annotations?.[BRIDGE_ANNOTATION] ?? ""));
  const expected = bridgesExpectedOnNodes(ctx.wukong.spec, built);
  if (expected.length === 0) return;
  // Best effort: a failed lookup leaves the check out of this reconcile rather than failing the rest of it.
  const nodes = await ctx.port.nodeInterfaces().catch(() => undefined);
  if (nodes) ctx.observed.missingBridges = missingBridges(expected, nodes);
}
