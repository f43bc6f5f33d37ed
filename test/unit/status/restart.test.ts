// RestartRequired when the cloud-init data changed after the VMI started. KubeVirt copies the VM template's metadata
// into a new VMI and never syncs our annotations afterwards (`setupVMIFromVM`, `syncMetadata` in
// pkg/virt-controller/watch/vm/vm.go, v1.7.4), and builds the NoCloud disk only at VMI start
// (pkg/cloud-init/cloud-init.go), so the VMI's digests say what the running guest booted with.
import { desiredChildren } from "../../../lib/children";
import { deriveStatus } from "../../../lib/status/derive";
import type { ObservedVirtualMachine, ObservedVirtualMachineInstance } from "../../../lib/status/observed";
import type { WukongSpec } from "../../../schemas/spec";
import { wukong as childWukong } from "../children/fixtures";
import { cond, EARLIER, NAME, NOW, running, spec, wukong } from "./fixtures";

type Template = { template: { metadata: { annotations: Record<string, string> } } };
const templateOf = (overrides: Partial<WukongSpec>) =>
  (desiredChildren(childWukong(NAME, spec(overrides)), {}).virtualMachine.spec as Template).template.metadata.annotations;

/** The VM as we write it for `now`, and the VMI started from it when the spec was `then`. */
function observedWith(then: Partial<WukongSpec>, now: Partial<WukongSpec>, phase = "Running") {
  const base = running();
  const virtualMachine: ObservedVirtualMachine = { ...base.virtualMachine, spec: { template: { metadata: { annotations: templateOf(now) } } } };
  const virtualMachineInstance: ObservedVirtualMachineInstance = {
    metadata: { annotations: templateOf(then) },
    status: { ...base.virtualMachineInstance?.status, phase },
  };
  return running({ virtualMachine, virtualMachineInstance });
}

const staticAt = (address: string): Partial<WukongSpec> => ({
  networks: [{ name: "mgmt", type: "bridge", macAddress: "02:aa:bb:00:00:02", ipConfig: { mode: "static", address } }],
});
const restartOf = (status: ReturnType<typeof deriveStatus>) => status.conditions?.find(c => c.type === "RestartRequired");

describe("RestartRequired", () => {
  it("a new static address after the VM started: network config changed, applied at the next boot", () => {
    const status = deriveStatus(wukong(staticAt("192.168.100.11/24")), observedWith(staticAt("192.168.100.10/24"), staticAt("192.168.100.11/24")), NOW);
    expect(restartOf(status)).toMatchObject({ status: "True", reason: "CloudInitChanged", lastTransitionTime: NOW });
    expect(restartOf(status)?.message).toMatch(/network config changed; cloud-init applies it at the next boot\.$/);
    expect(status.restartRequired).toBe(true);
  });

  it("changed user data: says that per-instance modules will not run again", () => {
    const status = deriveStatus(wukong(), observedWith({ cloudInit: { userData: "runcmd: [[true]]" } }, {}), NOW);
    expect(restartOf(status)).toMatchObject({ status: "True", reason: "CloudInitChanged" });
    expect(restartOf(status)?.message).toContain("users, write_files and runcmd run once per instance");
    expect(restartOf(status)?.message).not.toContain("network config");
  });

  it("the data the VMI booted with: no condition, restartRequired false", () => {
    const status = deriveStatus(wukong(), observedWith({}, {}), NOW);
    expect(restartOf(status)).toBeUndefined();
    expect(status.restartRequired).toBe(false);
  });

  it("a VMI from before the digests, or one that has ended, makes no claim", () => {
    const unknown = observedWith(staticAt("10.0.0.1/24"), {});
    unknown.virtualMachineInstance = { status: unknown.virtualMachineInstance?.status };
    expect(restartOf(deriveStatus(wukong(), unknown, NOW))).toBeUndefined();
    expect(restartOf(deriveStatus(wukong(), observedWith(staticAt("10.0.0.1/24"), {}, "Succeeded"), NOW))).toBeUndefined();
  });

  it("KubeVirt's own RestartRequired on the VM is reported with its message; transition time kept while it stays", () => {
    const children = running({
      virtualMachine: { status: { printableStatus: "Running", conditions: [cond("RestartRequired", "True", "", "a non-live-updatable field was changed")] } },
    });
    const first = deriveStatus(wukong(), children, EARLIER);
    expect(restartOf(first)).toMatchObject({
      reason: "VirtualMachineSpecChanged",
      message: `Restart VM ${NAME} to apply the latest spec changes: a non-live-updatable field was changed.`,
    });
    expect(restartOf(deriveStatus(wukong({}, first), children, NOW))?.lastTransitionTime).toBe(EARLIER);
  });
});
