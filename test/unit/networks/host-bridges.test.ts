// A bridge network without physicalInterface plugs into a bridge nothing of Wukong builds. The bridge CNI plugin
// creates a missing one with no uplink (containernetworking/plugins plugins/main/bridge/bridge.go, ensureBridge:
// netlink.LinkAdd when the bridge is not found, v1.4.0 to v1.10.0), so the VM would run and reach nothing. Where
// NMState reports the nodes' interfaces (kubernetes-nmstate v0.86.0 api/v1beta1 NodeNetworkState
// status.currentState.interfaces), the nodes lacking the bridge are named: BridgeMissing.
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER } from "../../../schemas/wukong";
import { MemoryCluster } from "../reconcile/memory-cluster";

const NAMESPACE = "vms";

const spec = (networks: WukongSpec["networks"]): WukongSpec =>
  withDefaults({
    namespace: NAMESPACE,
    name: "vm",
    spec: { cpu: 1, memory: "1Gi", networks, disks: [{ name: "system", size: "1Gi", storageClassName: "longhorn" }] },
  });

function setup(networks: WukongSpec["networks"]) {
  const cluster = new MemoryCluster();
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: "vm", namespace: NAMESPACE, uid: "vm-uid", generation: 1, finalizers: [FINALIZER] },
    spec: spec(networks) as unknown as Record<string, unknown>,
  });
  const reconcile = () => wukongReconciler(cluster, { now: () => "2026-12-07T12:00:00Z", nowMs: () => 1_000_000, statusRefreshMs: 0 })(`${NAMESPACE}/vm`);
  return { cluster, reconcile };
}

const statusOf = (cluster: MemoryCluster) => cluster.stored("Wukong", NAMESPACE, "vm")?.status as WukongStatus;
const networksConfigured = (cluster: MemoryCluster) => statusOf(cluster).conditions?.find(c => c.type === "NetworksConfigured");

describe("reconcile: host bridges no physicalInterface builds", () => {
  it("names the nodes whose NodeNetworkState lacks the bridge, and still starts the VM where some node has it", async () => {
    const { cluster, reconcile } = setup([{ name: "lan", type: "bridge" }]);
    cluster.nodeNetworkStates = [
      { node: "n2", interfaces: ["eth0", "eth1"] },
      { node: "n1", interfaces: ["eth0", "br0"] },
      { node: "n3", interfaces: ["eth0"] },
    ];
    await reconcile();
    expect(networksConfigured(cluster)).toMatchObject({ status: "False", reason: "BridgeMissing" });
    expect(networksConfigured(cluster)?.message).toBe(
      "Bridge br0 (network lan) does not exist on nodes n2, n3 (NodeNetworkState): the bridge CNI plugin would create it there with no uplink, reaching only VMs on that node. Create the bridge on the nodes, or set physicalInterface on the network so that NMState builds it.",
    );
    expect(statusOf(cluster).phase).not.toBe("Error");
    expect(cluster.stored("VirtualMachine", NAMESPACE, "vm")).toBeDefined();
  });

  it("says so when no node has the bridge, and leaves phase and message to the rest", async () => {
    const { cluster, reconcile } = setup([{ name: "lan", type: "bridge", bridgeName: "br-lan", vlanId: 5 }]);
    cluster.nodeNetworkStates = [{ node: "n1", interfaces: ["eth0"] }];
    await reconcile();
    expect(statusOf(cluster).phase).toBe("Creating");
    expect(statusOf(cluster).message).not.toContain("br-lan");
    expect(networksConfigured(cluster)).toMatchObject({ status: "False", reason: "BridgeMissing" });
    expect(networksConfigured(cluster)?.message).toContain("Bridge br-lan (network lan) does not exist on any node");
  });

  it("says nothing when every node has it, without NMState, or for a bridge a policy, physicalInterface or the user's NAD decides", async () => {
    const everywhere = setup([{ name: "lan", type: "bridge" }]);
    everywhere.cluster.nodeNetworkStates = [{ node: "n1", interfaces: ["br0"] }];
    await everywhere.reconcile();
    expect(networksConfigured(everywhere.cluster)).toMatchObject({ status: "True", reason: "NetworksReady" });

    const noNmstate = setup([{ name: "lan", type: "bridge" }]);
    await noNmstate.reconcile();
    expect(networksConfigured(noNmstate.cluster)).toMatchObject({ status: "True", reason: "NetworksReady" });

    const decided = setup([
      { name: "own", type: "bridge", nadName: "corp" },
      { name: "ovs", type: "ovs", bridgeName: "br-ovs" },
      { name: "shared", type: "bridge", bridgeName: "br-shared" },
    ]);
    decided.cluster.lookups.add("NetworkAttachmentDefinition/vms/corp");
    decided.cluster.put("NodeNetworkConfigurationPolicy", {
      apiVersion: "nmstate.io/v1",
      kind: "NodeNetworkConfigurationPolicy",
      metadata: { name: "wukong-br-shared-eth1", annotations: { "vm.novasphere.dev/bridge": "br-shared", "vm.novasphere.dev/physical-interface": "eth1" } },
    });
    decided.cluster.nodeNetworkStates = [{ node: "n1", interfaces: ["eth0"] }];
    await decided.reconcile();
    expect(networksConfigured(decided.cluster)?.reason).not.toBe("BridgeMissing");
  });
});
