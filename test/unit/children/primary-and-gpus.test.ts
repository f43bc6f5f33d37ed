// A primary network becomes KubeVirt's Multus default network with no pod interface; gpus become
// domain.devices.gpus. Both pass the upstream VirtualMachine schema.
import { desiredChildren } from "../../../lib/children";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import { wukong } from "./fixtures";
import { strictProblems } from "./strict-schema";

type Template = {
  networks: unknown[];
  domain: { devices: { interfaces: { name: string }[]; gpus?: unknown; autoattachPodInterface?: boolean } };
};
const templateOf = (vm: KubernetesObject) => (vm.spec as { template: { spec: Template } }).template.spec;

describe("the VirtualMachine of a primary network and GPUs", () => {
  const built = desiredChildren(
    wukong("flat", {
      cpu: 2,
      memory: "2Gi",
      osImage: "docker://a/b:c",
      networks: [
        { name: "lan", type: "bridge", primary: true },
        { name: "san", type: "bridge", bridgeName: "br-san" },
      ],
      gpus: [{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" }],
    }),
    {},
  ).virtualMachine;
  const template = templateOf(built);

  it("makes the primary network the Multus default with bridge binding, and attaches no pod interface", () => {
    expect(template.networks).toEqual([
      { name: "lan", multus: { networkName: "default/flat-lan", default: true } },
      { name: "san", multus: { networkName: "default/flat-san" } },
    ]);
    expect(template.domain.devices.interfaces.map(i => i.name)).toEqual(["lan", "san"]);
    expect(template.domain.devices.interfaces[0]).toMatchObject({ bridge: {} });
    expect(template.domain.devices.autoattachPodInterface).toBe(false);
  });

  it("passes each GPU through under its name", () => {
    expect(template.domain.devices.gpus).toEqual([{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" }]);
  });

  it("passes the upstream VirtualMachine schema", () => {
    expect(strictProblems(built)).toEqual([]);
  });

  it("keeps the pod network first when the spec wrote it as `- name: default`", () => {
    const vm = desiredChildren(
      wukong("pod", { cpu: 1, memory: "1Gi", osImage: "docker://a/b:c", networks: [{ name: "default" }, { name: "lan", type: "bridge" }] }),
      {},
    ).virtualMachine;
    expect(templateOf(vm).networks).toEqual([
      { name: "pod", pod: {} },
      { name: "lan", multus: { networkName: "default/pod-lan" } },
    ]);
  });
});
