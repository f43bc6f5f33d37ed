import { guestInterfaces } from "./guest-interfaces";
import { multusNetworkAddress, podNetworkAddress } from "./fake-dhcp";
import { obj } from "./test-helpers";

const networkData = `network:
  version: 2
  ethernets:
    pod0: {match: {macaddress: "02:aa:bb:00:00:01"}, dhcp4: true}
    mgmt: {match: {macaddress: "02:aa:bb:00:00:02"}, addresses: [192.168.100.10/24]}
`;

const vmi = obj("VirtualMachineInstance", "web", {
  spec: {
    domain: {
      devices: {
        interfaces: [
          { name: "default", masquerade: {}, macAddress: "02:aa:bb:00:00:01" },
          { name: "mgmt", bridge: {}, macAddress: "02:AA:BB:00:00:02" },
          { name: "data", bridge: {}, macAddress: "02:aa:bb:00:00:03" },
        ],
      },
    },
    networks: [
      { name: "default", pod: {} },
      { name: "mgmt", multus: { networkName: "ns1/mgmt" } },
      { name: "data", multus: { networkName: "ns1/data" } },
    ],
  },
});

describe("the guest's interfaces", () => {
  it("takes static IPs from the network data by MAC, fake DHCP otherwise", () => {
    expect(guestInterfaces(vmi, networkData)).toEqual([
      {
        name: "default",
        mac: "02:aa:bb:00:00:01",
        interfaceName: "eth0",
        infoSource: "domain, guest-agent",
        ipAddress: podNetworkAddress("ns1/web"),
        ipAddresses: [podNetworkAddress("ns1/web")],
      },
      {
        name: "mgmt",
        mac: "02:aa:bb:00:00:02",
        interfaceName: "eth1",
        infoSource: "domain, guest-agent",
        ipAddress: "192.168.100.10",
        ipAddresses: ["192.168.100.10"],
      },
      {
        name: "data",
        mac: "02:aa:bb:00:00:03",
        interfaceName: "eth2",
        infoSource: "domain, guest-agent",
        ipAddress: multusNetworkAddress("ns1/web", "ns1/data"),
        ipAddresses: [multusNetworkAddress("ns1/web", "ns1/data")],
      },
    ]);
  });

  it("leaves out a NIC marked absent: the domain has none (kubevirt v1.7.4 pkg/virt-launcher/virtwrap/converter/network.go)", () => {
    const interfaces = vmi.spec.domain.devices.interfaces.map((iface: { name: string }) => (iface.name === "mgmt" ? { ...iface, state: "absent" } : iface));
    const unplugging = { ...vmi, spec: { ...vmi.spec, domain: { devices: { interfaces } } } };
    expect(guestInterfaces(unplugging, networkData).map(iface => iface.name)).toEqual(["default", "data"]);
  });

  it("adds KubeVirt's default pod interface when none is declared", () => {
    const bare = obj("VirtualMachineInstance", "bare", { spec: { domain: { devices: {} } } });
    expect(guestInterfaces(bare, undefined)).toEqual([
      expect.objectContaining({ name: "default", interfaceName: "eth0", ipAddress: podNetworkAddress("ns1/bare") }),
    ]);
  });
});
