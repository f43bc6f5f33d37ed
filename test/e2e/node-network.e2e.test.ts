// Journey: host bridges built by NMState. Two Wukongs on one bridge share one NodeNetworkConfigurationPolicy
// (the simulator plays NMState); NetworksConfigured waits on it and the VM is not started before it is
// Available; a policy that fails on a node surfaces on the Wukong; a third Wukong that would put the same bridge
// on another NIC is denied; a bridge that nothing builds and no node has is admitted with a warning and reported
// BridgeMissing. The simulator's `sim.novasphere.dev/node-network: hold | fail` on a Wukong holds or
// fails the enactments of the policies its networks use.
import { randomBytes } from "node:crypto";
import {
  R,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  getJson,
  getJsonOrUndefined,
  kubectl,
  kubectlOk,
  tryApply,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "./support/kube";

const NNCP = "nodenetworkconfigurationpolicies.nmstate.io";
const NNCE = "nodenetworkconfigurationenactments.nmstate.io";
const FAULT = "sim.novasphere.dev/node-network";
// Policies are cluster-scoped and outlive the namespace: a bridge name of this run only.
const RUN = randomBytes(2).toString("hex");
const BRIDGE = `br-e2e-${RUN}`;
const FAILING_BRIDGE = `br-bad-${RUN}`;
const POLICY = `wukong-${BRIDGE}-eth1`;
const FAILING_POLICY = `wukong-${FAILING_BRIDGE}-eth2`;
let ns: string;

const bridged = (vlanId: number, address: string, nic = "eth1", bridgeName = BRIDGE) => ({
  cpu: 1,
  memory: "512Mi",
  osImage: "docker://quay.io/containerdisks/cirros:0.6",
  networks: [{ name: "lan", type: "bridge", bridgeName, physicalInterface: nic, vlanId, ipConfig: { mode: "static", address } }],
  // Required with physicalInterface: the policy targets these nodes only (the fixture Node has the label).
  highAvailability: { nodeSelector: { "kubernetes.io/os": "linux" } },
});

beforeAll(async () => {
  ns = await createNamespace("node-network");
});
afterAll(async () => {
  await deleteNamespace(ns);
  // Wukong never deletes a policy (removing a bridge can cut a node off): the test cleans up its own.
  await kubectl(["delete", NNCP, POLICY, FAILING_POLICY, "--ignore-not-found"]);
});

describe("node bridges through NMState", () => {
  test("the first Wukong on a bridge creates its policy and waits for it: NodeNetworkPending, no VM", async () => {
    await apply(ns, wukongManifest("vm-a", bridged(100, "192.168.100.11/24"), { annotations: { [FAULT]: "hold" } }));

    const waiting = await waitFor(() => wukong(ns, "vm-a"), {
      describe: "NetworksConfigured False NodeNetworkPending",
      until: w => condition(w, "NetworksConfigured")?.reason === "NodeNetworkPending",
      timeoutMs: 60_000,
    });
    expect(waiting.status.phase).toBe("Creating");
    expect(condition(waiting, "NetworksConfigured")).toMatchObject({ status: "False" });
    expect(condition(waiting, "NetworksConfigured")?.message).toContain(`NodeNetworkConfigurationPolicy ${POLICY} to build bridge ${BRIDGE} on eth1`);
    expect(await getJsonOrUndefined(R.vm, "vm-a", ns)).toBeUndefined();

    const policy = await getJson(NNCP, POLICY, ns);
    expect(policy.metadata.ownerReferences).toBeUndefined();
    expect(policy.spec.nodeSelector).toEqual({ "kubernetes.io/os": "linux" });
    const [bridge, nic] = policy.spec.desiredState.interfaces;
    expect(bridge).toMatchObject({ name: BRIDGE, type: "linux-bridge", state: "up", ipv4: "{{ capture.nic.interfaces.0.ipv4 }}" });
    expect(bridge.bridge.options.stp.enabled).toBe(false);
    // No vlan block: kubernetes-nmstate trunks 2-4094 with VLAN 1 native (pkg/bridge/bridge.go ApplyDefaultVlanFiltering).
    expect(bridge.bridge.port).toEqual([{ name: "eth1" }]);
    expect(nic).toMatchObject({ name: "eth1", type: "ethernet", ipv4: { enabled: false } });
    expect(policy.spec.capture.nic).toBe('interfaces.name=="eth1"');
  });

  test("a second Wukong on the same bridge and NIC, on another VLAN, shares the policy unchanged", async () => {
    const before = await getJson(NNCP, POLICY, ns);
    await apply(ns, wukongManifest("vm-b", bridged(200, "192.168.200.11/24")));
    const policies = JSON.parse(await kubectlOk(["get", NNCP, "-o", "json"])).items.filter(
      (p: { metadata: { annotations?: Record<string, string> } }) => p.metadata.annotations?.["vm.novasphere.dev/bridge"] === BRIDGE,
    );
    expect(policies.map((p: { metadata: { name: string } }) => p.metadata.name)).toEqual([POLICY]);
    const b = await waitFor(() => wukong(ns, "vm-b"), {
      describe: "vm-b waiting on the shared policy",
      until: w => condition(w, "NetworksConfigured")?.reason === "NodeNetworkPending",
      timeoutMs: 30_000,
    });
    expect(condition(b, "NetworksConfigured")?.status).toBe("False");
    // NMState's default trunk already carries VLAN 200: the policy was not rewritten.
    const after = await getJson(NNCP, POLICY, ns);
    expect(after.metadata.generation).toBe(before.metadata.generation);
    expect(after.spec.desiredState.interfaces[0].bridge.port).toEqual([{ name: "eth1" }]);
  });

  test("the same bridge on another NIC is denied, naming the Wukong that has it", async () => {
    const denied = await tryApply(ns, wukongManifest("vm-c", bridged(300, "192.168.30.11/24", "eth2")));
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("spec.networks[0].physicalInterface");
    expect(denied.stderr).toContain(`bridge ${BRIDGE} is already built on eth1`);
    expect(denied.stderr).toMatch(new RegExp(`Wukong ${ns}/vm-(a|b)`));
  });

  test("once NMState has built the bridge the policy is Available, both VMs run, and each node's eth1 address moved to the bridge", async () => {
    await kubectlOk(["annotate", "wk", "vm-a", "-n", ns, `${FAULT}-`]);
    for (const name of ["vm-a", "vm-b"]) {
      const running = await waitForPhase(ns, name, "Running", 90_000);
      expect(condition(running, "NetworksConfigured")).toMatchObject({ status: "True", reason: "NetworksReady" });
      expect(condition(running, "NetworksConfigured")?.message).toContain(`${POLICY} (bridge ${BRIDGE} on eth1) available; never removed automatically`);
    }
    const policy = await getJson(NNCP, POLICY, ns);
    expect(policy.status.conditions.find((c: { type: string }) => c.type === "Available")).toMatchObject({ status: "True", reason: "SuccessfullyConfigured" });
    // The simulated node has eth1 on DHCP: DHCP stays DHCP, with the NIC's MAC on the bridge (same lease).
    const enactment = await getJson(NNCE, `sim-node-1.${POLICY}`, ns);
    const [bridge, nic] = enactment.status.desiredState.interfaces;
    expect(bridge).toMatchObject({ name: BRIDGE, ipv4: { enabled: true, dhcp: true }, "mac-address": "52:54:00:00:00:01" });
    expect(nic).toMatchObject({ name: "eth1", ipv4: { enabled: false } });
    // Resolved by the real nmstatectl 2.2.62 as kubernetes-nmstate v0.86 runs it (pkg/nmstatectl/nmstatectl.go):
    // the captured NIC, and eth1's DHCP default route moved to the bridge.
    expect(enactment.status.capturedStates.nic.state.interfaces).toEqual([expect.objectContaining({ name: "eth1", "mac-address": "52:54:00:00:00:01" })]);
    expect(enactment.status.desiredState.routes.config).toEqual([expect.objectContaining({ destination: "0.0.0.0/0", "next-hop-interface": BRIDGE })]);
  });

  test("a policy that fails on a node surfaces on the Wukong as NodeNetworkDegraded with NMState's words, and no VM starts", async () => {
    await apply(ns, wukongManifest("vm-d", bridged(400, "192.168.40.11/24", "eth2", FAILING_BRIDGE), { annotations: { [FAULT]: "fail" } }));
    const failed = await waitForPhase(ns, "vm-d", "Error", 60_000);
    expect(condition(failed, "NetworksConfigured")).toMatchObject({ status: "False", reason: "NodeNetworkDegraded" });
    expect(condition(failed, "NetworksConfigured")?.message).toContain(
      // Two simulated nodes: the first to fail aborts the other's enactment, as NMState's maxUnavailable does.
      `${FAILING_POLICY} (bridge ${FAILING_BRIDGE} on eth2) is degraded: 1/2 nodes failed to configure`,
    );
    expect(failed.status.message).toContain("is degraded");
    expect(await getJsonOrUndefined(R.vm, "vm-d", ns)).toBeUndefined();
  });

  test("a bridge no physicalInterface builds and no node has: admitted with a warning, then BridgeMissing naming the node", async () => {
    const absent = `br-none-${RUN}`;
    const spec = {
      cpu: 1,
      memory: "512Mi",
      osImage: "docker://quay.io/containerdisks/cirros:0.6",
      networks: [{ name: "lan", type: "bridge", bridgeName: absent }],
    };
    const admitted = await tryApply(ns, wukongManifest("vm-e", spec));
    expect(admitted.code).toBe(0);
    expect(admitted.stderr).toContain(`spec.networks[0]: bridge ${absent} does not exist on nodes sim-node-1, sim-node-2 (NodeNetworkState)`);
    const missing = await waitFor(() => wukong(ns, "vm-e"), {
      describe: "NetworksConfigured False BridgeMissing",
      until: w => condition(w, "NetworksConfigured")?.reason === "BridgeMissing",
      timeoutMs: 60_000,
    });
    expect(condition(missing, "NetworksConfigured")?.message).toContain(`Bridge ${absent} (network lan) does not exist on any node (NodeNetworkState)`);
    // The simulated node has br0 (the seed's bridge): nothing to say about it.
    const seedLike = await tryApply(ns, wukongManifest("vm-f", { ...spec, networks: [{ name: "lan", type: "bridge" }] }));
    expect(seedLike.stderr).not.toContain("does not exist on");
  });

  test("deleting the Wukongs leaves the policies in place", async () => {
    await kubectlOk(["delete", "wk", "vm-a", "vm-b", "vm-d", "vm-e", "vm-f", "-n", ns, "--wait=true", "--timeout=60s"]);
    expect(await getJsonOrUndefined(NNCP, POLICY, ns)).toBeDefined();
  });
});
