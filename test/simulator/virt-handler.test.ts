import { KubeObject } from "./resources";
import { obj, snapshotWith } from "./test-helpers";
import { planVirtHandler } from "./virt-handler";

const vmi = (status: object, metadata: object = {}) =>
  obj("VirtualMachineInstance", "vm", {
    metadata: { uid: "vmi-uid", ...metadata },
    spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }] },
    status,
  });
const launcher = (phase: string) =>
  obj("Pod", "virt-launcher-vm-abcde", { metadata: { labels: { "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "vmi-uid" } }, status: { phase } });
const snap = (...pods: KubeObject[]) => {
  const s = snapshotWith({});
  s.nodes.set("/sim-node-1", obj("Node", "sim-node-1", {}, ""));
  pods.forEach(p => s.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p));
  return s;
};

describe("the simulated virt-handler", () => {
  it("boots a VMI virt-controller handed to a simulated node: Running with interfaces, guest OS info and conditions", () => {
    const scheduled = vmi({ phase: "Scheduled", nodeName: "sim-node-1", conditions: [{ type: "PodScheduled", status: "True" }] });
    const [action] = planVirtHandler(scheduled, snap(launcher("Running")));
    expect(action).toMatchObject({
      type: "patch",
      patch: {
        status: {
          phase: "Running",
          interfaces: [expect.objectContaining({ name: "default", interfaceName: "eth0", ipAddress: expect.any(String) })],
          guestOSInfo: expect.objectContaining({ id: "simulated" }),
          selinuxContext: "none",
        },
      },
    });
    const types = (action as { patch: { status: { conditions: { type: string; status: string }[] } } }).patch.status.conditions.map(
      c => `${c.type}=${c.status}`,
    );
    expect(types).toEqual(["PodScheduled=True", "Ready=True", "LiveMigratable=True", "AgentConnected=True"]);
  });

  it("leaves VMIs virt-controller still owns, and those on nodes it does not play", () => {
    expect(planVirtHandler(vmi({ phase: "Scheduling" }), snap())).toEqual([]);
    expect(planVirtHandler(vmi({ phase: "Scheduled", nodeName: "elsewhere" }), snap())).toEqual([]);
  });

  it("shuts a Running guest down when its VMI is deleted or its launcher pod is gone", () => {
    const runningVmi = vmi({ phase: "Running", nodeName: "sim-node-1" });
    expect(planVirtHandler(runningVmi, snap(launcher("Running")))).toEqual([]);
    expect(planVirtHandler(runningVmi, snap())[0]).toMatchObject({ patch: { status: { phase: "Succeeded" } } });
    const deleted = vmi({ phase: "Running", nodeName: "sim-node-1" }, { deletionTimestamp: "2026-01-01T00:00:00Z" });
    expect(planVirtHandler(deleted, snap(launcher("Running")))[0]).toMatchObject({ patch: { status: { phase: "Succeeded" } } });
  });
});
