// Networks: whether every NetworkAttachmentDefinition the VM attaches to exists, and each NIC's
// addresses as the VirtualMachineInstance reports them.
import type { NetworkStatus } from "../../schemas/status";
import type { WukongSpec } from "../../schemas/spec";
import type { Owner } from "../children/ownership";
import { POD_NIC } from "../../schemas/networks/network";
import { stableMac } from "./mac";
import type { ChildError, ObservedInterface, ObservedNad, ObservedVirtualMachineInstance } from "../status/observed";
import { childErrorVerdict, findCondition, type Verdict } from "../status/verdict";
import { sentence } from "../status/text";
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
  const running = vmi?.status?.phase === "Running" ? vmi : undefined;
  const secondary = (spec.networks ?? []).map(network =>
    nicStatus(
      network.name,
      network.macAddress ?? stableMac(owner.namespace, owner.name, network.name),
      reported(network.name),
      running,
      attachedNadName(owner.name, network),
    ),
  );
  const pod = !hasPodNetwork(spec) ? [] : [nicStatus(POD_NIC, stableMac(owner.namespace, owner.name, POD_NIC), reported(POD_NIC), running)];
  return [...secondary, ...pod];
}

function nicStatus(
  name: string,
  specMac: string,
  iface: ObservedInterface | undefined,
  running: ObservedVirtualMachineInstance | undefined,
  nadName?: string,
): NetworkStatus {
  const ip = iface?.ipAddress || iface?.ipAddresses?.[0];
  return {
    name,
    ...(iface?.interfaceName && { interface: iface.interfaceName }),
    // KubeVirt may report an address with its prefix length; status shows the bare address.
    ...(ip && { ipAddress: ip.split("/")[0] }),
    macAddress: (iface?.mac || specMac).toLowerCase(),
    ...(nadName && { nadName }),
    ...(running && plugState(iface, running)),
  };
}

/**
 * Whether the running guest has the NIC. virt-handler reports a NIC in the domain with infoSource "domain"
 * (kubevirt v1.7.4 pkg/network/vmispec/infosource.go); one only Multus attached (multus-status) is not plugged yet.
 * A bridge NIC added to a running VM reaches the domain only through a live migration to a pod that has it
 * (pkg/network/migration/evaluator.go marks the VMI MigrationRequired; the workload updater migrates it): a VMI that
 * is not LiveMigratable never gets it.
 */
function plugState(iface: ObservedInterface | undefined, vmi: ObservedVirtualMachineInstance): Pick<NetworkStatus, "state" | "message"> {
  const inDomain = iface && (iface.infoSource === undefined || iface.infoSource.split(",").some(source => source.trim() === "domain"));
  if (inDomain) return { state: "Plugged" };
  const conditions = vmi.status?.conditions;
  const migratable = findCondition(conditions, "LiveMigratable");
  if (findCondition(conditions, "MigrationRequired")?.status === "True" && migratable?.status === "False")
    return {
      state: "Failed",
      message: sentence(
        `KubeVirt plugs this NIC by live-migrating the VM, which is not LiveMigratable (${migratable.reason ?? "no reason given"}); restart the VM to attach it`,
      ),
    };
  return { state: "Pending", message: "KubeVirt is hot-plugging this NIC (a live migration to a pod attached to its network)." };
}
