// Stand-in for kubernetes-nmstate v0.86's handler on each simulated node, with the real nmstatectl 2.2.62 doing
// the work (controllers/handler/nodenetworkconfigurationpolicy_controller.go):
// - per NodeNetworkConfigurationPolicy and matching Node, an Enactment `<node>.<policy>` (api/v1beta1 NewEnactment);
// - on a new policy generation, `nmstatectl policy` resolves the captures against the node's NodeNetworkState and
//   the captured states the enactment already holds (pkg/nmpolicy/generate.go); the linux bridge ports without a
//   `vlan` get the default trunk (pkg/bridge/bridge.go); `nmstatectl statistic` gives the features;
// - then Progressing ("Applying desired state") for one step, and `nmstatectl validate` stands in for `apply`:
//   Available ("successfully reconciled"), or Failing with nmstatectl's error;
// - the policy's conditions sum up its enactments (pkg/policyconditions/conditions.go).
// Faults: `sim.novasphere.dev/node-network: hold | fail` on a Wukong whose network uses the policy's bridge and NIC
// holds the enactment Progressing, or fails its apply as lost connectivity does (the handler's probes roll back).
// maxUnavailable: beyond it an enactment waits Pending, and once that many have failed the rest are Aborted.
// Not played: the five retries before FailedToConfigure, and the policy's unavailableNodeCountMap.
import type { SimConfig } from "./config";
import { type ConditionSpec, mergeConditions } from "./conditions";
import type { CapturedStates, Nmstatectl, State } from "./nmstatectl";
import type { Plan } from "./plan";
import { type KubeObject, NNCE, NNCP } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";
import { replacePatch } from "./status-diff";

export const FAULT_NODE_NETWORK = "sim.novasphere.dev/node-network"; // fail | hold
export const ENACTMENT_POLICY_LABEL = "nmstate.io/policy";
const ENACTMENT_NODE_LABEL = "nmstate.io/node";
const BRIDGE_ANNOTATION = "vm.novasphere.dev/bridge";
const NIC_ANNOTATION = "vm.novasphere.dev/physical-interface";

type Step = "initial" | "progressing" | "pending" | "aborted" | "available" | "failing";

// pkg/enactmentstatus/conditions/conditions.go: SetProgressing, SetPending, SetAborted, SetSuccess,
// SetFailedToConfigure; the order is
// NewEnactment's, which sets all five Unknown first.
const ENACTMENT_CONDITIONS: Record<Step, (message: string) => ConditionSpec[]> = {
  initial: () => ["Available", "Failing", "Progressing", "Pending", "Aborted"].map(type => ({ type, status: "Unknown" })),
  progressing: message => [
    { type: "Available", status: "Unknown", reason: "ConfigurationProgressing" },
    { type: "Failing", status: "Unknown", reason: "ConfigurationProgressing" },
    { type: "Progressing", status: "True", reason: "ConfigurationProgressing", message },
    { type: "Pending", status: "False", reason: "ConfigurationProgressing" },
    { type: "Aborted", status: "False", reason: "ConfigurationProgressing" },
  ],
  available: message => [
    { type: "Available", status: "True", reason: "SuccessfullyConfigured", message },
    { type: "Failing", status: "False", reason: "SuccessfullyConfigured" },
    { type: "Progressing", status: "False", reason: "SuccessfullyConfigured" },
    { type: "Pending", status: "False", reason: "SuccessfullyConfigured" },
    { type: "Aborted", status: "False", reason: "SuccessfullyConfigured" },
  ],
  pending: message => [
    { type: "Available", status: "False", reason: "MaxUnavailableLimitReached" },
    { type: "Failing", status: "False", reason: "MaxUnavailableLimitReached" },
    { type: "Progressing", status: "False", reason: "MaxUnavailableLimitReached", message },
    { type: "Pending", status: "True", reason: "MaxUnavailableLimitReached", message },
    { type: "Aborted", status: "False", reason: "MaxUnavailableLimitReached" },
  ],
  aborted: message => [
    { type: "Available", status: "False", reason: "ConfigurationAborted" },
    { type: "Failing", status: "False", reason: "ConfigurationAborted" },
    { type: "Progressing", status: "False", reason: "ConfigurationAborted" },
    { type: "Pending", status: "False", reason: "ConfigurationAborted" },
    { type: "Aborted", status: "True", reason: "ConfigurationAborted", message },
  ],
  failing: message => [
    { type: "Available", status: "False", reason: "FailedToConfigure" },
    { type: "Failing", status: "True", reason: "FailedToConfigure", message },
    { type: "Progressing", status: "False", reason: "FailedToConfigure" },
    { type: "Pending", status: "False", reason: "FailedToConfigure" },
    { type: "Aborted", status: "False", reason: "SuccessfullyConfigured" },
  ],
};

