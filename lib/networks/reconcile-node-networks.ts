// Node networks step: the NMState policy for each host bridge the Wukong's networks build from a
// physicalInterface. The policy is shared by every Wukong on that bridge, so the nodes it targets come
// from all of them; it is found in the view by its deterministic name. It is never deleted here: see the README.
import { isDeepStrictEqual } from "node:util";
import {
  BRIDGE_ANNOTATION,
  type BridgePort,
  type BridgeUse,
  bridgePortsOf,
  nodeNetworkPolicy,
  NIC_ROUTES_CAPTURE,
  PHYSICAL_INTERFACE_ANNOTATION,
  policyNodeSelector,
  selectorsDisjoint,
} from "./node-network-policy";
import type { KubernetesObject } from "../children/kubernetes-object";
import { nodeList } from "./host-bridges";
import { NIC_ROUTES_DIFFER, nicRoutes } from "./nic-routes";
import { NODE_NETWORK_API } from "../cluster/features";
import type { LiveObject } from "../cluster/live";
import type { NodeInterfaces } from "./node-interfaces";
import type { ObservedNodeNetwork } from "../status/observed";
import type { Wukong } from "../../schemas/wukong";
import { containsDesired } from "../subset";
import type { ReconcileContext } from "../reconcile/context";
import { attempt } from "../reconcile/writes";
import { nodeNetworkPolicyName } from "../../schemas/networks/names";

const KIND = "NodeNetworkConfigurationPolicy";

export async function reconcileNodeNetworks(ctx: ReconcileContext): Promise<void> {
  const ports = ctx.wukong.spec ? bridgePortsOf(ctx.wukong.spec) : [];
  if (ports.length === 0) return;
  // Discovery says NMState is not installed: report it (NMStateMissing) without writing to an API that is not there.
  const served = ctx.port.features().servedApis;
  if (served && !served.has(NODE_NETWORK_API)) {
    ctx.observed.nodeNetworks = ports.map(port => ({ policy: nodeNetworkPolicyName(port), bridge: port.bridge, nic: port.nic, exists: false }));
    for (const { policy } of ctx.observed.nodeNetworks)
      ctx.observed.childErrors.push({ kind: KIND, name: policy, reason: "NotFound", message: `${NODE_NETWORK_API} is not served` });
    return;
  }
  const wukongs = ctx.port.all("Wukong") as Wukong[];
  // Best effort: without NodeNetworkStates the policy keeps capturing the NIC's routes.
  const nodes = await ctx.port.nodeInterfaces().catch(() => undefined);
  const observed = await Promise.all(ports.map(port => ensurePolicy(ctx, port, usesOf(port, wukongs, ctx.wukong), nodes)));
  ctx.observed.nodeNetworks = observed;
}

async function ensurePolicy(ctx: ReconcileContext, port: BridgePort, uses: BridgeUse[], nodes: NodeInterfaces[] | undefined): Promise<ObservedNodeNetwork> {
  const name = nodeNetworkPolicyName(port);
  const live = ctx.port.get(KIND, "", name);
  const routes = nicRoutes(port, policyNodeSelector(uses), nodes, live && capturesNicRoutes(live));
  const desired = nodeNetworkPolicy(port, uses, "capture" in routes ? routes.capture : true);
  const seen = { policy: name, bridge: port.bridge, nic: port.nic };
  // A second policy for the same bridge on another NIC would fight the first one on every node it reaches.
  const rival = ctx.port.all(KIND).find(policy => policy.metadata.name !== name && policy.metadata.annotations?.[BRIDGE_ANNOTATION] === port.bridge);
  if (rival) {
    const nic = rival.metadata.annotations?.[PHYSICAL_INTERFACE_ANNOTATION] ?? "another NIC";
    ctx.observed.childErrors.push({
      kind: KIND,
      name,
      reason: "Conflict",
      message: `bridge ${port.bridge} is already built on ${nic} by ${KIND} ${rival.metadata.name}, which Wukong never removes: delete that policy once no node needs it, or use ${nic}`,
    });
    return { ...seen, exists: false };
  }
  if (selectorsDisjoint(uses)) {
    ctx.observed.childErrors.push({
      kind: KIND,
      name,
      reason: "Conflict",
      message: `the Wukongs on bridge ${port.bridge} select nodes by labels they do not share, and ${KIND} selects by labels only: it would reach every node, also those without ${port.nic}. Give their nodeSelectors a common label that marks the nodes with ${port.nic}`,
    });
    return { ...seen, exists: live !== undefined };
  }
  if ("differ" in routes) {
    ctx.observed.childErrors.push({
      kind: KIND,
      name,
      reason: NIC_ROUTES_DIFFER,
      message: `${port.nic} carries routes on ${nodeList(routes.differ.routed)} but none on ${nodeList(routes.differ.unrouted)} (NodeNetworkState), and NMState fails a route capture that finds nothing: one policy cannot build bridge ${port.bridge} on both. Give the Wukongs on bridge ${port.bridge} nodeSelectors that pick only nodes of one kind`,
    });
    return { ...seen, exists: live !== undefined };
  }
  if (live && holds(live, desired)) return { ...seen, exists: true, conditions: conditionsOf(live) };
  const written = await attempt(ctx, KIND, name, () => ctx.port.apply(KIND, desired));
  if (!written) return { ...seen, exists: live !== undefined };
  ctx.changes.push({ verb: live ? "Updated" : "Created", kind: KIND, name });
  // Conditions of the previous spec say nothing about the new one: NMState has yet to enact it.
  return { ...seen, exists: true };
}

