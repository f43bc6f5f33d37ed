// Each NIC's plug state while the VM runs. kubevirt v1.7.4: virt-handler reports a NIC in the guest's domain with
// infoSource "domain" (pkg/network/vmispec/infosource.go); virt-controller adds "multus-status" for one attached to
// the pod (pkg/network/controllers/vmi.go, calculateSecondaryIfaceStatuses); a bridge NIC missing from the domain makes
// the VMI MigrationRequired (pkg/network/migration/evaluator.go), and only a LiveMigratable VMI is migrated for it
// (pkg/virt-controller/watch/workload-updater/workload-updater.go, getUpdateData).
import { networkStatuses } from "../../../lib/networks/status";
import type { ObservedVirtualMachineInstance } from "../../../lib/status/observed";
import type { WukongSpec } from "../../../schemas/spec";

const owner = { name: "web", namespace: "vms" };
const spec = {
  cpu: 1,
  memory: "1Gi",
  networks: [
    { name: "mgmt", type: "bridge" },
    { name: "added", type: "bridge" },
  ],
} as WukongSpec;
const vmi = (interfaces: object[], conditions: object[] = [], phase = "Running"): ObservedVirtualMachineInstance => ({
  status: { phase, interfaces, conditions },
});
const states = (v: ObservedVirtualMachineInstance | undefined) => networkStatuses(owner, spec, v).map(n => [n.name, n.state, n.message]);

describe("the plug state of each NIC", () => {
  const mgmt = { name: "mgmt", infoSource: "domain, guest-agent, multus-status" };
  const pod = { name: "pod", infoSource: "domain, guest-agent" };

  it("is Plugged once the guest's domain has it, Pending while only Multus attached it", () => {
    expect(states(vmi([mgmt, pod, { name: "added", infoSource: "multus-status" }]))).toEqual([
      ["mgmt", "Plugged", undefined],
      ["added", "Pending", expect.stringContaining("live migration")],
      ["pod", "Plugged", undefined],
    ]);
    expect(states(vmi([mgmt, pod, { name: "added", infoSource: "domain, multus-status" }]))[1]).toEqual(["added", "Plugged", undefined]);
  });

  it("is Failed when KubeVirt requires a migration for it and the VM cannot migrate, with the reason", () => {
    const stuck = vmi(
      [mgmt, pod],
      [
        { type: "MigrationRequired", status: "True" },
        { type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable" },
      ],
    );
    expect(states(stuck)[1]).toEqual(["added", "Failed", expect.stringContaining("not LiveMigratable (DisksNotLiveMigratable); restart the VM")]);
  });

  it("is not reported while the VM does not run", () => {
    expect(states(undefined).map(([, state]) => state)).toEqual([undefined, undefined, undefined]);
    expect(states(vmi([mgmt], [], "Scheduling")).map(([, state]) => state)).toEqual([undefined, undefined, undefined]);
  });
});
