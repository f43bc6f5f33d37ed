// Admission warnings for what cloud-init cannot express on every guest when a static network carries the default
// route (issue 16 items 11 and 12). Admitted all the same: on netplan guests (Ubuntu) both work as asked.
import type { WukongSpec } from "../../schemas/spec";
import { MASQUERADE_GUEST_ADDRESS } from "./network-data";
import { hasPodNetwork, isStatic } from "./defaults";

export function staticGatewayWarnings(spec: WukongSpec): string[] {
  const networks = spec.networks ?? [];
  const gateway = networks.findIndex(network => isStatic(network) && network.ipConfig?.gateway);
  if (gateway < 0) return [];
  const at = `spec.networks[${gateway}]`;
  const dhcp = networks.flatMap((network, i) =>
    network.type !== undefined && !isStatic(network)
      ? [
          `spec.networks[${i}]: a DHCP network next to the default gateway of ${at}: cloud-init honours dhcp4-overrides use-routes only on netplan guests (Ubuntu); on ENI (Debian), sysconfig and NetworkManager (RHEL, Fedora) this lease adds a second default route`,
        ]
      : [],
  );
  const pod = hasPodNetwork(spec)
    ? [
        `${at}.ipConfig.gateway: the guest's default route leaves by this network, so on the pod network (${MASQUERADE_GUEST_ADDRESS}, no gateway) the guest answers only the launcher pod: connections from Services and other pods get no reply, and the guest reaches no cluster address (cloud-init has no source routing outside netplan)`,
      ]
    : [];
  return [...dhcp, ...pod];
}
