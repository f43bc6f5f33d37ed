// Stand-in for kubernetes-nmstate: a NodeNetworkState per Node (a fixed set of NICs: eth0 static with the
// default route, eth1 DHCP, eth2 static, and a bridge br0 without uplink), and for each NodeNetworkConfigurationPolicy an Enactment per
// matching Node (`<node>.<policy>`): the desired state rendered from the node's captured state, Progressing
// for one step, then Available, or Failing when a capture cannot be resolved (a NIC the node does not have)
// or a fault asks for it. The policy's conditions sum up its enactments in NMState's own words.
// Fault: `sim.novasphere.dev/node-network: fail | hold` on a Wukong whose network uses the policy's bridge.
import type { SimConfig } from "./config";
import { type ConditionSpec, mergeConditions, nowTimestamp } from "./conditions";
import { resolveCaptures, renderDesiredState, type CapturedStates } from "./nmstate-capture";
import type { Plan } from "./plan";
import { type KubeObject, NNCE, NNCP, NNS } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { deepEqual, replacePatch } from "./status-diff";

export const FAULT_NODE_NETWORK = "sim.novasphere.dev/node-network"; // fail | hold | ok
export const ENACTMENT_POLICY_LABEL = "nmstate.io/policy";
const BRIDGE_ANNOTATION = "vm.novasphere.dev/bridge";
const NIC_ANNOTATION = "vm.novasphere.dev/physical-interface";

/** The NICs every simulated node has; addresses differ per node (its index among the nodes). */
export function simulatedNodeState(index: number) {
  const mac = (nic: number) => `52:54:00:00:${index.toString(16).padStart(2, "0")}:${nic.toString(16).padStart(2, "0")}`;
  const staticV4 = (ip: string) => ({ enabled: true, dhcp: false, address: [{ ip, "prefix-length": 24 }] });
  const off = { enabled: false };
  return {
    interfaces: [
      { name: "eth0", type: "ethernet", state: "up", "mac-address": mac(0), ipv4: staticV4(`10.0.2.${15 + index}`), ipv6: off },
      {
        name: "eth1",
        type: "ethernet",
        state: "up",
        "mac-address": mac(1),
        ipv4: {
          enabled: true,
          dhcp: true,
          "auto-dns": true,
          "auto-gateway": true,
          "auto-routes": true,
          address: [{ ip: `192.168.50.${11 + index}`, "prefix-length": 24 }],
        },
        ipv6: off,
      },
      { name: "eth2", type: "ethernet", state: "up", "mac-address": mac(2), ipv4: staticV4(`192.168.60.${11 + index}`), ipv6: off },
      // The default bridge the seed's networks plug into, made beforehand by the cluster's admin (no uplink here):
      // other bridges without physicalInterface are reported missing (BridgeMissing).
      {
        name: "br0",
        type: "linux-bridge",
        state: "up",
        "mac-address": mac(16),
        ipv4: off,
        ipv6: off,
        bridge: { options: { stp: { enabled: false } }, port: [] },
      },
    ],
    routes: {
      running: [
        { destination: "0.0.0.0/0", "next-hop-address": "10.0.2.2", "next-hop-interface": "eth0", "table-id": 254 },
        { destination: "192.168.61.0/24", "next-hop-address": "192.168.60.1", "next-hop-interface": "eth2", "table-id": 254 },
      ],
    },
  };
}

export function planNodeNetworkStates(snap: Snapshot): Plan[] {
  return [...snap.nodes.values()]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((node, index): Plan => {
      const name = node.metadata.name ?? "";
      const existing = snap.nodeNetworkStates.get(`/${name}`);
      const currentState = simulatedNodeState(index);
      if (existing && deepEqual(existing.status?.currentState, currentState)) return [];
      const status = { currentState, lastSuccessfulUpdateTime: nowTimestamp() };
      const patch = {
        type: "patch" as const,
        res: NNS,
        namespace: "",
        name,
        patch: { status },
        subresource: "status" as const,
        log: `[nmstate] node ${name}: reported NodeNetworkState`,
      };
      if (existing) return [patch];
      return [
        {
          type: "create",
          res: NNS,
          obj: { apiVersion: "nmstate.io/v1beta1", kind: NNS.kind, metadata: { name } },
          log: `[nmstate] node ${name}: created NodeNetworkState`,
        },
        patch,
      ];
    });
}

