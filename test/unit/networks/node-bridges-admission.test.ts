// Admission's cluster checks for node bridges: a bridge on another NIC than another Wukong put it on is denied
// naming that Wukong (failing closed); a physicalInterface without NMState is admitted with a warning, and so is a
// bridge nothing builds that NodeNetworkStates show missing on nodes, or that cannot be checked without NMState.
import { clusterChecks, type ClusterLookup } from "../../../lib/admission/cluster-checks";
import { claimsOfWukong } from "../../../lib/networks/segments";
import type { NodeInterfaces } from "../../../lib/networks/node-interfaces";
import { withDefaults } from "../../../lib/defaults";
import type { WukongSpec } from "../../../schemas/spec";
import type { Wukong } from "../../../schemas/wukong";

const spec = (name: string, nic: string, bridgeName = "br-mgmt", type: "bridge" | "ovs" = "bridge"): WukongSpec =>
  withDefaults({
    namespace: "vms",
    name,
    spec: { cpu: 1, memory: "1Gi", osImage: "docker://a/b:c", networks: [{ name: "lan", type, bridgeName, physicalInterface: nic }] },
  });
const stored = (name: string, wukongSpec: WukongSpec): Wukong => ({ metadata: { name, namespace: "vms" }, spec: wukongSpec });

function lookup(others: Wukong[], nmstate: boolean | Error = true, nodes: NodeInterfaces[] = []): ClusterLookup {
  return {
    storageClasses: async () => [{ name: "longhorn", isDefault: true }],
    networkAttachmentDefinitionExists: async () => true,
    addressClaims: async () => others.flatMap(claimsOfWukong),
    wukongSnapshot: async () => undefined,
    wukong: async () => undefined,
    diskVolumes: async () => ({}),
    cdiFeatureGates: async () => undefined,
    clusterFeatures: async () => ({}),
    nodeNetworkApiServed: async () => {
      if (nmstate instanceof Error) throw nmstate;
      return nmstate;
    },
    nodeInterfaces: async () => {
      if (nmstate instanceof Error) throw nmstate;
      return nmstate ? nodes : undefined;
    },
  };
}

const check = (name: string, wukongSpec: WukongSpec, cluster: ClusterLookup) => clusterChecks({ namespace: "vms", name, spec: wukongSpec }, cluster);

describe("node bridges at admission", () => {
  it("denies the same bridge on another NIC, or as another type, naming the Wukong that has it", async () => {
    const others = [stored("first", spec("first", "eth1"))];
    expect((await check("second", spec("second", "eth2"), lookup(others))).problems).toEqual([
      {
        path: "spec.networks[0].physicalInterface",
        message: "bridge br-mgmt is already built on eth1 (bridge) by Wukong vms/first (spec.networks[0]): a bridge has one physical port",
      },
    ]);
    expect((await check("second", spec("second", "eth1", "br-mgmt", "ovs"), lookup(others))).problems).toHaveLength(1);
  });

  it("admits the same bridge on the same NIC, another bridge, and the Wukong's own stored version", async () => {
    const others = [stored("first", spec("first", "eth1"))];
    expect((await check("second", spec("second", "eth1"), lookup(others))).problems).toEqual([]);
    expect((await check("second", spec("second", "eth2", "br-other"), lookup(others))).problems).toEqual([]);
    expect((await check("self", spec("self", "eth1"), lookup([stored("self", spec("self", "eth9"))]))).problems).toEqual([]);
  });

  it("fails closed when the other Wukongs cannot be read", async () => {
    const broken = { ...lookup([]), addressClaims: () => Promise.reject(new Error("etcdserver: request timed out")) };
    expect((await check("second", spec("second", "eth1"), broken)).problems[0].message).toContain("could not check");
  });

  it("warns, and admits, when NMState is not installed; says nothing when it is or when no network needs it", async () => {
    const missing = await check("a", spec("a", "eth1"), lookup([], false));
    expect(missing.problems).toEqual([]);
    expect(missing.warnings).toEqual([expect.stringContaining("spec.networks[0].physicalInterface: NMState is not installed")]);
    expect((await check("a", spec("a", "eth1"), lookup([], true))).warnings).toEqual([]);
    expect((await check("a", spec("a", "eth1"), lookup([], new Error("down")))).warnings).toEqual([]);
    const plain = withDefaults({ namespace: "vms", name: "p", spec: { cpu: 1, memory: "1Gi", osImage: "docker://a/b:c" } });
    expect((await check("p", plain, lookup([], false))).warnings).toEqual([]);
  });

  // containernetworking/plugins plugins/main/bridge/bridge.go (ensureBridge, v1.4.0 to v1.10.0) creates a bridge
  // that is missing on the node, with no uplink: a bridge network that no physicalInterface builds must find it.
  describe("a bridge that no physicalInterface builds", () => {
    const plain = (bridgeName?: string) =>
      withDefaults({
        namespace: "vms",
        name: "p",
        spec: { cpu: 1, memory: "1Gi", osImage: "docker://a/b:c", networks: [{ name: "lan", type: "bridge", bridgeName }] },
      });

    it("warns naming the nodes whose NodeNetworkState lacks it", async () => {
      const nodes = [
        { node: "n1", interfaces: ["eth0", "br0"] },
        { node: "n3", interfaces: ["eth0"] },
        { node: "n2", interfaces: ["eth0"] },
      ];
      const verdict = await check("p", plain(), lookup([], true, nodes));
      expect(verdict.problems).toEqual([]);
      expect(verdict.warnings).toEqual([
        "spec.networks[0]: bridge br0 does not exist on nodes n2, n3 (NodeNetworkState); the bridge CNI plugin creates a missing bridge with no uplink, so a VM there reaches only VMs on the same node",
      ]);
      expect((await check("p", plain(), lookup([], true, [nodes[0]]))).warnings).toEqual([]);
    });

    it("warns that it cannot be checked without NMState", async () => {
      expect((await check("p", plain("br-lan"), lookup([], false))).warnings).toEqual([
        expect.stringContaining(
          "spec.networks[0]: bridge br-lan must already exist on the nodes: nothing builds it (no physicalInterface), and without NMState",
        ),
      ]);
    });

    it("says nothing of a bridge this or another Wukong builds from a physicalInterface; a failed lookup is said", async () => {
      const nodes = [{ node: "n1", interfaces: ["eth0"] }];
      expect((await check("p", plain("br-mgmt"), lookup([stored("first", spec("first", "eth1"))], true, nodes))).warnings).toEqual([]);
      expect((await check("a", spec("a", "eth1"), lookup([], true, nodes))).warnings).toEqual([]);
      expect((await check("p", plain(), lookup([], new Error("forbidden")))).warnings).toEqual([
        expect.stringContaining("could not look up NodeNetworkStates (forbidden)"),
      ]);
    });
  });
});
