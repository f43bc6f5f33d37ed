import { KubeObject } from "./resources";
import { obj, snapshotWith } from "./test-helpers";
import type { Action } from "./plan";
import { planVirtHandler } from "./virt-handler";

/** The status fields a JSON-patch action sets (vmi-status.ts). */
const statusOf = (action: Action | undefined): Record<string, unknown> =>
  action?.type === "jsonPatch" ? Object.fromEntries(action.ops.map(op => [op.path.replace(/^\/status\//, ""), op.value])) : {};

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
    expect(action.type).toBe("jsonPatch");
    expect(statusOf(action)).toMatchObject({
      phase: "Running",
      interfaces: [expect.objectContaining({ name: "default", interfaceName: "eth0", ipAddress: expect.any(String) })],
      guestOSInfo: expect.objectContaining({ id: "simulated" }),
      selinuxContext: "none",
    });
    const conditions = statusOf(action).conditions as { type: string; status: string; lastProbeTime?: null }[];
    expect(conditions.map(c => `${c.type}=${c.status}`)).toEqual(["PodScheduled=True", "Ready=True", "LiveMigratable=True"]); // no agent: nothing to freeze before a snapshot
  });

  // virt-controller patches a Running VMI's conditions with a JSON-patch test of the whole list (kubevirt v1.7.4
  // pkg/virt-controller/watch/vmi/lifecycle.go, updateStatus): the list must be stored as its Go struct serializes,
  // lastProbeTime included; a null one, as before, a merge patch would have deleted.
  it("writes the conditions with a lastProbeTime, as virt-handler does (pkg/virt-handler/vm.go), through a JSON patch, so virt-controller's test of them holds", () => {
    const scheduled = vmi({ phase: "Scheduled", nodeName: "sim-node-1", conditions: [] });
    const [action] = planVirtHandler(scheduled, snap(launcher("Running")));
    const conditions = statusOf(action).conditions as Record<string, unknown>[];
    for (const condition of conditions) expect(condition.lastProbeTime).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/));
    expect(action.type === "jsonPatch" && action.ops.every(op => op.op === "add" && op.path.startsWith("/status/"))).toBe(true);
  });

  it("leaves VMIs virt-controller still owns, and those on nodes it does not play", () => {
    expect(planVirtHandler(vmi({ phase: "Scheduling" }), snap())).toEqual([]);
    expect(planVirtHandler(vmi({ phase: "Scheduled", nodeName: "elsewhere" }), snap())).toEqual([]);
  });

  it("shuts a Running guest down when its VMI is deleted or its launcher pod is gone", () => {
    const runningVmi = vmi({ phase: "Running", nodeName: "sim-node-1" });
    expect(planVirtHandler(runningVmi, snap(launcher("Running")))).toEqual([]);
    expect(statusOf(planVirtHandler(runningVmi, snap())[0])).toMatchObject({ phase: "Succeeded" });
    const deleted = vmi({ phase: "Running", nodeName: "sim-node-1" }, { deletionTimestamp: "2026-01-01T00:00:00Z" });
    expect(statusOf(planVirtHandler(deleted, snap(launcher("Running")))[0])).toMatchObject({ phase: "Succeeded" });
  });
});
