// The simulated kubernetes-nmstate v0.86 handler, running the real nmstatectl 2.2.62 (test/stack/cluster/upstream-bin.sh
// unpacks it from ../shared/upstream; no root, no NetworkManager): enactments as
// controllers/handler/nodenetworkconfigurationpolicy_controller.go writes them, captures resolved by `nmstatectl
// policy` as pkg/nmstatectl/nmstatectl.go runs it, and the policy's conditions of pkg/policyconditions/conditions.go.
import { nicRoutes } from "../../lib/networks/nic-routes";
import { nodeNetworkPolicy } from "../../lib/networks/node-network-policy";
import { nodeInterfacesOf } from "../../lib/networks/node-interfaces";
import { FAULT_NODE_NETWORK, planNodeNetworkPolicies, withDefaultVlanFiltering } from "./nmstate";
import { planNodeNetworkStates, simulatedNodeState } from "./nmstate-node-state";
import { realNmstatectl, type State } from "./nmstatectl";
import type { Action } from "./plan";
import type { KubeObject } from "./resources";
import { emptySnapshot, type Snapshot } from "./snapshot";
import { after, cfg } from "./test-helpers";

const nmstatectl = realNmstatectl();
jest.setTimeout(30_000);

const node = (name: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  kind: "Node",
  metadata: { name, uid: `uid-${name}`, labels: { "kubernetes.io/hostname": name } },
  ...extra,
});

function snapshot(policy: KubeObject, opts: { wukongs?: KubeObject[]; current?: State } = {}): Snapshot {
  const snap = emptySnapshot();
  snap.nodes.set("/n1", node("n1"));
  snap.nodeNetworkStates.set("/n1", {
    kind: "NodeNetworkState",
    metadata: { name: "n1" },
    status: { currentState: opts.current ?? simulatedNodeState(0, "n1") },
  });
  snap.nodeNetworkPolicies.set(`/${policy.metadata.name}`, policy);
  for (const wukong of opts.wukongs ?? []) snap.wukongs.set(`${wukong.metadata.namespace}/${wukong.metadata.name}`, wukong);
  return snap;
}

/** The operator's own policy for bridge br-a on `nic` (lib/networks/node-network-policy.ts). */
const operatorPolicy = (nic: string, generation = 1): KubeObject => {
  const policy = nodeNetworkPolicy({ bridge: "br-a", nic, type: "bridge" }, [{}]) as unknown as KubeObject;
  return { ...policy, metadata: { ...policy.metadata, generation } };
};

const handWritten = (name: string, spec: State): KubeObject => ({
  apiVersion: "nmstate.io/v1",
  kind: "NodeNetworkConfigurationPolicy",
  metadata: { name, generation: 1, annotations: { "vm.novasphere.dev/bridge": "br-a", "vm.novasphere.dev/physical-interface": "eth1" } },
  spec,
});

// A JSON merge patch applied the way the API server does, so that a test can run several handler steps.
function merge(target: State, patch: State): State {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const out = target && typeof target === "object" && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = merge(out[key], value);
  }
  return out;
}

/** Runs the handler once, applies its writes to the snapshot, and returns them. */
async function step(snap: Snapshot, ms = 0): Promise<Action[]> {
  const actions = (await planNodeNetworkPolicies(snap, after(ms), cfg, nmstatectl)).flat();
  for (const action of actions) {
    if (action.type === "create") snap.enactments.set(`/${action.obj.metadata.name}`, structuredClone(action.obj));
    if (action.type !== "patch") continue;
    const store = action.res.kind === "NodeNetworkConfigurationEnactment" ? snap.enactments : snap.nodeNetworkPolicies;
    const object = store.get(`/${action.name}`);
    if (object) store.set(`/${action.name}`, merge(object, action.patch));
  }
  return actions;
}

const enactment = (snap: Snapshot, name: string) => snap.enactments.get(`/${name}`)?.status;
const condition = (status: State, type: string) => status?.conditions?.find((c: { type: string }) => c.type === type);