interface EnactmentStatus {
  desiredState?: State;
  capturedStates?: CapturedStates;
  policyGeneration?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  features?: string[];
}

const GENERATE_FAILURE = "failure generating desiredState and capturedStates: ";
const failingMessage = (status: EnactmentStatus) => status.conditions?.find(c => c.type === "Failing" && c.status === "True")?.message;
const conditionTrue = (status: EnactmentStatus, type: string) => status.conditions?.some(c => c.type === type && c.status === "True") ?? false;

function stepOf(status: EnactmentStatus): Step {
  if (conditionTrue(status, "Failing")) return "failing";
  if (conditionTrue(status, "Aborted")) return "aborted";
  if (conditionTrue(status, "Pending")) return "pending";
  if (conditionTrue(status, "Available")) return "available";
  if (conditionTrue(status, "Progressing")) return "progressing";
  return "initial";
}

const withConditions = (status: EnactmentStatus, step: Step, message = ""): EnactmentStatus => ({
  ...status,
  conditions: mergeConditions(status.conditions, ENACTMENT_CONDITIONS[step](message), { heartbeat: true }),
});

/**
 * pkg/bridge/bridge.go ApplyDefaultVlanFiltering: every port of an `up` linux bridge without a `vlan` block
 * trunks VLANs 2-4094.
 */
export function withDefaultVlanFiltering(desired: State): State {
  const out = structuredClone(desired);
  for (const iface of Array.isArray(out?.interfaces) ? out.interfaces : []) {
    if (iface?.type !== "linux-bridge" || iface?.state !== "up") continue;
    for (const port of Array.isArray(iface.bridge?.port) ? iface.bridge.port : []) {
      port.vlan ??= { mode: "trunk", "trunk-tags": [{ "id-range": { min: 2, max: 4094 } }] };
    }
  }
  return out;
}

/** The captured states as the handler stores them: its metav1.Time keeps whole seconds of nmstatectl's timestamps. */
const asStored = (captured: CapturedStates): CapturedStates =>
  Object.fromEntries(
    Object.entries(captured).map(([name, entry]) => [
      name,
      {
        ...entry,
        ...(entry.metaInfo && { metaInfo: { ...entry.metaInfo, ...(entry.metaInfo.time && { time: entry.metaInfo.time.replace(/\.\d+Z$/, "Z") }) } }),
      },
    ]),
  );

/** controllers/handler: fillInEnactmentStatus for a new policy generation (Failing when the captures fail). */
async function generate(policy: KubeObject, current: State, status: EnactmentStatus, nmstatectl: Nmstatectl): Promise<EnactmentStatus> {
  const generation = policy.metadata.generation ?? 1;
  // resetPolicyGeneration: conditions of an older generation do not count for this one.
  const reset: EnactmentStatus = { ...status, policyGeneration: generation, ...(status.policyGeneration !== generation && { conditions: [] }) };
  try {
    const { capture, desiredState } = policy.spec ?? {};
    const cached = status.capturedStates && Object.keys(status.capturedStates).length > 0 ? status.capturedStates : undefined;
    const resolved = await nmstatectl.policy({ ...(capture && { capture }), ...(desiredState && { desiredState }) }, current, cached);
    const desired = withDefaultVlanFiltering(resolved.desiredState);
    // The handler logs a statistic failure and goes on without features.
    const features = await nmstatectl.features(desired, current).catch(() => []);
    return { ...reset, desiredState: desired, capturedStates: asStored(resolved.capturedStates), ...(features.length > 0 && { features }) };
  } catch (err) {
    return withConditions(reset, "failing", `${GENERATE_FAILURE}${(err as Error).message}`);
  }
}

/** The error the handler reports when `apply` fails: nmstatectl's output, then the cause. */
const applyFailure = (nodeName: string, cause: string) =>
  `error reconciling NodeNetworkConfigurationPolicy on node ${nodeName} at desired state apply: "",\n ${cause}`;

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

