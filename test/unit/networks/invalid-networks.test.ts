// Invalid networks: each is denied with the exact field path and a message that says what is wrong.
import { validateWukong } from "../../../schemas/validate";
import { type Case, itDenies, seedWith, type Spec, withNetworks } from "../schemas/denial-cases";
import { SEED_NAME, seedSpec } from "../schemas/fixtures";

const withIpConfig = (ipConfig: Spec) => withNetworks({ name: "mgmt", type: "bridge", ipConfig });

const cases: Case[] = [
  { what: "unknown field in a network", spec: seedWith(s => (s.networks[0].mtu = 9000)), path: "spec.networks[0]", phrase: 'unknown field "mtu"' },
  // network names and types
  { what: "network name upper-case", spec: seedWith(s => (s.networks[0].name = "Mgmt")), path: "spec.networks[0].name", phrase: "DNS-1123 label" },
  { what: "network name unicode", spec: seedWith(s => (s.networks[0].name = "ü")), path: "spec.networks[0].name", phrase: "DNS-1123 label" },
  {
    what: "network name 64 characters",
    spec: seedWith(s => (s.networks[0].name = "n".repeat(64))),
    path: "spec.networks[0].name",
    phrase: "at most 63 characters",
  },
  { what: 'network name "pod" (reserved)', spec: seedWith(s => (s.networks[0].name = "pod")), path: "spec.networks[0].name", phrase: "reserved" },
  {
    what: "duplicate network name",
    spec: withNetworks({ name: "mgmt", type: "bridge" }, { name: "mgmt", type: "ovs" }),
    path: "spec.networks[1].name",
    phrase: 'duplicates spec.networks[0].name "mgmt"',
  },
  { what: "type macvlan", spec: seedWith(s => (s.networks[0].type = "macvlan")), path: "spec.networks[0].type", phrase: "KubeVirt" },
  { what: 'type "foo"', spec: seedWith(s => (s.networks[0].type = "foo")), path: "spec.networks[0].type", phrase: "one of bridge, sriov, ovs" },
  { what: "vlanId 0", spec: seedWith(s => (s.networks[0].vlanId = 0)), path: "spec.networks[0].vlanId", phrase: "between 1 and 4094" },
  { what: "vlanId 4095", spec: seedWith(s => (s.networks[0].vlanId = 4095)), path: "spec.networks[0].vlanId", phrase: "between 1 and 4094" },
  { what: 'vlanId "100" (a string)', spec: seedWith(s => (s.networks[0].vlanId = "100")), path: "spec.networks[0].vlanId", phrase: "must be a number" },
  // ipConfig
  { what: "static without address", spec: withIpConfig({ mode: "static" }), path: "spec.networks[0].ipConfig.address", phrase: "required for static mode" },
  {
    what: "dhcp with address",
    spec: withIpConfig({ mode: "dhcp", address: "192.168.1.10/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "forbidden with dhcp",
  },
  {
    what: "default (dhcp) mode with address",
    spec: withIpConfig({ address: "192.168.1.10/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "forbidden with dhcp",
  },
  {
    what: "dhcp with gateway",
    spec: withIpConfig({ mode: "dhcp", gateway: "192.168.1.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "forbidden with dhcp",
  },
  { what: "address not CIDR", spec: withIpConfig({ mode: "static", address: "192.168.1.10" }), path: "spec.networks[0].ipConfig.address", phrase: "CIDR form" },
  {
    what: "address with an octal octet",
    spec: withIpConfig({ mode: "static", address: "192.168.100.010/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "address as one integer",
    spec: withIpConfig({ mode: "static", address: "3232261130/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "IPv6 address with a zone",
    spec: withIpConfig({ mode: "static", address: "fe80::5%eth0/64" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "CIDR form",
  },
  {
    what: "gateway in hex notation",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "0xc0.168.100.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "IPv4 or IPv6 address",
  },
  {
    what: "network address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.0/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "network address",
  },
  {
    what: "broadcast address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.255/24" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "broadcast address",
  },
  {
    what: "IPv6 subnet-router address",
    spec: withIpConfig({ mode: "static", address: "2001:db8::/64" }),
    path: "spec.networks[0].ipConfig.address",
    phrase: "network address",
  },
  {
    what: "gateway outside the subnet",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "192.168.101.1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "outside the subnet",
  },
  {
    what: "IPv6 gateway with an IPv4 address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "fd00::1" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "same family",
  },
  {
    what: "gateway is the VM's own address",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", gateway: "192.168.100.10" }),
    path: "spec.networks[0].ipConfig.gateway",
    phrase: "own address",
  },
  {
    what: "dnsServers with a hostname",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", dnsServers: ["1.1.1.1", "dns.google"] }),
    path: "spec.networks[0].ipConfig.dnsServers[1]",
    phrase: "IPv4 or IPv6 address",
  },
  {
    what: "4 dnsServers",
    spec: withIpConfig({ mode: "static", address: "192.168.100.10/24", dnsServers: ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"] }),
    path: "spec.networks[0].ipConfig.dnsServers",
    phrase: "at most 3 DNS servers",
  },
  {
    what: "two networks with gateways",
    spec: withNetworks(
      { name: "a", type: "bridge", ipConfig: { mode: "static", address: "10.0.0.10/24", gateway: "10.0.0.1" } },
      { name: "b", type: "bridge", vlanId: 2, ipConfig: { mode: "static", address: "10.0.1.10/24", gateway: "10.0.1.1" } },
    ),
    path: "spec.networks[1].ipConfig.gateway",
    phrase: "only one network may set one",
  },
  // per-type fields
  {
    what: "sriov without resourceName",
    spec: withNetworks({ name: "fast", type: "sriov" }),
    path: "spec.networks[0].resourceName",
    phrase: "required for sriov",
  },
  {
    what: "resourceName on a bridge network",
    spec: withNetworks({ name: "mgmt", type: "bridge", resourceName: "intel.com/sriov_netdevice" }),
    path: "spec.networks[0].resourceName",
    phrase: "only to sriov",
  },
  {
    what: "bridgeName on sriov",
    spec: withNetworks({ name: "fast", type: "sriov", resourceName: "intel.com/sriov_netdevice", bridgeName: "br0" }),
    path: "spec.networks[0].bridgeName",
    phrase: "does not apply to sriov",
  },
  {
    what: "nadName with vlanId",
    spec: withNetworks({ name: "mgmt", type: "bridge", nadName: "existing", vlanId: 10 }),
    path: "spec.networks[0].vlanId",
    phrase: "cannot be combined with nadName",
  },
  {
    what: "bridgeName of 16 characters",
    spec: seedWith(s => (s.networks[0].bridgeName = "b".repeat(16))),
    path: "spec.networks[0].bridgeName",
    phrase: "at most 15 characters",
  },
  // MACs
  { what: "bad MAC", spec: seedWith(s => (s.networks[0].macAddress = "02:00:00:00:00")), path: "spec.networks[0].macAddress", phrase: "MAC address" },
  { what: "multicast MAC", spec: seedWith(s => (s.networks[0].macAddress = "01:00:5e:00:00:01")), path: "spec.networks[0].macAddress", phrase: "unicast" },
  {
    what: "duplicate MACs (case-insensitive)",
    spec: withNetworks({ name: "a", type: "bridge", macAddress: "02:AA:00:00:00:01" }, { name: "b", type: "ovs", macAddress: "02:aa:00:00:00:01" }),
    path: "spec.networks[1].macAddress",
    phrase: "duplicates spec.networks[0].macAddress",
  },
  // the generated NAD's name
  {
    what: "<wukong>-<network> over 63 characters",
    name: "w".repeat(48),
    spec: seedWith(s => (s.networks[0].name = "n".repeat(15))),
    path: "spec.networks[0].name",
    phrase: "NetworkAttachmentDefinition name",
  },
];

describe("invalid networks", () => {
  it("starts from a seed that is valid, so each case fails for its own change", () => {
    expect(validateWukong({ name: SEED_NAME, spec: seedSpec() })).toEqual([]);
  });

  it("has at least 35 cases", () => {
    expect(cases.length).toBeGreaterThanOrEqual(35);
  });

  itDenies(cases);
});
