// A multi-NIC Wukong: pod network, static bridge (VLAN, gateway, DNS), DHCP OVS, SR-IOV, and a user's own NAD.
import { desiredChildren } from "../../../lib/children";
import type { WukongSpec } from "../../../schemas/spec";
import { ownedMetadata, secretYaml, vmTemplateSpec, wukong } from "../children/fixtures";

const POD_MAC = "02:3f:03:2b:64:62"; // stableMac("prod", "edge-router", "pod")

const spec: WukongSpec = {
  cpu: 2,
  memory: "4Gi",
  networks: [
    {
      name: "lan",
      type: "bridge",
      bridgeName: "br-lan",
      vlanId: 100,
      macAddress: "02:AA:BB:00:00:02",
      ipConfig: { mode: "static", address: "192.168.100.10/24", gateway: "192.168.100.1", dnsServers: ["192.168.100.1", "1.1.1.1"] },
    },
    { name: "storage", type: "ovs", bridgeName: "br-ovs", macAddress: "02:aa:bb:00:00:03", ipConfig: { mode: "dhcp" } },
    {
      name: "fast",
      type: "sriov",
      resourceName: "intel.com/sriov_netdevice",
      vlanId: 200,
      macAddress: "02:aa:bb:00:00:04",
      ipConfig: { mode: "static", address: "10.20.0.5/16" },
    },
    { name: "shared", type: "bridge", nadName: "corp-net", macAddress: "02:aa:bb:00:00:05" },
  ],
  disks: [{ name: "system", size: "20Gi", image: "docker://quay.io/containerdisks/fedora:41" }],
};
const edgeRouter = wukong("edge-router", spec, { namespace: "prod" });

