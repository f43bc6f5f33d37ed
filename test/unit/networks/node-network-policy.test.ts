// The shared NMState policy: one per bridge and NIC, built from every Wukong on it, valid for the upstream CRD.
import { bridgePortsOf, nodeNetworkPolicy } from "../../../lib/networks/node-network-policy";
import { withDefaults } from "../../../lib/defaults";
import type { WukongSpec } from "../../../schemas/spec";
import { strictProblems } from "../children/strict-schema";
import { nodeNetworkPolicyName } from "../../../schemas/networks/names";

const spec = (networks: WukongSpec["networks"], nodeSelector?: Record<string, string>): WukongSpec =>
  withDefaults({
    namespace: "vms",
    name: "vm",
    spec: { cpu: 1, memory: "1Gi", osImage: "docker://a/b:c", networks, ...(nodeSelector && { highAvailability: { nodeSelector } }) },
  });

type Interface = { name: string; type: string; bridge?: { options: unknown; port: { name: string; vlan?: unknown }[] } };
const interfacesOf = (policy: ReturnType<typeof nodeNetworkPolicy>) => (policy.spec as { desiredState: { interfaces: Interface[] } }).desiredState.interfaces;

describe("bridgePortsOf", () => {
  it("gives one entry per bridge with a physicalInterface, with where its VM may run; sriov and nadName networks have none", () => {
    const ports = bridgePortsOf(
      spec(
        [
          { name: "a", type: "bridge", bridgeName: "br-mgmt", physicalInterface: "eth1", vlanId: 100 },
          { name: "b", type: "bridge", bridgeName: "br-mgmt", physicalInterface: "eth1", vlanId: 200 },
          { name: "c", type: "ovs", bridgeName: "br-ovs", physicalInterface: "eth2" },
          { name: "d", type: "bridge", bridgeName: "br-plain" },
        ],
        { zone: "a" },
      ),
    );
    expect(ports).toEqual([
      { bridge: "br-mgmt", nic: "eth1", type: "bridge", nodeSelector: { zone: "a" } },
      { bridge: "br-ovs", nic: "eth2", type: "ovs", nodeSelector: { zone: "a" } },
    ]);
  });
});

describe("nodeNetworkPolicy", () => {
  const port = { bridge: "br-mgmt", nic: "eth1", type: "bridge" as const };

  it("builds the bridge with the NIC as its port, STP off, the NIC's addresses captured", () => {
    const policy = nodeNetworkPolicy(port, [{}, { nodeSelector: { zone: "a" } }]);
    expect(policy.metadata).toEqual({
      name: "wukong-br-mgmt-eth1",
      labels: { "app.kubernetes.io/managed-by": "wukong", "vm.novasphere.dev/node-network": "bridge" },
      annotations: { "vm.novasphere.dev/bridge": "br-mgmt", "vm.novasphere.dev/physical-interface": "eth1" },
    });
    expect(policy.metadata.ownerReferences).toBeUndefined();
    const [bridge, nic] = interfacesOf(policy);
    expect(bridge).toMatchObject({
      name: "br-mgmt",
      type: "linux-bridge",
      ipv4: "{{ capture.nic.interfaces.0.ipv4 }}",
      "mac-address": "{{ capture.nic.interfaces.0.mac-address }}",
      bridge: {
        options: { stp: { enabled: false } },
        port: [{ name: "eth1" }],
      },
    });
    expect(nic).toEqual({ name: "eth1", type: "ethernet", state: "up", ipv4: { enabled: false }, ipv6: { enabled: false } });
    expect(policy.spec).toMatchObject({
      maxUnavailable: 1,
      capture: { nic: 'interfaces.name=="eth1"', "bridge-routes": 'capture.nic-routes | routes.running.next-hop-interface:="br-mgmt"' },
      desiredState: { routes: { config: "{{ capture.bridge-routes.routes.running }}" } },
    });
  });

  // kubernetes-nmstate v0.86.0 pkg/bridge/bridge.go (ApplyDefaultVlanFiltering, called from
  // controllers/handler/nodenetworkconfigurationpolicy_controller.go) gives an up linux-bridge's port without a
  // `vlan` block a trunk of 2-4094, VLAN 1 staying native (test/e2e/handler/default_bridged_network_test.go). A
  // list of our own would narrow that to the VLANs of physicalInterface networks and drop every other VLAN.
  it("leaves the NIC port's VLANs to kubernetes-nmstate's default trunk (2-4094, VLAN 1 native), whatever the users' VLANs", () => {
    const ports = interfacesOf(nodeNetworkPolicy(port, [{}])).flatMap(iface => iface.bridge?.port ?? []);
    expect(ports).toEqual([{ name: "eth1" }]);
    expect(ports[0]).not.toHaveProperty("vlan");
  });

  it("targets the labels every user's nodeSelector shares, or all nodes when one user has none", () => {
    const selectorOf = (policy: ReturnType<typeof nodeNetworkPolicy>) => (policy.spec as { nodeSelector?: unknown }).nodeSelector;
    expect(selectorOf(nodeNetworkPolicy(port, [{ nodeSelector: { worker: "", zone: "a" } }, { nodeSelector: { worker: "", zone: "b" } }]))).toEqual({
      worker: "",
    });
    expect(selectorOf(nodeNetworkPolicy(port, [{ nodeSelector: { worker: "" } }, {}]))).toBeUndefined();
  });

  it("builds an ovs-bridge whose internal interface takes the node's addresses", () => {
    const [internal, bridge] = interfacesOf(nodeNetworkPolicy({ bridge: "br-ovs", nic: "eth2", type: "ovs" }, [{}]));
    expect(internal).toMatchObject({ name: "br-ovs", type: "ovs-interface" });
    expect(bridge).toMatchObject({
      name: "br-ovs",
      type: "ovs-bridge",
      bridge: { options: { stp: { enabled: false } }, port: [{ name: "eth2" }, { name: "br-ovs" }] },
    });
  });

  it("names policies as DNS subdomains, apart even when lower-casing would merge two", () => {
    expect(nodeNetworkPolicyName({ bridge: "br0", nic: "eth1" })).toBe("wukong-br0-eth1");
    const upper = nodeNetworkPolicyName({ bridge: "BR_0", nic: "eth1" });
    expect(upper).toMatch(/^wukong-br-0-eth1-[0-9a-f]{6}$/);
    expect(upper).not.toBe(nodeNetworkPolicyName({ bridge: "br-0", nic: "eth1" }));
  });

  it("passes the upstream NodeNetworkConfigurationPolicy schema (v0.86.0)", () => {
    expect(strictProblems(nodeNetworkPolicy(port, [{ nodeSelector: { "kubernetes.io/hostname": "n1" } }]))).toEqual([]);
    expect(strictProblems(nodeNetworkPolicy({ bridge: "br-ovs", nic: "eth2", type: "ovs" }, [{}]))).toEqual([]);
  });
});