describe("simulated NodeNetworkState (what nmstatectl show reports, after pkg/state/filter.go)", () => {
  it("is a state that nmstatectl 2.2.62 accepts, on every node", async () => {
    for (const index of [0, 1]) {
      const state = simulatedNodeState(index);
      await expect(nmstatectl.validate(state, state)).resolves.toBeUndefined();
    }
    // A field nmstate does not know is refused: the check can fail.
    await expect(nmstatectl.validate({ interfaces: [{ name: "eth0", type: "ethernet", state: "up", speed: -1 }] }, {})).rejects.toThrow();
  });

  it("has named, typed NICs with MACs and ipv4, and br0 as a linux bridge with its options and ports", () => {
    const state = simulatedNodeState(1, "n2");
    expect(state.interfaces.map((i: { name: string; type: string }) => `${i.name}:${i.type}`)).toEqual([
      "lo:loopback",
      "eth0:ethernet",
      "eth1:ethernet",
      "eth2:ethernet",
      "eth3:ethernet",
      "eth4:ethernet",
      "br0:linux-bridge",
    ]);
    const eth1 = state.interfaces.find((i: { name: string }) => i.name === "eth1");
    expect(eth1).toMatchObject({ state: "up", "mac-address": "52:54:00:00:01:01", ipv4: { enabled: true, dhcp: true, address: [{ ip: "192.168.50.12" }] } });
    const br0 = state.interfaces.find((i: { name: string }) => i.name === "br0");
    expect(br0.bridge.options.stp).toMatchObject({ enabled: false, priority: 32768 });
    expect(br0.bridge.port).toEqual([expect.objectContaining({ name: "eth3", "stp-path-cost": 100 })]);
    expect(state.hostname.running).toBe("n2");
  });

  it("is reported once per node", () => {
    const snap = emptySnapshot();
    snap.nodes.set("/n1", node("n1"));
    expect(
      planNodeNetworkStates(snap)
        .flat()
        .map(a => a.type),
    ).toEqual(["create", "patch"]);
  });
});

