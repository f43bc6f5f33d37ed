// kubevirt v1.7.4 hot-unplugs a NIC marked `state: absent` on the VM (pkg/network/controllers/vm.go); dropping it from
// the VM instead makes the VM RestartRequired (pkg/network/vmliveupdate/restart.go, haveCurrentIfacesBeenRemoved).
import { withUnpluggedNics } from "../../../lib/children/nic-unplug";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";

const vm = (names: string[]): KubernetesObject => ({
  apiVersion: "kubevirt.io/v1",
  kind: "VirtualMachine",
  metadata: { name: "web", namespace: "vms" },
  spec: {
    runStrategy: "Always",
    template: {
      spec: {
        domain: { devices: { interfaces: names.map(name => (name === "pod" ? { name, masquerade: {} } : { name, bridge: {} })) } },
        networks: names.map(name => (name === "pod" ? { name, pod: {} } : { name, multus: { networkName: `vms/web-${name}` } })),
      },
    },
  },
});
const vmiSpec = (names: string[]) => (vm(names).spec as { template: { spec: object } }).template.spec;
const template = (object: KubernetesObject) =>
  (object.spec as { template: { spec: { domain: { devices: { interfaces: object[] } }; networks: object[] } } }).template.spec;

describe("a NIC removed from a running Wukong", () => {
  it("stays on the VM, marked absent, with its network, while the VMI has it", () => {
    const out = template(withUnpluggedNics(vm(["pod", "mgmt"]), vmiSpec(["pod", "mgmt", "gone"])));
    expect(out.domain.devices.interfaces).toEqual([
      { name: "pod", masquerade: {} },
      { name: "mgmt", bridge: {} },
      { name: "gone", bridge: {}, state: "absent" },
    ]);
    expect(out.networks).toContainEqual({ name: "gone", multus: { networkName: "vms/web-gone" } });
  });

  it("is left out once the VMI no longer has it, and the pod network is never unplugged", () => {
    const desired = vm(["mgmt"]);
    expect(withUnpluggedNics(desired, vmiSpec(["mgmt"]))).toBe(desired);
    expect(withUnpluggedNics(desired, undefined)).toBe(desired);
    expect(template(withUnpluggedNics(desired, vmiSpec(["pod", "mgmt"]))).domain.devices.interfaces).toEqual([{ name: "mgmt", bridge: {} }]);
  });
});
