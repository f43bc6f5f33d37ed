// The real virt-api (KubeVirt v1.7.4) admits VirtualMachines here, registered as virt-operator registers it
// (install-strategy.yaml's virt-api-validator, served at the local URL). A VM whose interface names no network,
// applied directly with kubectl, is denied with KubeVirt's own message: kubevirt v1.7.4
// pkg/network/admitter (validateInterfaceNetworkBasics via the VM admitter, pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go).
import { createNamespace, deleteNamespace, tryApply } from "../support/kube";

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("upstream-admission");
});
afterAll(() => deleteNamespace(ns));

const vm = (interfaceName: string) =>
  JSON.stringify({
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachine",
    metadata: { name: "rule-breaker" },
    spec: {
      runStrategy: "Halted",
      template: {
        spec: {
          domain: { devices: { interfaces: [{ name: interfaceName, bridge: {} }] }, resources: { requests: { memory: "64Mi" } } },
          networks: [{ name: "default", pod: {} }],
        },
      },
    },
  });

test("virt-api denies a VirtualMachine whose interface names no network, with KubeVirt's message", async () => {
  const denied = await tryApply(ns, vm("nosuchnet"));
  expect(denied.code).not.toBe(0);
  // virt-api answers with a Status of causes, which kubectl prints as "The request is invalid" and one line per cause.
  expect(denied.stderr).toContain("The request is invalid");
  expect(denied.stderr).toContain(
    "spec.template.spec.domain.devices.interfaces[0].name: spec.template.spec.domain.devices.interfaces[0].name 'nosuchnet' not found.",
  );
  expect(denied.stderr).toContain("spec.template.spec.networks[0].name: spec.template.spec.networks[0].name 'default' not found.");
});

test("virt-api admits the same VirtualMachine once the interface names its network", async () => {
  const admitted = await tryApply(ns, vm("default"));
  expect(admitted.stderr).toBe("");
  expect(admitted.code).toBe(0);
});
