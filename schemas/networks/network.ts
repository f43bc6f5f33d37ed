// The networks' part of the Wukong spec: the zod fragment (with its CEL) that spec.ts composes, the defaults a
// network's fields take, and what a network entry means. Rules: ./rules.ts; child names: ./names.ts.
import { z } from "zod";
import { d, dnsLabel, hostCidr, interfaceName, ipAddress, listMap, macAddress, objectName } from "../fields";
import { LIMITS } from "../limits";

export const NETWORK_TYPES = ["bridge", "sriov", "ovs"] as const;
export const DEFAULT_BRIDGE = "br0";
/** A network entry with this name and no type is the pod network written as a list entry (as podNetwork: true). */
export const POD_NETWORK_ENTRY = "default";
/** Network types whose host side is a bridge NMState can build from a physicalInterface. */
export const BRIDGED_NETWORK_TYPES: readonly string[] = ["bridge", "ovs"];
/** The VM's NIC on the pod network; so no network may take this name. */
export const POD_NIC = "pod";

/** The host bridge a bridge or ovs network plugs into: bridgeName, else the default. Admission fills it in; this is the one place the default lives. */
export const bridgeOf = (network: { bridgeName?: string }): string => network.bridgeName ?? DEFAULT_BRIDGE;

/** The pod network written as a list entry: named `default`, with no type. */
export const isPodNetworkEntry = (network: { name?: unknown; type?: unknown }): boolean => network.name === POD_NETWORK_ENTRY && network.type === undefined;

export const IpConfig = z
  .strictObject({
    mode: z
      .enum(["static", "dhcp"])
      .optional()
      .meta(
        d(
          "How the guest gets its address on this network: `static` (from address/gateway/dnsServers, written into cloud-init networkData) or `dhcp` (from a DHCP server on the segment). Defaults to dhcp.",
        ),
      ),
    address: hostCidr
      .optional()
      .meta(
        d("Static host address with prefix length, e.g. 192.168.100.10/24. Required for static, forbidden for dhcp. Not the network or broadcast address."),
      ),
    gateway: ipAddress
      .optional()
      .meta(
        d(
          "Default gateway for static mode, e.g. 192.168.100.1: same family as address and inside its subnet. At most one network of a Wukong may set a gateway (one default route).",
        ),
      ),
    dnsServers: z
      .array(ipAddress)
      .max(LIMITS.maxDnsServers, `must have at most ${LIMITS.maxDnsServers} DNS servers (the resolv.conf limit)`)
      .optional()
      .meta(d("DNS server IP addresses for static mode (at most 3, the resolv.conf limit).")),
  })
  .meta({
    ...d("Guest IP configuration on this network, applied by cloud-init networkData matched by MAC address."),
    "x-kubernetes-validations": [
      {
        rule: "!has(self.mode) || self.mode != 'static' || has(self.address)",
        message: "static mode needs an address in CIDR form",
        fieldPath: ".address",
        reason: "FieldValueRequired",
      },
      {
        rule: "!has(self.mode) || self.mode != 'dhcp' || (!has(self.address) && !has(self.gateway))",
        message: "dhcp mode takes no address or gateway",
        fieldPath: ".address",
        reason: "FieldValueForbidden",
      },
    ],
  });

