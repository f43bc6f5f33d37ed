// The real-guest runtime plays virt-handler after the real virt-controller (kubevirt v1.7.4
// pkg/virt-controller/watch/vmi/lifecycle.go hands a VMI to its node, phase Scheduled, once the launcher pod runs):
// which VMIs want a QEMU guest, and which have shut down.
import { guestWanted, shutDown } from "../../guest/runtime/runtime";
import type { KubeObject } from "../../simulator/resources";
import { emptySnapshot } from "../../simulator/snapshot";

const vmi = (phase: string, extra: Partial<KubeObject["metadata"]> = {}, nodeName = "sim-node-1"): KubeObject => ({
  metadata: { name: "vm", namespace: "ns", uid: "vmi-uid", ...extra },
  status: { phase, nodeName },
});
const world = (launcher?: "Running" | "Succeeded") => {
  const snap = emptySnapshot();
  snap.nodes.set("/sim-node-1", { metadata: { name: "sim-node-1" } });
  if (launcher)
    snap.pods.set("ns/virt-launcher-vm-x", {
      metadata: { name: "virt-launcher-vm-x", namespace: "ns", labels: { "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "vmi-uid" } },
      status: { phase: launcher },
    });
  return snap;
};

describe("the real-guest runtime's VMIs", () => {
  it("boots a guest only once virt-controller handed the VMI to a simulated node with its launcher pod running", () => {
    expect(guestWanted(vmi("Scheduling"), world("Running"))).toBe(false);
    expect(guestWanted(vmi("Scheduled"), world())).toBe(false);
    expect(guestWanted(vmi("Scheduled", {}, "a-real-node"), world("Running"))).toBe(false);
    expect(guestWanted(vmi("Scheduled"), world("Running"))).toBe(true);
    expect(guestWanted(vmi("Running"), world("Running"))).toBe(true);
  });

  it("shuts the guest down when the VMI is deleted or its launcher pod is gone, and not before", () => {
    expect(shutDown(vmi("Running"), world("Running"))).toBe(false);
    expect(shutDown(vmi("Running", { deletionTimestamp: "2026-01-01T00:00:00Z" }), world("Running"))).toBe(true);
    expect(guestWanted(vmi("Running", { deletionTimestamp: "2026-01-01T00:00:00Z" }), world("Running"))).toBe(false);
    expect(shutDown(vmi("Running"), world("Succeeded"))).toBe(true);
    expect(shutDown(vmi("Succeeded"), world())).toBe(false);
  });
});