/**
 * containsDesired ignores extra live fields; some we no longer set must go too: a nodeSelector (it narrows the
 * nodes), a bridge port's `vlan` list, which earlier versions wrote (it narrows NMState's default trunk), and the
 * route captures where the NIC carries no route.
 */
function holds(live: LiveObject, desired: KubernetesObject): boolean {
  type PolicySpec = { nodeSelector?: unknown; desiredState?: { interfaces?: { bridge?: { port?: unknown } }[] } } | undefined;
  const spec = (object: LiveObject | KubernetesObject) => object.spec as PolicySpec;
  const selector = (object: LiveObject | KubernetesObject) => spec(object)?.nodeSelector ?? {};
  const ports = (object: LiveObject | KubernetesObject) => (spec(object)?.desiredState?.interfaces ?? []).map(iface => iface.bridge?.port);
  const same = (a: unknown, b: unknown) => containsDesired(a, b) && containsDesired(b, a);
  return (
    containsDesired(live, desired) &&
    isDeepStrictEqual(selector(live), selector(desired)) &&
    same(ports(live), ports(desired)) &&
    capturesNicRoutes(live) === capturesNicRoutes(desired)
  );
}

/** Whether the policy moves the NIC's routes to the bridge (a policy without them has no `routes` to write). */
function capturesNicRoutes(policy: LiveObject | KubernetesObject): boolean {
  return (policy.spec as { capture?: Record<string, unknown> } | undefined)?.capture?.[NIC_ROUTES_CAPTURE] !== undefined;
}

function conditionsOf(policy: LiveObject): ObservedNodeNetwork["conditions"] {
  const conditions = policy.status?.conditions;
  return Array.isArray(conditions) ? conditions : [];
}

/** What every Wukong on this bridge and NIC needs of it; this Wukong's own stored spec counts even if the view lags. */
function usesOf(port: BridgePort, wukongs: Wukong[], self: Wukong): BridgeUse[] {
  const others = wukongs.filter(wukong => !(wukong.metadata?.namespace === self.metadata?.namespace && wukong.metadata?.name === self.metadata?.name));
  return [self, ...others]
    .flatMap(wukong => (wukong.spec && !wukong.metadata?.deletionTimestamp ? bridgePortsOf(wukong.spec) : []))
    .filter(use => use.bridge === port.bridge && use.nic === port.nic && use.type === port.type);
}

/** The Wukongs (as namespace/name) that use the policy `policyName`: re-queued when its status changes. */
export function wukongsUsingPolicy(wukongs: Wukong[], policyName: string): string[] {
  return wukongs
    .filter(wukong => wukong.spec && bridgePortsOf(wukong.spec).some(port => nodeNetworkPolicyName(port) === policyName))
    .map(wukong => `${wukong.metadata?.namespace}/${wukong.metadata?.name}`);
}