describe("multi-NIC edge-router", () => {
  const children = desiredChildren(edgeRouter, {});

  it("generates one NAD per network without nadName, with the CNI config of its type", () => {
    expect(children.networkAttachmentDefinitions).toEqual([
      {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: ownedMetadata("edge-router-lan", "edge-router", "prod"),
        spec: { config: '{"cniVersion":"0.3.1","name":"edge-router-lan","type":"bridge","bridge":"br-lan","vlan":100,"preserveDefaultVlan":false,"ipam":{}}' },
      },
      {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: ownedMetadata("edge-router-storage", "edge-router", "prod"),
        spec: { config: '{"cniVersion":"0.3.1","name":"edge-router-storage","type":"ovs","bridge":"br-ovs"}' },
      },
      {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: {
          ...ownedMetadata("edge-router-fast", "edge-router", "prod"),
          annotations: { "k8s.v1.cni.cncf.io/resourceName": "intel.com/sriov_netdevice" },
        },
        spec: { config: '{"cniVersion":"0.3.1","name":"edge-router-fast","type":"sriov","vlan":200,"ipam":{}}' },
      },
    ]);
  });

  it("binds the pod NIC first with masquerade, then each network in spec order", () => {
    const domain = vmTemplateSpec(children.virtualMachine).domain as { devices: { interfaces: unknown[] } };
    expect(domain.devices.interfaces).toEqual([
      { name: "pod", masquerade: {}, macAddress: POD_MAC },
      { name: "lan", bridge: {}, macAddress: "02:aa:bb:00:00:02" },
      { name: "storage", bridge: {}, macAddress: "02:aa:bb:00:00:03" },
      { name: "fast", sriov: {}, macAddress: "02:aa:bb:00:00:04" },
      { name: "shared", bridge: {}, macAddress: "02:aa:bb:00:00:05" },
    ]);
    expect(vmTemplateSpec(children.virtualMachine).networks).toEqual([
      { name: "pod", pod: {} },
      { name: "lan", multus: { networkName: "prod/edge-router-lan" } },
      { name: "storage", multus: { networkName: "prod/edge-router-storage" } },
      { name: "fast", multus: { networkName: "prod/edge-router-fast" } },
      { name: "shared", multus: { networkName: "prod/corp-net" } },
    ]);
  });

  // cloudinit/net/network_state.py `_v2_to_v1_ipcfg` (cloud-init 22.4–25.1) keeps only route-metric of
  // dhcp4-overrides for ENI, sysconfig and NetworkManager; the pod NIC therefore gets KubeVirt masquerade's fixed
  // guest address (pkg/network/link/address.go, v1.7.4) with no gateway instead of DHCP.
  it("writes netplan networkData matching every NIC by its lower-case MAC, one default route", () => {
    const dhcpWithoutRoutes = { dhcp4: true, "dhcp4-overrides": { "use-routes": false } };
    expect(secretYaml(children.cloudInitSecret, "networkdata")).toEqual({
      version: 2,
      ethernets: {
        pod: { match: { macaddress: POD_MAC }, "set-name": "pod", addresses: ["10.0.2.2/24"] },
        lan: {
          match: { macaddress: "02:aa:bb:00:00:02" },
          "set-name": "lan",
          addresses: ["192.168.100.10/24"],
          gateway4: "192.168.100.1",
          nameservers: { addresses: ["192.168.100.1", "1.1.1.1"] },
        },
        storage: { match: { macaddress: "02:aa:bb:00:00:03" }, "set-name": "storage", ...dhcpWithoutRoutes },
        fast: { match: { macaddress: "02:aa:bb:00:00:04" }, "set-name": "fast", addresses: ["10.20.0.5/16"] },
        shared: { match: { macaddress: "02:aa:bb:00:00:05" }, "set-name": "shared", ...dhcpWithoutRoutes },
      },
    });
  });

  it("matches the VM's interfaces MAC by MAC", () => {
    const domain = vmTemplateSpec(children.virtualMachine).domain as { devices: { interfaces: { name: string; macAddress: string }[] } };
    const ethernets = secretYaml(children.cloudInitSecret, "networkdata").ethernets as Record<string, { match: { macaddress: string }; "set-name": string }>;
    expect(Object.keys(ethernets)).toEqual(domain.devices.interfaces.map(nic => nic.name));
    for (const nic of domain.devices.interfaces) {
      expect(ethernets[nic.name].match.macaddress).toBe(nic.macAddress);
      expect(ethernets[nic.name]["set-name"]).toBe(nic.name);
    }
  });

  it("quotes MACs and addresses in networkData", () => {
    const text = Buffer.from((children.cloudInitSecret.data as Record<string, string>).networkdata, "base64").toString();
    expect(text).toContain('macaddress: "02:aa:bb:00:00:02"');
    expect(text).toContain('- "192.168.100.10/24"');
  });

  // cloudinit/net/eni.py `_render_route` (22.4–25.1) writes routes as `post-up route add … || true`: net-tools,
  // absent from Debian's minimal images, so a default route there never appears. A gateway is ifupdown's own line.
  it("gives the default route as gateway4/gateway6, never as a routes entry", () => {
    const text = Buffer.from((children.cloudInitSecret.data as Record<string, string>).networkdata, "base64").toString();
    expect(text).toContain('gateway4: "192.168.100.1"');
    expect(text).not.toMatch(/^\s*routes:/m);
    const v6 = desiredChildren(
      wukong("v6", {
        cpu: 1,
        memory: "1Gi",
        networks: [{ name: "a", type: "bridge", ipConfig: { mode: "static", address: "2001:db8::10/64", gateway: "2001:db8::1" } }],
      }),
      {},
    );
    expect((secretYaml(v6.cloudInitSecret, "networkdata").ethernets as Record<string, Record<string, unknown>>).a).toMatchObject({ gateway6: "2001:db8::1" });
  });
});