const matches = (selector: Record<string, string> | undefined, node: KubeObject) =>
  Object.entries(selector ?? {}).every(([key, value]) => node.metadata.labels?.[key] === value);

/** The fault asked for by a Wukong with a network on this policy's bridge and NIC. */
function faultOf(policy: KubeObject, snap: Snapshot): string | undefined {
  const bridge = policy.metadata.annotations?.[BRIDGE_ANNOTATION];
  const nic = policy.metadata.annotations?.[NIC_ANNOTATION];
  for (const wukong of snap.wukongs.values()) {
    const fault = wukong.metadata.annotations?.[FAULT_NODE_NETWORK]?.trim().toLowerCase();
    if (!fault) continue;
    const networks: { bridgeName?: string; physicalInterface?: string }[] = Array.isArray(wukong.spec?.networks) ? wukong.spec.networks : [];
    if (networks.some(network => network.physicalInterface === nic && (network.bridgeName ?? "br0") === bridge)) return fault;
  }
  return undefined;
}

type Outcome = { state: "progressing" | "available" | "failing"; message: string; desiredState?: unknown; captured?: CapturedStates };

function enact(policy: KubeObject, node: KubeObject, snap: Snapshot, elapsedMs: number, cfg: SimConfig, cached: CapturedStates | undefined): Outcome {
  const nodeName = node.metadata.name ?? "";
  const nns = snap.nodeNetworkStates.get(`/${nodeName}`);
  if (!nns?.status?.currentState) return { state: "progressing", message: `waiting for the NodeNetworkState of ${nodeName}` };
  let captured: CapturedStates;
  let desiredState: unknown;
  try {
    captured = resolveCaptures(policy.spec?.capture, nns.status.currentState, cached);
    desiredState = renderDesiredState(policy.spec?.desiredState ?? {}, captured);
  } catch (err) {
    return {
      state: "failing",
      message: `error reconciling NodeNetworkConfigurationPolicy on node ${nodeName}: failed to generate state: ${(err as Error).message}`,
    };
  }
  const fault = faultOf(policy, snap);
  if (fault === "hold" || elapsedMs < cfg.vmiStepMs) return { state: "progressing", message: "Applying desired state", desiredState, captured };
  if (fault === "fail") {
    return {
      state: "failing",
      message: `error reconciling NodeNetworkConfigurationPolicy on node ${nodeName}: rolling back desired state configuration: simulated fault: connectivity to the default gateway was lost`,
      desiredState,
      captured,
    };
  }
  return { state: "available", message: "successfully reconciled", desiredState, captured };
}

const ENACTMENT_CONDITIONS: Record<Outcome["state"], ConditionSpec[]> = {
  progressing: [
    { type: "Failing", status: "False", reason: "ConfigurationProgressing" },
    { type: "Available", status: "Unknown", reason: "ConfigurationProgressing" },
    { type: "Progressing", status: "True", reason: "ConfigurationProgressing" },
  ],
  available: [
    { type: "Failing", status: "False", reason: "SuccessfullyConfigured" },
    { type: "Available", status: "True", reason: "SuccessfullyConfigured" },
    { type: "Progressing", status: "False", reason: "SuccessfullyConfigured" },
  ],
  failing: [
    { type: "Failing", status: "True", reason: "FailedToConfigure" },
    { type: "Available", status: "False", reason: "FailedToConfigure" },
    { type: "Progressing", status: "False", reason: "FailedToConfigure" },
  ],
};