describe("enactments (controllers/handler/nodenetworkconfigurationpolicy_controller.go at v0.86.0)", () => {
  it("resolves the operator's policy with nmstatectl policy: the DHCP NIC's addressing and MAC on the bridge, its route following", async () => {
    const snap = snapshot(operatorPolicy("eth1"));
    const created = (await step(snap)).find(a => a.type === "create");
    expect(created).toMatchObject({
      obj: {
        metadata: {
          name: "n1.wukong-br-a-eth1",
          labels: { "nmstate.io/policy": "wukong-br-a-eth1", "nmstate.io/node": "n1" },
          ownerReferences: [{ kind: "Node", name: "n1", uid: "uid-n1" }],
        },
      },
    });
    const status = enactment(snap, "n1.wukong-br-a-eth1");
    expect(status.policyGeneration).toBe(1);
    const [bridge, nic] = status.desiredState.interfaces;
    expect(bridge).toMatchObject({
      name: "br-a",
      type: "linux-bridge",
      "mac-address": "52:54:00:00:00:01",
      ipv4: { enabled: true, dhcp: true, "auto-gateway": true },
    });
    expect(nic).toMatchObject({ name: "eth1", ipv4: { enabled: false } });
    expect(status.desiredState.routes.config).toEqual([
      { destination: "0.0.0.0/0", "next-hop-interface": "br-a", "next-hop-address": "192.168.50.1", metric: 101, "table-id": 254 },
    ]);
    // pkg/nmpolicy/generate.go keeps what nmstatectl wrote with --output-captured.
    expect(Object.keys(status.capturedStates).sort()).toEqual(["bridge-routes", "nic", "nic-routes"]);
    expect(status.capturedStates.nic).toMatchObject({ state: { interfaces: [{ name: "eth1" }] }, metaInfo: { version: "0" } });
    expect(status.capturedStates.nic.metaInfo.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(condition(status, "Progressing")).toMatchObject({ status: "True", reason: "ConfigurationProgressing", message: "Applying desired state" });
    expect(status.conditions.map((c: { type: string }) => c.type)).toEqual(["Available", "Failing", "Progressing", "Pending", "Aborted"]);
    const policy = snap.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(policy, "Progressing")).toMatchObject({ status: "True", message: "Policy is progressing 0/1 nodes finished" });
  });

  it("applies after one step: nmstatectl validate accepts it, Available, and the policy 1/1 nodes successfully configured", async () => {
    const snap = snapshot(operatorPolicy("eth1"));
    await step(snap);
    await step(snap, cfg.enactmentMs);
    const status = enactment(snap, "n1.wukong-br-a-eth1");
    expect(condition(status, "Available")).toMatchObject({ status: "True", reason: "SuccessfullyConfigured", message: "successfully reconciled" });
    expect(condition(status, "Failing")).toMatchObject({ status: "False" });
    const policy = snap.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(policy, "Available")).toMatchObject({ status: "True", message: "1/1 nodes successfully configured" });
    expect(condition(policy, "Ignored")).toMatchObject({ status: "False", reason: "SuccessfullyConfigured" });
    expect(await step(snap, 10 * cfg.enactmentMs)).toEqual([]);
  });

  it("gives a linux bridge port without a vlan block the trunk 2-4094 (pkg/bridge/bridge.go ApplyDefaultVlanFiltering)", async () => {
    const snap = snapshot(operatorPolicy("eth2"));
    await step(snap);
    const [bridge] = enactment(snap, "n1.wukong-br-a-eth2").desiredState.interfaces;
    expect(bridge.bridge.port).toEqual([{ name: "eth2", vlan: { mode: "trunk", "trunk-tags": [{ "id-range": { min: 2, max: 4094 } }] } }]);
    const tagged = { interfaces: [{ type: "linux-bridge", state: "up", bridge: { port: [{ name: "eth1", vlan: { mode: "access", tag: 5 } }] } }] };
    expect(withDefaultVlanFiltering(tagged)).toEqual(tagged);
  });

  it("fails to generate when a capture finds nothing: FailedToConfigure with nmstatectl's words, and the policy Degraded", async () => {
    const snap = snapshot(operatorPolicy("eth9"));
    await step(snap);
    const failing = condition(enactment(snap, "n1.wukong-br-a-eth9"), "Failing");
    expect(failing).toMatchObject({ status: "True", reason: "FailedToConfigure" });
    expect(failing.message).toMatch(
      /^failure generating desiredState and capturedStates: failed calling nmstatectl rollback: , .*NmstateError: PolicyError: /s,
    );
    expect(failing.message).toContain('interfaces.name=="eth9"');
    expect(failing.message).toMatch(/failed to execute nmstatectl policy --current \S+ --json --output-captured \S+ \S+: exit status 1$/);
    const policy = snap.nodeNetworkPolicies.get("/wukong-br-a-eth9")?.status;
    expect(condition(policy, "Degraded")).toMatchObject({ status: "True", reason: "FailedToConfigure", message: "1/1 nodes failed to configure" });
    expect(condition(policy, "Progressing")).toMatchObject({ status: "False", reason: "ConfigurationProgressing" });
  });

  it("resolves a new generation from the captured states it holds (pkg/nmpolicy/generate.go), not from the node's changed state", async () => {
    const snap = snapshot(operatorPolicy("eth1", 1));
    await step(snap);
    // The bridge is built: eth1 has no address and no route left of its own.
    const built = simulatedNodeState(0, "n1");
    built.interfaces.find((i: { name: string }) => i.name === "eth1").ipv4 = { enabled: false };
    built.routes.running = built.routes.running.filter((r: { "next-hop-interface": string }) => r["next-hop-interface"] !== "eth1");
    snap.nodeNetworkStates.set("/n1", { kind: "NodeNetworkState", metadata: { name: "n1" }, status: { currentState: built } });
    snap.nodeNetworkPolicies.set("/wukong-br-a-eth1", operatorPolicy("eth1", 2));
    await step(snap);
    const status = enactment(snap, "n1.wukong-br-a-eth1");
    expect(status.policyGeneration).toBe(2);
    expect(status.desiredState.interfaces[0]).toMatchObject({ ipv4: { dhcp: true } });
    expect(condition(status, "Progressing")).toMatchObject({ status: "True" });
    // Without those captured states the same policy fails on that node.
    const fresh = snapshot(operatorPolicy("eth1", 2), { current: built });
    await step(fresh);
    expect(condition(enactment(fresh, "n1.wukong-br-a-eth1"), "Failing")?.message).toContain("route with 'next-hop-interface=eth1' not found");
  });

  // nmstate 2.2 (kubernetes-nmstate v0.86 runs it in pkg/nmstatectl/nmstatectl.go Policy) fails a capture that
  // matches nothing, so the route capture breaks a NIC without routes (eth4). The operator decides from the
  // NodeNetworkState (lib/networks/nic-routes.ts) and leaves it out there.
  it("resolves the operator's policy for a NIC without address or route (eth4), which the route capture would fail", async () => {
    const state = simulatedNodeState(0, "n1");
    const [nodeInterfaces] = nodeInterfacesOf([{ metadata: { name: "n1" }, status: { currentState: state } }]);
    const port = { bridge: "br-a", nic: "eth4", type: "bridge" as const };
    const decided = nicRoutes(port, {}, [nodeInterfaces], undefined);
    expect(decided).toEqual({ capture: false });
    const policyOf = (nicRoutes: boolean) => {
      const { capture, desiredState } = nodeNetworkPolicy(port, [{}], nicRoutes).spec as State;
      return { capture, desiredState };
    };
    const { desiredState, capturedStates } = await nmstatectl.policy(policyOf(false), state);
    expect(Object.keys(capturedStates)).toEqual(["nic"]);
    expect(desiredState.routes).toBeUndefined();
    expect(desiredState.interfaces[0]).toMatchObject({ name: "br-a", "mac-address": "52:54:00:00:00:04", ipv4: { enabled: false } });
    await expect(nmstatectl.validate(desiredState, state)).resolves.toBeUndefined();
    // The policy with the route capture, as the operator wrote it for every NIC before.
    await expect(nmstatectl.policy(policyOf(true), state)).rejects.toThrow("route with 'next-hop-interface=eth4' not found");
    // eth1 carries a route: the capture stays.
    expect(nicRoutes({ ...port, nic: "eth1" }, {}, [nodeInterfaces], undefined)).toEqual({ capture: true });
  });

  it("fails the apply when nmstatectl validate refuses the desired state on the node (a port the node lacks)", async () => {
    const policy = handWritten("bad-port", {
      desiredState: { interfaces: [{ name: "br-a", type: "linux-bridge", state: "up", bridge: { port: [{ name: "eth9" }] } }] },
    });
    const snap = snapshot(policy);
    await step(snap);
    expect(condition(enactment(snap, "n1.bad-port"), "Progressing")?.status).toBe("True");
    await step(snap, cfg.enactmentMs);
    const failing = condition(enactment(snap, "n1.bad-port"), "Failing");
    expect(failing?.message).toMatch(/^error reconciling NodeNetworkConfigurationPolicy on node n1 at desired state apply: "",\n /);
    expect(failing?.message).toContain("Controller interface br-a is holding unknown port eth9");
  });

  it("holds or fails the enactment of a policy whose bridge a Wukong asks the fault for", async () => {
    const wukong = (fault: string): KubeObject => ({
      kind: "Wukong",
      metadata: { name: "w", namespace: "ns", annotations: { [FAULT_NODE_NETWORK]: fault } },
      spec: { networks: [{ name: "lan", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1" }] },
    });
    const held = snapshot(operatorPolicy("eth1"), { wukongs: [wukong("hold")] });
    await step(held);
    await step(held, 10 * cfg.enactmentMs);
    expect(condition(enactment(held, "n1.wukong-br-a-eth1"), "Progressing")?.status).toBe("True");
    const failed = snapshot(operatorPolicy("eth1"), { wukongs: [wukong("fail")] });
    await step(failed);
    await step(failed, cfg.enactmentMs);
    expect(condition(enactment(failed, "n1.wukong-br-a-eth1"), "Failing")?.message).toContain("rolling back desired state configuration");
    const policy = failed.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(policy, "Degraded")).toMatchObject({ status: "True", message: "1/1 nodes failed to configure" });
  });

  it("goes one node at a time under the operator's maxUnavailable: 1 (pkg/node/nodes.go), Pending then Progressing", async () => {
    const snap = snapshot(operatorPolicy("eth1"));
    snap.nodes.set("/n2", node("n2"));
    snap.nodeNetworkStates.set("/n2", { kind: "NodeNetworkState", metadata: { name: "n2" }, status: { currentState: simulatedNodeState(1, "n2") } });
    await step(snap);
    expect(condition(enactment(snap, "n1.wukong-br-a-eth1"), "Progressing")?.status).toBe("True");
    expect(condition(enactment(snap, "n2.wukong-br-a-eth1"), "Pending")).toMatchObject({
      status: "True",
      reason: "MaxUnavailableLimitReached",
      message: "Waiting for progressing nodes to finish",
    });
    await step(snap, cfg.enactmentMs);
    expect(condition(enactment(snap, "n2.wukong-br-a-eth1"), "Progressing")?.status).toBe("True");
    // Each node's own lease and MAC go to its bridge.
    expect(enactment(snap, "n2.wukong-br-a-eth1").desiredState.interfaces[0]["mac-address"]).toBe("52:54:00:00:01:01");
    await step(snap, cfg.enactmentMs);
    const policy = snap.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(policy, "Available")).toMatchObject({ status: "True", message: "2/2 nodes successfully configured" });
  });

  it("aborts the other nodes once maxUnavailable nodes have failed", async () => {
    const wukong: KubeObject = {
      kind: "Wukong",
      metadata: { name: "w", namespace: "ns", annotations: { [FAULT_NODE_NETWORK]: "fail" } },
      spec: { networks: [{ name: "lan", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1" }] },
    };
    const snap = snapshot(operatorPolicy("eth1"), { wukongs: [wukong] });
    snap.nodes.set("/n2", node("n2"));
    snap.nodeNetworkStates.set("/n2", { kind: "NodeNetworkState", metadata: { name: "n2" }, status: { currentState: simulatedNodeState(1, "n2") } });
    await step(snap);
    await step(snap, cfg.enactmentMs);
    expect(condition(enactment(snap, "n2.wukong-br-a-eth1"), "Aborted")).toMatchObject({
      status: "True",
      message: 'reconciliation of enactment "n2.wukong-br-a-eth1" has aborted',
    });
    const policy = snap.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(policy, "Degraded")?.message).toBe("1/2 nodes failed to configure, 1 nodes aborted configuration");
  });

  it("reports a policy that matches no node as Ignored, and deletes the enactments of nodes it no longer selects", async () => {
    const policy = { ...operatorPolicy("eth1"), spec: { ...operatorPolicy("eth1").spec, nodeSelector: { role: "none" } } };
    const snap = snapshot(operatorPolicy("eth1"));
    await step(snap);
    snap.nodeNetworkPolicies.set("/wukong-br-a-eth1", policy);
    const actions = await step(snap);
    expect(actions).toContainEqual(expect.objectContaining({ type: "delete", name: "n1.wukong-br-a-eth1" }));
    const status = snap.nodeNetworkPolicies.get("/wukong-br-a-eth1")?.status;
    expect(condition(status, "Ignored")).toMatchObject({ status: "True", reason: "NoMatchingNode", message: "Policy does not match any node" });
  });
});