/** The apply, after one step Progressing: the fault's rollback, nmstatectl's rejection, or success. */
async function apply(
  policy: KubeObject,
  nodeName: string,
  current: State,
  status: EnactmentStatus,
  snap: Snapshot,
  nmstatectl: Nmstatectl,
): Promise<EnactmentStatus> {
  if (faultOf(policy, snap) === "fail") {
    const cause = `rolling back desired state configuration: failed runnig probes after network changes: simulated fault (${FAULT_NODE_NETWORK}: fail): the default gateway stopped answering`;
    return withConditions(status, "failing", applyFailure(nodeName, cause));
  }
  try {
    await nmstatectl.validate(status.desiredState, current);
    return withConditions(status, "available", "successfully reconciled");
  } catch (err) {
    return withConditions(status, "failing", applyFailure(nodeName, (err as Error).message));
  }
}

/**
 * The policy's maxUnavailable over its matching nodes (pkg/node/nodes.go ScaledMaxUnavailableNodeCount: a count or a
 * percentage rounded up, default 50%, at least 1), and how many of its enactments of this generation have failed or
 * count as unavailable: the handler takes a slot before it applies and gives it back only on success, so a failed
 * node keeps its slot (controllers/handler: incrementUnavailableNodeCount, decrementUnavailableNodeCount).
 */
interface Rollout {
  maxUnavailable: number;
  unavailable: number;
  failed: number;
}

function rolloutOf(policy: KubeObject, nodeCount: number, snap: Snapshot): Rollout {
  const raw = policy.spec?.maxUnavailable ?? "50%";
  const percent = typeof raw === "string" && raw.endsWith("%") ? Number(raw.slice(0, -1)) : undefined;
  const scaled = percent === undefined ? Number(raw) : Math.ceil((percent * nodeCount) / 100);
  const ofThisGeneration = [...snap.enactments.values()]
    .filter(e => e.metadata.labels?.[ENACTMENT_POLICY_LABEL] === policy.metadata.name && e.status?.policyGeneration === (policy.metadata.generation ?? 1))
    .map(e => e.status as EnactmentStatus);
  // A node whose captures failed never took a slot: it stopped before the apply.
  const generationFailed = (status: EnactmentStatus) => failingMessage(status)?.startsWith(GENERATE_FAILURE) ?? false;
  return {
    maxUnavailable: Number.isFinite(scaled) && scaled >= 1 ? scaled : 1,
    unavailable: ofThisGeneration.filter(status => stepOf(status) === "progressing" || (stepOf(status) === "failing" && !generationFailed(status))).length,
    failed: ofThisGeneration.filter(status => stepOf(status) === "failing").length,
  };
}

/** NotifyProgressing when a slot is free; otherwise Pending, or Aborted once maxUnavailable nodes have failed. */
function start(name: string, status: EnactmentStatus, rollout: Rollout): EnactmentStatus {
  if (rollout.unavailable < rollout.maxUnavailable) {
    rollout.unavailable++;
    return withConditions(status, "progressing", "Applying desired state");
  }
  if (rollout.failed >= rollout.maxUnavailable) return withConditions(status, "aborted", `reconciliation of enactment "${name}" has aborted`);
  return withConditions(status, "pending", "Waiting for progressing nodes to finish");
}

async function enact(
  policy: KubeObject,
  node: KubeObject,
  snap: Snapshot,
  elapsed: Elapsed,
  cfg: SimConfig,
  nmstatectl: Nmstatectl,
  rollout: Rollout,
): Promise<{ plan: Plan; step: Step }> {
  const policyName = policy.metadata.name ?? "";
  const nodeName = node.metadata.name ?? "";
  const name = `${nodeName}.${policyName}`;
  const generation = policy.metadata.generation ?? 1;
  const existing = snap.enactments.get(`/${name}`);
  const status: EnactmentStatus = existing?.status ?? withConditions({}, "initial");
  const current = snap.nodeNetworkStates.get(`/${nodeName}`)?.status?.currentState;
  let next = status;
  if (current && status.policyGeneration !== generation) {
    next = await generate(policy, current, status, nmstatectl);
    if (stepOf(next) !== "failing") next = start(name, next, rollout);
  } else if (current && stepOf(status) === "pending") next = start(name, status, rollout);
  else if (current && stepOf(status) === "progressing") {
    const held = faultOf(policy, snap) === "hold" || elapsed(`nnce:${name}`, `${generation}/progressing`) < cfg.enactmentMs;
    if (!held) next = await apply(policy, nodeName, current, status, snap, nmstatectl);
    if (stepOf(next) === "available") rollout.unavailable--;
    if (stepOf(next) === "failing") rollout.failed++;
  }
  const step = stepOf(next);
  const patch = replacePatch(existing?.status, next as Record<string, unknown>);
  const failure = failingMessage(next);
  const log = `[nmstate] enactment ${name}: ${step}${failure ? ` (${failure})` : ""}`;
  const write = { type: "patch" as const, res: NNCE, namespace: "", name, patch: { status: patch ?? {} }, subresource: "status" as const, log };
  if (existing) return { plan: patch ? [write] : [], step };
  const metadata = {
    name,
    labels: { [ENACTMENT_POLICY_LABEL]: policyName, [ENACTMENT_NODE_LABEL]: nodeName },
    ...(node.metadata.uid && { ownerReferences: [{ apiVersion: "v1", kind: "Node", name: nodeName, uid: node.metadata.uid }] }),
  };
  return {
    plan: [
      { type: "create", res: NNCE, obj: { apiVersion: "nmstate.io/v1beta1", kind: NNCE.kind, metadata }, log: `[nmstate] created enactment ${name}` },
      write,
    ],
    step,
  };
}

