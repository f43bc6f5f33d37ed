// The simulated NMState: captures rendered from a node's state, enactments Progressing then Available or
// Failing, the policy's conditions in NMState's words; and the scheduler's answer for a GPU no node offers.
import { nodeNetworkPolicy } from "../../lib/children/node-network-policy";
import { gpuShortage } from "./kubevirt-vmi";
import { renderDesiredState, resolveCaptures } from "./nmstate-capture";
import { planNodeNetworkPolicies, planNodeNetworkStates, simulatedNodeState } from "./nmstate";
import type { Action } from "./plan";
import type { KubeObject } from "./resources";
import { after, cfg } from "./test-helpers";
import { emptySnapshot } from "./snapshot";

const node = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  kind: "Node",
  metadata: { name, labels: { "kubernetes.io/hostname": name } },
  ...extra,
});

function snapshot(policy: KubeObject, wukongs: KubeObject[] = []) {
  const snap = emptySnapshot();
  snap.nodes.set("/n1", node("n1"));
  snap.nodeNetworkStates.set("/n1", { kind: "NodeNetworkState", metadata: { name: "n1" }, status: { currentState: simulatedNodeState(0) } });
  snap.nodeNetworkPolicies.set(`/${policy.metadata.name}`, policy);
  for (const wukong of wukongs) snap.wukongs.set(`${wukong.metadata.namespace}/${wukong.metadata.name}`, wukong);
  return snap;
}

const policyFor = (nic: string) => ({
  ...(nodeNetworkPolicy({ bridge: "br-a", nic, type: "bridge" }, [{}]) as unknown as KubeObject),
  metadata: { name: `wukong-br-a-${nic}`, generation: 1, annotations: { "vm.novasphere.dev/bridge": "br-a", "vm.novasphere.dev/physical-interface": nic } },
});
const patches = (plans: Action[][]) => plans.flat().filter((a): a is Extract<Action, { type: "patch" }> => a.type === "patch");
const statusOf = (plans: Action[][], plural: string) => patches(plans).find(a => a.res.plural === plural)?.patch as { status: Record<string, unknown> };

describe("simulated NMState", () => {
  it("moves a DHCP NIC's addressing (and MAC) to the bridge and a static NIC's route to it", () => {
    const state = simulatedNodeState(0);
    const dhcp = policyFor("eth1");
    const rendered = renderDesiredState(dhcp.spec.desiredState, resolveCaptures(dhcp.spec.capture, state));
    expect(rendered.interfaces[0]).toMatchObject({ name: "br-a", "mac-address": "52:54:00:00:00:01", ipv4: { enabled: true, dhcp: true } });
    const fixed = policyFor("eth2");
    const routes = renderDesiredState(fixed.spec.desiredState, resolveCaptures(fixed.spec.capture, state)).routes.config;
    expect(routes).toEqual([{ destination: "192.168.61.0/24", "next-hop-address": "192.168.60.1", "next-hop-interface": "br-a", "table-id": 254 }]);
    expect(renderDesiredState(fixed.spec.desiredState, resolveCaptures(fixed.spec.capture, state)).interfaces[0].ipv4).toEqual({
      enabled: true,
      dhcp: false,
      address: [{ ip: "192.168.60.11", "prefix-length": 24 }],
    });
  });

  it("reports a NodeNetworkState per node", () => {
    const snap = emptySnapshot();
    snap.nodes.set("/n1", node("n1"));
    expect(
      planNodeNetworkStates(snap)
        .flat()
        .map(a => a.type),
    ).toEqual(["create", "patch"]);
  });

  it("creates an enactment per matching node, Progressing for one step, then Available: 1/1 nodes successfully configured", () => {
    const policy = policyFor("eth1");
    const early = planNodeNetworkPolicies(snapshot(policy), after(0), cfg);
    expect(early.flat().find(a => a.type === "create")).toMatchObject({
      obj: { metadata: { name: "n1.wukong-br-a-eth1", labels: { "nmstate.io/policy": "wukong-br-a-eth1" } } },
    });
    expect(JSON.stringify(statusOf(early, "nodenetworkconfigurationpolicies"))).toContain("Policy is progressing 0/1 nodes finished");
    const done = statusOf(planNodeNetworkPolicies(snapshot(policy), after(cfg.vmiStepMs), cfg), "nodenetworkconfigurationpolicies");
    expect(done.status.conditions).toContainEqual(expect.objectContaining({ type: "Available", status: "True", message: "1/1 nodes successfully configured" }));
  });

  it("degrades the policy when the node lacks the NIC, or when a Wukong on it asks for the fault", () => {
    const missing = statusOf(planNodeNetworkPolicies(snapshot(policyFor("eth9")), after(cfg.vmiStepMs), cfg), "nodenetworkconfigurationpolicies");
    expect(missing.status.conditions).toContainEqual(expect.objectContaining({ type: "Degraded", status: "True", message: "1/1 nodes failed to configure" }));
    const wukong: KubeObject = {
      kind: "Wukong",
      metadata: { name: "w", namespace: "ns", annotations: { "sim.novasphere.dev/node-network": "fail" } },
      spec: { networks: [{ name: "lan", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1" }] },
    };
    const faulted = statusOf(planNodeNetworkPolicies(snapshot(policyFor("eth1"), [wukong]), after(cfg.vmiStepMs), cfg), "nodenetworkconfigurationpolicies");
    expect(faulted.status.conditions).toContainEqual(expect.objectContaining({ type: "Degraded", status: "True" }));
  });

  it("finds no node for a GPU resource nobody offers, and the one that offers it", () => {
    const vmi: KubeObject = {
      kind: "VirtualMachineInstance",
      metadata: { name: "v" },
      spec: { domain: { devices: { gpus: [{ name: "g", deviceName: "nvidia.com/T4" }] } } },
    };
    const nodes = [node("n1", { status: { allocatable: { "nvidia.com/A10": "1" } } })];
    expect(gpuShortage(vmi, nodes)).toContain("0/1 nodes are available: 1 Insufficient nvidia.com/T4.");
    expect(gpuShortage({ ...vmi, spec: { domain: { devices: { gpus: [{ name: "g", deviceName: "nvidia.com/A10" }] } } } }, nodes)).toBeUndefined();
    expect(gpuShortage({ ...vmi, spec: {} }, nodes)).toBeUndefined();
  });
});

describe("capture order", () => {
  it("resolves a capture that reads another whatever the map order", () => {
    const state = simulatedNodeState(0);
    const sorted = { "b-routes": 'capture.nic-routes | routes.running.next-hop-interface:="br"', "nic-routes": 'routes.running.next-hop-interface=="eth2"' };
    expect(resolveCaptures(sorted, state)["b-routes"].routes.running[0]["next-hop-interface"]).toBe("br");
  });
});