export const Network = z
  .strictObject({
    name: dnsLabel("network name")
      .max(15, "network name must be at most 15 characters: it becomes the guest interface name (a Linux limit)")
      .meta(
        d(
          "Network name: a DNS-1123 label of at most 15 characters, unique within the Wukong. Also the guest interface name (set by cloud-init) and part of the generated NetworkAttachmentDefinition name `<wukong>-<network>`.",
        ),
      ),
    type: z
      .enum(NETWORK_TYPES, {
        error: issue =>
          issue.input === "macvlan"
            ? "macvlan is not supported: KubeVirt cannot bind a macvlan interface to a VM (only through a binding plugin); use bridge, sriov or ovs"
            : "must be one of bridge, sriov, ovs",
      })
      .meta(
        d(
          "Network type: `bridge` (Linux bridge CNI, KubeVirt bridge binding), `sriov` (SR-IOV VF, sriov binding) or `ovs` (Open vSwitch CNI, bridge binding). macvlan is denied: KubeVirt cannot bind it to a VM. Required, except for the entry `- name: default`, which is the pod network (the same as podNetwork: true).",
        ),
      )
      .optional(),
    nadName: objectName("nadName")
      .optional()
      .meta(d("Use this existing NetworkAttachmentDefinition (same namespace) instead of generating one. Wukong never modifies or deletes it. Immutable.")),
    vlanId: z
      .number()
      .int("must be an integer")
      .min(1, "must be between 1 and 4094")
      .max(4094, "must be between 1 and 4094")
      .optional()
      .meta(d("802.1Q VLAN ID, 1..4094, set on the generated NAD (bridge, ovs, sriov). Immutable.")),
    bridgeName: interfaceName.optional().meta(d(`Host bridge for bridge and ovs networks, default "${DEFAULT_BRIDGE}". Not used by sriov. Immutable.`)),
    resourceName: z
      .string()
      .max(253)
      .regex(/^[A-Za-z0-9.-]+\/[A-Za-z0-9_.-]+$/, "must be a device-plugin resource name such as intel.com/sriov_netdevice")
      .optional()
      .meta(
        d("SR-IOV device-plugin resource, e.g. intel.com/sriov_netdevice. Required for sriov; set as the NAD's k8s.v1.cni.cncf.io/resourceName annotation."),
      ),
    macAddress: macAddress
      .optional()
      .meta(
        d(
          "Guest MAC address (unicast). Defaulted at admission to a stable locally administered address derived from namespace, Wukong and network name. Immutable: cloud-init matches the NIC by it.",
        ),
      ),
    physicalInterface: interfaceName
      .optional()
      .meta(
        d(
          "Node NIC to enslave to this network's host bridge (bridge and ovs networks), e.g. eth1. Wukong then ensures an NMState NodeNetworkConfigurationPolicy that creates the bridge with this NIC as its port on the nodes highAvailability.nodeSelector selects (required with a physicalInterface: select the nodes that have this NIC), moving the NIC's IPv4 address (static or DHCP) to the bridge. Never removed automatically. Immutable.",
        ),
      ),
    primary: z
      .boolean()
      .optional()
      .meta(
        d(
          "Make this network the VM's primary network in place of the pod network (KubeVirt multus `default: true`). At most one network may set it; it excludes the pod network, so podNetwork then defaults to false.",
        ),
      ),
    ipConfig: IpConfig.optional(),
  })
  .meta({
    ...d("A secondary network (Multus). The VM gets one interface per network, in this order, after the pod network."),
    "x-kubernetes-validations": [
      {
        rule: `has(self.type) || self.name == '${POD_NETWORK_ENTRY}'`,
        message: `type is required (only the pod network entry "${POD_NETWORK_ENTRY}" has none)`,
        fieldPath: ".type",
        reason: "FieldValueRequired",
      },
      {
        rule: "!has(self.type) || self.type != 'sriov' || has(self.resourceName) || has(self.nadName)",
        message: "sriov networks need resourceName (or an existing nadName)",
        fieldPath: ".resourceName",
        reason: "FieldValueRequired",
      },
    ],
  });

/** spec.podNetwork. */
export const PodNetwork = z.boolean().optional().meta(d("Give the VM a first NIC on the pod network (masquerade binding, DHCP). Default true."));

/** spec.networks. */
export const Networks = z
  .array(Network)
  .max(LIMITS.maxNetworks, `must have at most ${LIMITS.maxNetworks} networks`)
  .optional()
  .meta({ ...d("Secondary networks, each an interface of the VM."), ...listMap });

/** A spec-level CEL rule of the networks: the list alone cannot say it, so WukongSpec carries it. */
export const ONE_GATEWAY_RULE = {
  rule: "!has(self.networks) || self.networks.filter(n, has(n.ipConfig) && has(n.ipConfig.gateway)).size() <= 1",
  message: "at most one network may set a gateway (one default route)",
  fieldPath: ".networks",
  reason: "FieldValueInvalid",
};

export type Network = z.infer<typeof Network>;
export type IpConfig = z.infer<typeof IpConfig>;
export type NetworkType = (typeof NETWORK_TYPES)[number];
