// The node networks step against the in-memory cluster: one shared policy per bridge, NetworksConfigured and the
// VM waiting on it, a degraded policy surfacing as Error, NMState missing, and a policy's event re-queueing its users.
import type { LiveObject } from "../../../lib/cluster/live";
import type { NodeInterfaces } from "../../../lib/networks/node-interfaces";
import { withDefaults } from "../../../lib/defaults";
import { wukongsUsingPolicy } from "../../../lib/networks/reconcile-node-networks";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER, type Wukong } from "../../../schemas/wukong";
import { MemoryCluster, apiError } from "../reconcile/memory-cluster";

const NAMESPACE = "vms";
const POLICY = "wukong-br-mgmt-eth1";
const NNCP = "NodeNetworkConfigurationPolicy";

const bridged = (name: string, vlanId: number, nodeSelector?: Record<string, string>): WukongSpec =>
  withDefaults({
    namespace: NAMESPACE,
    name,
    spec: {
      cpu: 1,
      memory: "1Gi",
      ...(nodeSelector && { highAvailability: { nodeSelector } }),
      networks: [{ name: "mgmt", type: "bridge", bridgeName: "br-mgmt", physicalInterface: "eth1", vlanId }],
      disks: [{ name: "system", size: "1Gi", storageClassName: "longhorn" }],
    },
  });

function putWukong(cluster: MemoryCluster, name: string, spec: WukongSpec): void {
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name, namespace: NAMESPACE, uid: `${name}-uid`, generation: 1, finalizers: [FINALIZER] },
    spec: spec as unknown as Record<string, unknown>,
  });
}

function setup() {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  putWukong(cluster, "vm-a", bridged("vm-a", 100));
  const reconcile = wukongReconciler(cluster, { now: () => "2026-11-29T12:00:00Z", nowMs: () => 1_000_000, statusRefreshMs: 0 });
  return { cluster, reconcile };
}

const statusOf = (cluster: MemoryCluster, name: string) => cluster.stored("Wukong", NAMESPACE, name)?.status as WukongStatus;
const networksConfigured = (cluster: MemoryCluster, name: string) => statusOf(cluster, name).conditions?.find(c => c.type === "NetworksConfigured");
const portsOf = (policy: LiveObject | undefined) =>
  (policy?.spec as { desiredState: { interfaces: { bridge?: { port: unknown[] } }[] } }).desiredState.interfaces[0].bridge?.port;

function setPolicyConditions(cluster: MemoryCluster, conditions: Record<string, unknown>[]): void {
  const policy = cluster.stored(NNCP, undefined, POLICY)!;
  cluster.put(NNCP, { ...policy, status: { conditions } });
}

