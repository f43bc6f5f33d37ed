// The VM's NICs in order (pod first, then spec.networks), shared by the VM interfaces and the cloud-init
// networkData that matches them by MAC: both must agree on every name and address.
import type { WukongSpec } from "../../schemas/spec";
import { POD_NIC } from "../../schemas/networks/network";
import { stableMac } from "./mac";
import type { Owner } from "../children/ownership";
import { hasPodNetwork, secondaryNetworks, type SecondaryNetwork } from "./defaults";

export interface Nic {
  /** Interface and network name in the VM, and the guest interface name set by cloud-init. */
  name: string;
  /** Lower-case MAC: netplan matches it literally. */
  macAddress: string;
  /** The secondary network; absent for the pod NIC. */
  network?: SecondaryNetwork;
}

export function nicsOf(owner: Owner, spec: WukongSpec): Nic[] {
  const podNic: Nic[] = hasPodNetwork(spec) ? [{ name: POD_NIC, macAddress: stableMac(owner.namespace, owner.name, POD_NIC) }] : [];
  const secondary = secondaryNetworks(spec).map(network => ({
    name: network.name,
    // admission defaults macAddress to this same stable address
    macAddress: (network.macAddress ?? stableMac(owner.namespace, owner.name, network.name)).toLowerCase(),
    network,
  }));
  return [...podNic, ...secondary];
}