describe("network variants", () => {
  const nadConfigs = (networks: WukongSpec["networks"]) =>
    desiredChildren(wukong("vm", { cpu: 1, memory: "1Gi", networks }), {}).networkAttachmentDefinitions.map(nad => (nad.spec as { config: string }).config);

  it("defaults the bridge to br0, leaves vlan out when unset, and uses vlan 0 (untagged) for sriov", () => {
    expect(
      nadConfigs([
        { name: "a", type: "bridge" },
        { name: "b", type: "ovs" },
        { name: "c", type: "sriov", resourceName: "nvidia.com/mlnx_sriov" },
      ]),
    ).toEqual([
      '{"cniVersion":"0.3.1","name":"vm-a","type":"bridge","bridge":"br0","ipam":{}}',
      '{"cniVersion":"0.3.1","name":"vm-b","type":"ovs","bridge":"br0"}',
      '{"cniVersion":"0.3.1","name":"vm-c","type":"sriov","vlan":0,"ipam":{}}',
    ]);
  });

  // containernetworking/plugins plugins/main/bridge/bridge.go: loadNetConf defaults PreserveDefaultVlan to true in
  // v1.3.0 to v1.7.1 (false from v1.8.0), and setupVeth removes VLAN 1 from a tagged port only when it is false.
  // Without it, a VM on VLAN 100 stays an untagged member of VLAN 1 and receives the node LAN's traffic.
  it("takes a tagged bridge port out of VLAN 1 whatever the plugin's default, and leaves untagged ports alone", () => {
    const configs = nadConfigs([
      { name: "a", type: "bridge", vlanId: 100 },
      { name: "b", type: "bridge", bridgeName: "br1" },
    ]).map(config => JSON.parse(config) as Record<string, unknown>);
    expect(configs[0]).toMatchObject({ type: "bridge", vlan: 100, preserveDefaultVlan: false });
    expect(configs[1]).not.toHaveProperty("preserveDefaultVlan");
  });

  it("sets an ovs VLAN", () => {
    expect(nadConfigs([{ name: "a", type: "ovs", bridgeName: "br1", vlanId: 42 }])).toEqual([
      '{"cniVersion":"0.3.1","name":"vm-a","type":"ovs","bridge":"br1","vlan":42}',
    ]);
  });

  it("generates nothing for networks that name their NAD", () => {
    expect(nadConfigs([{ name: "a", type: "bridge", nadName: "mine" }])).toEqual([]);
  });

  it("without a static gateway, DHCP NICs keep their routes", () => {
    const children = desiredChildren(
      wukong("vm", { cpu: 1, memory: "1Gi", networks: [{ name: "a", type: "bridge", ipConfig: { mode: "static", address: "10.0.0.2/24" } }] }),
      {},
    );
    const ethernets = secretYaml(children.cloudInitSecret, "networkdata").ethernets as Record<string, Record<string, unknown>>;
    expect(ethernets.pod).toEqual({ match: { macaddress: expect.any(String) }, "set-name": "pod", dhcp4: true });
  });

  it("without the pod network: no pod NIC anywhere, and KubeVirt told not to add one", () => {
    const children = desiredChildren(
      wukong("vm", { cpu: 1, memory: "1Gi", podNetwork: false, networks: [{ name: "a", type: "bridge", macAddress: "02:00:00:00:00:0a" }] }),
      {},
    );
    const template = vmTemplateSpec(children.virtualMachine) as { domain: { devices: Record<string, unknown> }; networks: unknown[] };
    expect(template.domain.devices.autoattachPodInterface).toBe(false);
    expect(template.domain.devices.interfaces).toEqual([{ name: "a", bridge: {}, macAddress: "02:00:00:00:00:0a" }]);
    expect(template.networks).toEqual([{ name: "a", multus: { networkName: "default/vm-a" } }]);
    expect(secretYaml(children.cloudInitSecret, "networkdata")).toEqual({
      version: 2,
      ethernets: { a: { match: { macaddress: "02:00:00:00:00:0a" }, "set-name": "a", dhcp4: true } },
    });
  });

  it("falls back to the stable MAC when admission did not default one", () => {
    const children = desiredChildren(wukong("db-01", { cpu: 1, memory: "1Gi", networks: [{ name: "data", type: "bridge" }] }), {});
    const interfaces = (vmTemplateSpec(children.virtualMachine).domain as { devices: { interfaces: unknown[] } }).devices.interfaces;
    expect(interfaces).toEqual([
      { name: "pod", masquerade: {}, macAddress: "02:58:09:a0:1e:04" },
      { name: "data", bridge: {}, macAddress: "02:e0:d2:94:0b:df" },
    ]);
  });
});