describe("reconcile: node networks", () => {
  it("creates the policy first and holds the VM back while it is pending: NetworksConfigured False NodeNetworkPending", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(cluster.writes[0]).toEqual({ verb: "apply", kind: NNCP, name: POLICY });
    expect(cluster.stored(NNCP, undefined, POLICY)?.metadata.ownerReferences).toBeUndefined();
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
    expect(cluster.stored("Secret", NAMESPACE, "vm-a-cloudinit")).toBeDefined();
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NodeNetworkPending" });
    expect(statusOf(cluster, "vm-a").phase).toBe("Creating");

    setPolicyConditions(cluster, [
      { type: "Progressing", status: "True", reason: "ConfigurationProgressing", message: "Policy is progressing 0/1 nodes finished" },
    ]);
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(networksConfigured(cluster, "vm-a")?.message).toBe(
      `Waiting for NodeNetworkConfigurationPolicy ${POLICY} to build bridge br-mgmt on eth1: Policy is progressing 0/1 nodes finished.`,
    );
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
  });

  it("starts the VM once the policy is Available, and says the policy is kept", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(`${NAMESPACE}/vm-a`);
    setPolicyConditions(cluster, [{ type: "Available", status: "True", reason: "SuccessfullyConfigured", message: "1/1 nodes successfully configured" }]);
    const mark = cluster.writes.length;
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeDefined();
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "True", reason: "NetworksReady" });
    expect(networksConfigured(cluster, "vm-a")?.message).toContain(`${POLICY} (bridge br-mgmt on eth1) available; never removed automatically`);
  });

  it("surfaces a Degraded policy as Error NodeNetworkDegraded with the policy's message", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(`${NAMESPACE}/vm-a`);
    setPolicyConditions(cluster, [
      { type: "Available", status: "False", reason: "FailedToConfigure" },
      { type: "Degraded", status: "True", reason: "FailedToConfigure", message: "1/3 nodes failed to configure" },
    ]);
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(statusOf(cluster, "vm-a").phase).toBe("Error");
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({
      status: "False",
      reason: "NodeNetworkDegraded",
      message: `NodeNetworkConfigurationPolicy ${POLICY} (bridge br-mgmt on eth1) is degraded: 1/3 nodes failed to configure.`,
    });
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
  });

  it("shares one policy between two Wukongs on the same bridge and NIC; another VLAN rewrites nothing", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(portsOf(cluster.stored(NNCP, undefined, POLICY))).toEqual([{ name: "eth1" }]);
    putWukong(cluster, "vm-b", bridged("vm-b", 200));
    const mark = cluster.writes.length;
    await reconcile(`${NAMESPACE}/vm-b`);
    expect(cluster.storedOf(NNCP).map(policy => policy.metadata.name)).toEqual([POLICY]);
    // NMState trunks every VLAN on the NIC port already (ApplyDefaultVlanFiltering): VLAN 200 changes nothing.
    expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
    expect(wukongsUsingPolicy(cluster.view.all("Wukong") as Wukong[], POLICY).sort()).toEqual([`${NAMESPACE}/vm-a`, `${NAMESPACE}/vm-b`]);
    expect(wukongsUsingPolicy(cluster.view.all("Wukong") as Wukong[], "wukong-br0-eth9")).toEqual([]);
  });

  it("takes the VLAN list an earlier version wrote off the NIC port, so NMState's 2-4094 trunk applies", async () => {
    const { cluster, reconcile } = setup();
    await reconcile(`${NAMESPACE}/vm-a`);
    const policy = cluster.stored(NNCP, undefined, POLICY)!;
    const spec = structuredClone(policy.spec) as { desiredState: { interfaces: { bridge?: { port: Record<string, unknown>[] } }[] } };
    spec.desiredState.interfaces[0].bridge!.port[0].vlan = { mode: "trunk", "enable-native": true, tag: 1, "trunk-tags": [{ id: 100 }] };
    cluster.put(NNCP, { ...policy, spec });
    const mark = cluster.writes.length;
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(cluster.writesSince(mark)).toContainEqual({ verb: "apply", kind: NNCP, name: POLICY });
    expect(portsOf(cluster.stored(NNCP, undefined, POLICY))).toEqual([{ name: "eth1" }]);
  });

  it("never widens the policy to every node when the Wukongs on the bridge select nodes sharing no label: Conflict", async () => {
    const { cluster, reconcile } = setup();
    putWukong(cluster, "vm-a", bridged("vm-a", 100, { zone: "a", nic1: "yes" }));
    await reconcile(`${NAMESPACE}/vm-a`);
    putWukong(cluster, "vm-b", bridged("vm-b", 200, { zone: "b" }));
    const mark = cluster.writes.length;
    await reconcile(`${NAMESPACE}/vm-b`);
    expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
    expect((cluster.stored(NNCP, undefined, POLICY)?.spec as { nodeSelector?: unknown }).nodeSelector).toEqual({ nic1: "yes", zone: "a" });
    expect(networksConfigured(cluster, "vm-b")).toMatchObject({ status: "False", reason: "NodeNetworkConfigurationPolicyConflict" });
    expect(networksConfigured(cluster, "vm-b")?.message).toContain("select nodes by labels they do not share");
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-b")).toBeUndefined();
  });

  // nmstate 2.2 (run by kubernetes-nmstate v0.86's pkg/nmstatectl/nmstatectl.go Policy) fails a capture that matches
  // nothing: "route with 'next-hop-interface=eth1' not found". test/simulator/nmstate.test.ts runs it on both forms.
  describe("the NIC's routes, per the NodeNetworkStates of the nodes the policy selects", () => {
    const node = (name: string, routed: boolean, extra: Partial<NodeInterfaces> = {}): NodeInterfaces => ({
      node: name,
      interfaces: ["eth0", "eth1"],
      routed: routed ? ["eth0", "eth1"] : ["eth0"],
      controllers: {},
      labels: { "kubernetes.io/hostname": name },
      ...extra,
    });
    type PolicySpec = { capture: Record<string, string>; desiredState: { routes?: unknown } };
    const policySpec = (cluster: MemoryCluster) => cluster.stored(NNCP, undefined, POLICY)?.spec as PolicySpec;

    it("captures them when the NIC carries routes on every node, and when NodeNetworkStates are not known", async () => {
      for (const states of [[node("n1", true), node("n2", true)], undefined]) {
        const { cluster, reconcile } = setup();
        cluster.nodeNetworkStates = states;
        await reconcile(`${NAMESPACE}/vm-a`);
        expect(Object.keys(policySpec(cluster).capture).sort()).toEqual(["bridge-routes", "nic", "nic-routes"]);
        expect(policySpec(cluster).desiredState.routes).toEqual({ config: "{{ capture.bridge-routes.routes.running }}" });
      }
    });

    it("leaves the route captures and routes out when the NIC carries no route on any selected node", async () => {
      const { cluster, reconcile } = setup();
      cluster.nodeNetworkStates = [node("n1", false), node("n2", false)];
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(policySpec(cluster).capture).toEqual({ nic: 'interfaces.name=="eth1"' });
      expect(policySpec(cluster).desiredState.routes).toBeUndefined();
      expect(networksConfigured(cluster, "vm-a")).toMatchObject({ reason: "NodeNetworkPending" });
      const mark = cluster.writes.length;
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
    });

    it("rewrites a policy that captures them (written before, Degraded on such nodes) once the NodeNetworkStates show none", async () => {
      const { cluster, reconcile } = setup();
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(Object.keys(policySpec(cluster).capture)).toContain("nic-routes");
      cluster.nodeNetworkStates = [node("n1", false)];
      const mark = cluster.writes.length;
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(cluster.writesSince(mark)).toContainEqual({ verb: "apply", kind: NNCP, name: POLICY });
    });

    it("counts only the nodes the policy's nodeSelector picks, and those that have the NIC", async () => {
      const { cluster, reconcile } = setup();
      putWukong(cluster, "vm-a", bridged("vm-a", 100, { rack: "a" }));
      cluster.nodeNetworkStates = [
        node("n1", false, { labels: { rack: "a" } }),
        node("n2", true, { labels: { rack: "b" } }),
        node("n3", true, { labels: { rack: "a" }, interfaces: ["eth0"] }),
      ];
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(policySpec(cluster).capture).toEqual({ nic: 'interfaces.name=="eth1"' });
    });

    it("counts a node where the policy already built the bridge (its routes moved there) as the live policy captured", async () => {
      const { cluster, reconcile } = setup();
      await reconcile(`${NAMESPACE}/vm-a`);
      cluster.nodeNetworkStates = [node("n1", false, { controllers: { eth1: "br-mgmt" } }), node("n2", true)];
      const mark = cluster.writes.length;
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(cluster.writesSince(mark).map(w => w.kind)).not.toContain(NNCP);
      expect(Object.keys(policySpec(cluster).capture)).toContain("nic-routes");
    });

    it("writes no policy when the NIC carries routes on some selected nodes only: NicRoutesDiffer naming them, Error, no VM", async () => {
      const { cluster, reconcile } = setup();
      cluster.nodeNetworkStates = [node("n1", true), node("n2", false), node("n3", false)];
      await reconcile(`${NAMESPACE}/vm-a`);
      expect(cluster.stored(NNCP, undefined, POLICY)).toBeUndefined();
      expect(statusOf(cluster, "vm-a").phase).toBe("Error");
      expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NicRoutesDiffer" });
      expect(networksConfigured(cluster, "vm-a")?.message).toBe(
        `NodeNetworkConfigurationPolicy ${POLICY} is not written: eth1 carries routes on n1 but none on n2, n3 (NodeNetworkState), and NMState fails a route capture that finds nothing: one policy cannot build bridge br-mgmt on both. Give the Wukongs on bridge br-mgmt nodeSelectors that pick only nodes of one kind.`,
      );
      expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
    });
  });

  it("reports NMStateMissing when the policy API is not served, and starts no VM", async () => {
    const { cluster, reconcile } = setup();
    cluster.failNext(NNCP, "apply", apiError(404, "NotFound", "the server could not find the requested resource"));
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(statusOf(cluster, "vm-a").phase).toBe("Error");
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NMStateMissing" });
    expect(networksConfigured(cluster, "vm-a")?.message).toContain("NMState is not installed");
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
  });

  it("reports NMStateMissing from the API server's plain-text 404 for a group it does not serve", async () => {
    const { cluster, reconcile } = setup();
    // What kube-apiserver answers for /apis/nmstate.io/v1/... without the CRD: no Status body.
    cluster.failNext(NNCP, "apply", { status: 404, statusText: "Not Found", data: "404 page not found\n" });
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NMStateMissing" });
  });

  it("reports NMStateMissing without writing when discovery found nmstate.io/v1 not served", async () => {
    const { cluster, reconcile } = setup();
    cluster.clusterFeatures = { servedApis: new Set() };
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NMStateMissing" });
    expect(cluster.writes.filter(write => write.kind === NNCP)).toEqual([]);
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
  });

  it("leaves a policy that builds the same bridge on another NIC alone, and says so: no second policy, no VM", async () => {
    const { cluster, reconcile } = setup();
    cluster.put(NNCP, {
      apiVersion: "nmstate.io/v1",
      kind: NNCP,
      metadata: { name: "wukong-br-mgmt-eth0", annotations: { "vm.novasphere.dev/bridge": "br-mgmt", "vm.novasphere.dev/physical-interface": "eth0" } },
    });
    await reconcile(`${NAMESPACE}/vm-a`);
    expect(cluster.storedOf(NNCP).map(policy => policy.metadata.name)).toEqual(["wukong-br-mgmt-eth0"]);
    expect(statusOf(cluster, "vm-a").phase).toBe("Error");
    expect(networksConfigured(cluster, "vm-a")).toMatchObject({ status: "False", reason: "NodeNetworkConfigurationPolicyConflict" });
    expect(networksConfigured(cluster, "vm-a")?.message).toContain(
      "bridge br-mgmt is already built on eth0 by NodeNetworkConfigurationPolicy wukong-br-mgmt-eth0",
    );
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm-a")).toBeUndefined();
  });

  it("writes nothing about node networks for a Wukong without physicalInterface", async () => {
    const { cluster, reconcile } = setup();
    putWukong(
      cluster,
      "plain",
      withDefaults({
        namespace: NAMESPACE,
        name: "plain",
        spec: { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "1Gi", storageClassName: "longhorn" }] },
      }),
    );
    await reconcile(`${NAMESPACE}/plain`);
    expect(cluster.writes.map(w => w.kind)).not.toContain(NNCP);
    expect(cluster.stored("VirtualMachine", NAMESPACE, "plain")).toBeDefined();
  });
});