export function planNodeNetworkPolicies(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  const plans: Plan[] = [];
  const wanted = new Set<string>();
  for (const policy of snap.nodeNetworkPolicies.values()) {
    const policyName = policy.metadata.name ?? "";
    const generation = policy.metadata.generation ?? 1;
    const nodes = [...snap.nodes.values()].filter(node => matches(policy.spec?.nodeSelector, node));
    const outcomes: Outcome["state"][] = [];
    for (const node of nodes) {
      const name = `${node.metadata.name}.${policyName}`;
      wanted.add(name);
      const existing = snap.enactments.get(`/${name}`);
      const sameGeneration = existing?.status?.policyGeneration === generation;
      const cached = existing?.status?.capturedStates
        ? Object.fromEntries(Object.entries(existing.status.capturedStates as Record<string, { state: unknown }>).map(([key, value]) => [key, value.state]))
        : undefined;
      const outcome = enact(policy, node, snap, elapsed(`nnce:${name}`, String(generation)), cfg, cached);
      outcomes.push(outcome.state);
      const status = {
        ...(outcome.desiredState !== undefined && { desiredState: outcome.desiredState }),
        ...(outcome.captured && {
          capturedStates: Object.fromEntries(Object.entries(outcome.captured).map(([key, state]) => [key, { state, metaInfo: { version: "0" } }])),
        }),
        policyGeneration: generation,
        conditions: mergeConditions(
          sameGeneration ? existing?.status?.conditions : undefined,
          ENACTMENT_CONDITIONS[outcome.state].map(condition => ({ ...condition, message: outcome.message })),
        ),
      };
      const patch = replacePatch(existing?.status, status);
      const log = `[nmstate] enactment ${name}: ${outcome.state}${outcome.state === "failing" ? ` (${outcome.message})` : ""}`;
      const write = { type: "patch" as const, res: NNCE, namespace: "", name, patch: { status: patch ?? {} }, subresource: "status" as const, log };
      if (!existing) {
        plans.push([
          {
            type: "create",
            res: NNCE,
            obj: { apiVersion: "nmstate.io/v1beta1", kind: NNCE.kind, metadata: { name, labels: { [ENACTMENT_POLICY_LABEL]: policyName } } },
            log: `[nmstate] created enactment ${name}`,
          },
          write,
        ]);
      } else if (patch) plans.push([write]);
    }
    plans.push(policyStatusPlan(policy, outcomes));
  }
  for (const enactment of snap.enactments.values()) {
    const name = enactment.metadata.name ?? "";
    if (!wanted.has(name))
      plans.push([
        {
          type: "delete",
          res: NNCE,
          namespace: "",
          name,
          uid: enactment.metadata.uid,
          log: `[nmstate] deleted enactment ${name}: its policy no longer applies`,
        },
      ]);
  }
  return plans;
}

function policyStatusPlan(policy: KubeObject, outcomes: Outcome["state"][]): Plan {
  const total = outcomes.length;
  const failed = outcomes.filter(state => state === "failing").length;
  const done = outcomes.filter(state => state !== "progressing").length;
  let conditions: ConditionSpec[];
  if (total === 0) {
    conditions = [
      { type: "Available", status: "False", reason: "NoMatchingNode", message: "Policy does not match any node" },
      { type: "Degraded", status: "False", reason: "NoMatchingNode", message: "Policy does not match any node" },
    ];
  } else if (failed > 0) {
    const message = `${failed}/${total} nodes failed to configure`;
    conditions = [
      { type: "Available", status: "False", reason: "FailedToConfigure" },
      { type: "Degraded", status: "True", reason: "FailedToConfigure", message },
      { type: "Progressing", status: "False", reason: "FailedToConfigure" },
    ];
  } else if (done < total) {
    const message = `Policy is progressing ${done}/${total} nodes finished`;
    conditions = [
      { type: "Available", status: "Unknown", reason: "ConfigurationProgressing" },
      { type: "Degraded", status: "Unknown", reason: "ConfigurationProgressing" },
      { type: "Progressing", status: "True", reason: "ConfigurationProgressing", message },
    ];
  } else {
    const message = `${total}/${total} nodes successfully configured`;
    conditions = [
      { type: "Available", status: "True", reason: "SuccessfullyConfigured", message },
      { type: "Degraded", status: "False", reason: "SuccessfullyConfigured" },
      { type: "Progressing", status: "False", reason: "SuccessfullyConfigured" },
    ];
  }
  const current = policy.status ?? {};
  const desired = { ...current, conditions: mergeConditions(current.conditions, conditions) };
  const patch = replacePatch(current, desired);
  if (!patch) return [];
  const summary = conditions.find(condition => condition.status === "True") ?? conditions[0];
  return [
    {
      type: "patch",
      res: NNCP,
      namespace: "",
      name: policy.metadata.name ?? "",
      patch: { status: patch },
      subresource: "status",
      log: `[nmstate] policy ${policy.metadata.name}: ${summary.type} ${summary.reason}${summary.message ? ` (${summary.message})` : ""}`,
    },
  ];
}
