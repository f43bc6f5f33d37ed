// Multus NetworkAttachmentDefinitions for networks without nadName (a user's NAD is used as is, never generated).
// spec.config is compared as a string to detect drift, so keys are always written in the same order.
import type { WukongSpec } from "../../schemas/spec";
import type { KubernetesObject } from "../children/kubernetes-object";
import { childMetadata, type Owner } from "../children/ownership";
import { generatedNadName } from "../../schemas/networks/names";
import { bridgeOf } from "../../schemas/networks/network";
import { secondaryNetworks, type SecondaryNetwork } from "./defaults";

export const NAD_API_VERSION = "k8s.cni.cncf.io/v1";
export const SRIOV_RESOURCE_ANNOTATION = "k8s.v1.cni.cncf.io/resourceName";
const CNI_VERSION = "0.3.1";

export function networkAttachmentDefinitions(owner: Owner, spec: WukongSpec): KubernetesObject[] {
  return secondaryNetworks(spec)
    .filter(network => !network.nadName)
    .map(network => networkAttachmentDefinition(owner, network));
}

function networkAttachmentDefinition(owner: Owner, network: SecondaryNetwork): KubernetesObject {
  const name = generatedNadName(owner.name, network.name);
  const annotations = network.type === "sriov" && network.resourceName ? { [SRIOV_RESOURCE_ANNOTATION]: network.resourceName } : undefined;
  return {
    apiVersion: NAD_API_VERSION,
    kind: "NetworkAttachmentDefinition",
    metadata: childMetadata(owner, name, annotations),
    spec: { config: JSON.stringify(cniConfig(name, network)) },
  };
}

function cniConfig(name: string, network: SecondaryNetwork): Record<string, unknown> {
  const vlan = network.vlanId === undefined ? {} : { vlan: network.vlanId };
  switch (network.type) {
    case "bridge": {
      // L2 only, empty IPAM: an IP on the pod side would be handed to the guest by KubeVirt's DHCP,
      // while the guest address comes from cloud-init. The bridge plugin up to v1.7.1 keeps a tagged port an
      // untagged member of VLAN 1 (the node's own, native VLAN) unless told not to; v1.8.0 stopped by default.
      const access = network.vlanId === undefined ? {} : { vlan: network.vlanId, preserveDefaultVlan: false };
      return { cniVersion: CNI_VERSION, name, type: "bridge", bridge: bridgeOf(network), ...access, ipam: {} };
    }
    case "sriov":
      // vlan 0 means untagged for the sriov plugin.
      return { cniVersion: CNI_VERSION, name, type: "sriov", vlan: network.vlanId ?? 0, ipam: {} };
    case "ovs":
      return { cniVersion: CNI_VERSION, name, type: "ovs", bridge: bridgeOf(network), ...vlan };
  }
}