const matches = (selector: Record<string, string> | undefined, node: KubeObject) =>
  Object.entries(selector ?? {}).every(([key, value]) => node.metadata.labels?.[key] === value);

export async function planNodeNetworkPolicies(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig, nmstatectl: Nmstatectl): Promise<Plan[]> {
  const plans: Plan[] = [];
  const wanted = new Set<string>();
  for (const policy of snap.nodeNetworkPolicies.values()) {
    const nodes = [...snap.nodes.values()].filter(node => matches(policy.spec?.nodeSelector, node));
    const steps: Step[] = [];
    const rollout = rolloutOf(policy, nodes.length, snap);
    for (const node of nodes) {
      wanted.add(`${node.metadata.name}.${policy.metadata.name}`);
      const { plan, step } = await enact(policy, node, snap, elapsed, cfg, nmstatectl, rollout);
      plans.push(plan);
      steps.push(step);
    }
    plans.push(policyStatusPlan(policy, steps));
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

/** pkg/policyconditions/conditions.go setPolicyStatus, with every matching node running the handler and Ready. */
function policyConditions(steps: Step[]): ConditionSpec[] {
  const total = steps.length;
  const failed = steps.filter(step => step === "failing").length;
  const aborted = steps.filter(step => step === "aborted").length;
  const finished = steps.filter(step => step === "available" || step === "failing" || step === "aborted").length;
  // Each setter gives all four conditions its reason, except that SetPolicyFailedToConfigure leaves Progressing
  // ConfigurationProgressing; the message goes on one of them.
  const set = (reason: string, statuses: [string, string, string, string], message: string, on: string): ConditionSpec[] =>
    (["Available", "Degraded", "Progressing", "Ignored"] as const).map((type, i) => ({
      type,
      status: statuses[i] as ConditionSpec["status"],
      reason: type === "Progressing" && reason === "FailedToConfigure" ? "ConfigurationProgressing" : reason,
      ...(type === on && { message }),
    }));
  if (total === 0) return set("NoMatchingNode", ["False", "False", "False", "True"], "Policy does not match any node", "Ignored");
  if (failed > 0 || aborted > 0) {
    const message = `${failed}/${total} nodes failed to configure${aborted > 0 ? `, ${aborted} nodes aborted configuration` : ""}`;
    return set("FailedToConfigure", ["False", "True", "False", "False"], message, "Degraded");
  }
  if (finished < total)
    return set("ConfigurationProgressing", ["Unknown", "Unknown", "True", "False"], `Policy is progressing ${finished}/${total} nodes finished`, "Progressing");
  return set("SuccessfullyConfigured", ["True", "False", "False", "False"], `${total}/${total} nodes successfully configured`, "Available");
}

function policyStatusPlan(policy: KubeObject, steps: Step[]): Plan {
  const conditions = policyConditions(steps);
  const current = policy.status ?? {};
  const desired = { ...current, conditions: mergeConditions(current.conditions, conditions, { heartbeat: true }) };
  const patch = replacePatch(current, desired);
  if (!patch) return [];
  const summary = conditions.find(condition => condition.message) ?? conditions[0];
  return [
    {
      type: "patch",
      res: NNCP,
      namespace: "",
      name: policy.metadata.name ?? "",
      patch: { status: patch },
      subresource: "status",
      log: `[nmstate] policy ${policy.metadata.name}: ${summary.type} ${summary.reason} (${summary.message})`,
    },
  ];
}
