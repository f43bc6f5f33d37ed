// Networks: whether every NetworkAttachmentDefinition the VM attaches to exists, and each NIC's
// addresses as the VirtualMachineInstance reports them.
import type { NetworkStatus } from "../../schemas/status";
import type { WukongSpec } from "../../schemas/spec";
import type { Owner } from "../children/ownership";
import { POD_NIC } from "../../schemas/networks/network";
import { stableMac } from "./mac";
import type { ChildError, ObservedInterface, ObservedNad, ObservedVirtualMachineInstance } from "../status/observed";
import { childErrorVerdict, type Verdict } from "../status/verdict";
import { attachedNadName } from "../../schemas/networks/names";
import { hasPodNetwork } from "./defaults";

export function networksVerdict(owner: Pick<Owner, "name" | "namespace">, spec: WukongSpec, nads: ObservedNad[], errors: ChildError[]): Verdict {
  if (errors.length > 0) return childErrorVerdict(errors[0]);
  const networks = spec.networks ?? [];
  const exists = (nad: string) => nads.some(observed => observed.name === nad && observed.exists);
  // The user's NAD is never created by Wukong: missing, it is the user's to fix; ours is just not made yet.
  const missingUserNad = networks.find(network => network.nadName && !exists(network.nadName));
  if (missingUserNad?.nadName) {
    return {
      state: "error",
      reason: "NetworkAttachmentMissing",
      message: `NetworkAttachmentDefinition ${missingUserNad.nadName} (network ${missingUserNad.name}) does not exist.`,
    };
  }
  const missing = networks.map(network => attachedNadName(owner.name, network)).find(nad => !exists(nad));
  if (missing) return { state: "waiting", reason: "NetworkAttachmentMissing", message: `Waiting for NetworkAttachmentDefinition ${missing} to be created.` };
  const message = networks.length === 0 ? "No secondary networks." : `All ${networks.length} NetworkAttachmentDefinitions exist.`;
  return { state: "ok", reason: "NetworksReady", message };
}

/** Spec networks in spec order, then the pod network; addresses only where the VMI reports them. */
export function networkStatuses(owner: Pick<Owner, "name" | "namespace">, spec: WukongSpec, vmi: ObservedVirtualMachineInstance | undefined): NetworkStatus[] {
  const reported = (name: string) => vmi?.status?.interfaces?.find(iface => iface.name === name);
  const secondary = (spec.networks ?? []).map(network =>
    nicStatus(
      network.name,
      network.macAddress ?? stableMac(owner.namespace, owner.name, network.name),
      reported(network.name),
      attachedNadName(owner.name, network),
    ),
  );
  const pod = !hasPodNetwork(spec) ? [] : [nicStatus(POD_NIC, stableMac(owner.namespace, owner.name, POD_NIC), reported(POD_NIC))];
  return [...secondary, ...pod];
}

function nicStatus(name: string, specMac: string, iface: ObservedInterface | undefined, nadName?: string): NetworkStatus {
  const ip = iface?.ipAddress || iface?.ipAddresses?.[0];
  return {
    name,
    ...(iface?.interfaceName && { interface: iface.interfaceName }),
    // KubeVirt may report an address with its prefix length; status shows the bare address.
    ...(ip && { ipAddress: ip.split("/")[0] }),
    macAddress: (iface?.mac || specMac).toLowerCase(),
    ...(nadName && { nadName }),
  };
}
