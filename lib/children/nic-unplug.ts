// A NIC removed from a running Wukong is hot-unplugged the way KubeVirt v1.7.4 asks: the VM keeps the interface,
// marked `state: absent`, while the running VMI still has it. virt-controller then marks it absent on the VMI
// (pkg/network/controllers/vm.go, applyDynamicIfaceRequestOnVMI), virt-handler detaches it from the guest, and
// virt-controller drops it from the VMI and from the VM once the guest no longer reports it (clearDetachedIfacesFromVMI,
// clearDetachedIfacesFromVM). Dropped from the VM at once, the interface would instead make the VM RestartRequired
// (pkg/network/vmliveupdate/restart.go, haveCurrentIfacesBeenRemoved).
import type { KubernetesObject } from "./kubernetes-object";

interface Named {
  name?: string;
  [field: string]: unknown;
}

interface VmiSpec {
  domain?: { devices?: { interfaces?: Named[] } };
  networks?: Named[];
}

interface TemplateSpec {
  domain: { devices: { interfaces: Named[] } };
  networks: Named[];
}

/** The VM with every secondary interface the running VMI has and the VM no longer wants kept, as absent. */
export function withUnpluggedNics(vm: KubernetesObject, vmiSpec: VmiSpec | undefined): KubernetesObject {
  const template = (vm.spec as { template?: { spec?: TemplateSpec } } | undefined)?.template?.spec;
  if (!template || !vmiSpec) return vm;
  const wanted = new Set(template.domain.devices.interfaces.map(iface => iface.name));
  const networks = vmiSpec.networks ?? [];
  // Only Multus (secondary) networks hot-unplug; the pod network cannot.
  const unplugged = (vmiSpec.domain?.devices?.interfaces ?? []).filter(
    iface =>
      !wanted.has(iface.name) && (iface.bridge !== undefined || iface.sriov !== undefined) && networks.some(net => net.name === iface.name && net.multus),
  );
  if (unplugged.length === 0) return vm;
  const spec = vm.spec as { template: { spec: TemplateSpec } };
  return {
    ...vm,
    spec: {
      ...spec,
      template: {
        ...spec.template,
        spec: {
          ...template,
          domain: {
            ...template.domain,
            devices: {
              ...template.domain.devices,
              interfaces: [...template.domain.devices.interfaces, ...unplugged.map(iface => ({ ...iface, state: "absent" }))],
            },
          },
          networks: [...template.networks, ...unplugged.map(iface => networks.find(net => net.name === iface.name)!)],
        },
      },
    },
  };
}
