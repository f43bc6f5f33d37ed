// The NodeNetworkState each simulated node reports: what `nmstatectl show` prints on a node with four NICs, after
// kubernetes-nmstate v0.86's filter (pkg/state/filter.go drops address lifetimes and the bridge's timers).
// - eth0: static, the default route.
// - eth1: DHCP (address, gateway and DNS from the lease), a second default route at a higher metric.
// - eth2: static, with a route to the network behind it.
// - eth3: no address, the port of the existing linux bridge br0 (the default bridgeName), which has no address.
// - eth4: up, no address, no route: a NIC kept for VMs.
// Addresses and MACs differ per node (its index among the nodes, sorted by name).
import { nowTimestamp } from "./conditions";
import type { State } from "./nmstatectl";
import type { Plan } from "./plan";
import { NNS } from "./resources";
import type { Snapshot } from "./snapshot";
import { deepEqual } from "./status-diff";

const off = { enabled: false };

function ethernet(name: string, mac: string, ipv4: State, extra: State = {}) {
  return {
    name,
    type: "ethernet",
    state: "up",
    "mac-address": mac,
    "permanent-mac-address": mac,
    mtu: 1500,
    "min-mtu": 68,
    "max-mtu": 65535,
    "wait-ip": "any",
    "accept-all-mac-addresses": false,
    driver: "virtio_net",
    lldp: off,
    ipv4,
    ipv6: off,
    ...extra,
  };
}

const staticV4 = (ip: string) => ({ enabled: true, dhcp: false, address: [{ ip, "prefix-length": 24 }] });

/** What the kernel reports for a linux bridge nmstate did not tune: the defaults of `ip link add type bridge`. */
const BRIDGE_DEFAULTS = {
  "group-addr": "01:80:C2:00:00:00",
  "group-forward-mask": 0,
  "group-fwd-mask": 0,
  "hash-max": 4096,
  "mac-ageing-time": 300,
  "multicast-last-member-count": 2,
  "multicast-last-member-interval": 100,
  "multicast-membership-interval": 26000,
  "multicast-querier": false,
  "multicast-querier-interval": 25500,
  "multicast-query-interval": 12500,
  "multicast-query-response-interval": 1000,
  "multicast-query-use-ifaddr": false,
  "multicast-router": "auto",
  "multicast-snooping": true,
  "multicast-startup-query-count": 2,
  "multicast-startup-query-interval": 3125,
  stp: { enabled: false, "forward-delay": 15, "hello-time": 2, "max-age": 20, priority: 32768 },
  "vlan-protocol": "802.1q",
};

export function simulatedNodeState(index: number, hostname = `sim-node-${index + 1}`): State {
  const mac = (nic: number) => `52:54:00:00:${index.toString(16).padStart(2, "0")}:${nic.toString(16).padStart(2, "0")}`;
  return {
    hostname: { running: hostname, config: hostname },
    "dns-resolver": { running: { server: ["10.0.2.3", "192.168.50.1"], search: [] }, config: { server: ["10.0.2.3"], search: [] } },
    "route-rules": { config: [] },
    routes: {
      running: [
        { destination: "0.0.0.0/0", "next-hop-address": "10.0.2.2", "next-hop-interface": "eth0", metric: 100, "table-id": 254 },
        { destination: "0.0.0.0/0", "next-hop-address": "192.168.50.1", "next-hop-interface": "eth1", metric: 101, "table-id": 254 },
        { destination: "192.168.61.0/24", "next-hop-address": "192.168.60.1", "next-hop-interface": "eth2", metric: 102, "table-id": 254 },
      ],
      config: [
        { destination: "0.0.0.0/0", "next-hop-address": "10.0.2.2", "next-hop-interface": "eth0", metric: 100, "table-id": 254 },
        { destination: "192.168.61.0/24", "next-hop-address": "192.168.60.1", "next-hop-interface": "eth2", metric: 102, "table-id": 254 },
      ],
    },
    interfaces: [
      {
        name: "lo",
        type: "loopback",
        state: "up",
        "mac-address": "00:00:00:00:00:00",
        mtu: 65536,
        ipv4: { enabled: true, address: [{ ip: "127.0.0.1", "prefix-length": 8 }] },
        ipv6: { enabled: true, address: [{ ip: "::1", "prefix-length": 128 }] },
        "accept-all-mac-addresses": false,
      },
      ethernet("eth0", mac(0), staticV4(`10.0.2.${15 + index}`)),
      ethernet("eth1", mac(1), {
        enabled: true,
        dhcp: true,
        "dhcp-client-id": "mac",
        "dhcp-send-hostname": true,
        "auto-dns": true,
        "auto-gateway": true,
        "auto-routes": true,
        "auto-route-table-id": 0,
        address: [{ ip: `192.168.50.${11 + index}`, "prefix-length": 24 }],
      }),
      ethernet("eth2", mac(2), staticV4(`192.168.60.${11 + index}`)),
      ethernet("eth3", mac(3), off, { controller: "br0" }),
      ethernet("eth4", mac(4), off),
      {
        name: "br0",
        type: "linux-bridge",
        state: "up",
        "mac-address": mac(3),
        mtu: 1500,
        "min-mtu": 68,
        "max-mtu": 65535,
        "wait-ip": "any",
        "accept-all-mac-addresses": false,
        lldp: off,
        ipv4: off,
        ipv6: off,
        bridge: {
          options: BRIDGE_DEFAULTS,
          port: [{ name: "eth3", "stp-hairpin-mode": false, "stp-path-cost": 100, "stp-priority": 32 }],
        },
      },
    ],
  };
}

export function planNodeNetworkStates(snap: Snapshot): Plan[] {
  return [...snap.nodes.values()]
    .sort((a, b) => (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""))
    .map((node, index): Plan => {
      const name = node.metadata.name ?? "";
      const existing = snap.nodeNetworkStates.get(`/${name}`);
      const currentState = simulatedNodeState(index, name);
      if (existing && deepEqual(existing.status?.currentState, currentState)) return [];
      const status = { currentState, lastSuccessfulUpdateTime: nowTimestamp() };
      const patch = {
        type: "patch" as const,
        res: NNS,
        namespace: "",
        name,
        patch: { status },
        subresource: "status" as const,
        log: `[nmstate] node ${name}: reported NodeNetworkState`,
      };
      if (existing) return [patch];
      return [
        {
          type: "create",
          res: NNS,
          obj: { apiVersion: "nmstate.io/v1beta1", kind: NNS.kind, metadata: { name } },
          log: `[nmstate] node ${name}: created NodeNetworkState`,
        },
        patch,
      ];
    });
}
