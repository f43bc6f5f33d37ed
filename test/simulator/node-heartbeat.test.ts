// The simulated kubelet's node heartbeats, as k8s.io/kubernetes v1.36.3's node-lifecycle-controller needs them
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go): a Ready condition, so the not-ready taint every new
// Node gets is lifted and kube-scheduler places pods there, and a Lease renewed well within the grace period.
import { LEASE_RENEW_MS, microTime, planNodeHeartbeats } from "./node-heartbeat";
import { KubeObject } from "./resources";
import { emptySnapshot } from "./snapshot";
import { applyMergePatch, obj } from "./test-helpers";

const now = new Date("2026-12-07T20:00:13.123Z");
const node = (conditions?: unknown[]) => obj("Node", "sim-node-1", { status: conditions ? { conditions } : {} }, "");
const lease = (renewTime: Date) => obj("Lease", "sim-node-1", { spec: { holderIdentity: "sim-node-1", renewTime: microTime(renewTime) } }, "kube-node-lease");

function plan(n: KubeObject, l?: KubeObject, at = now) {
  const snap = emptySnapshot();
  snap.nodes.set("/sim-node-1", n);
  if (l) snap.nodeLeases.set("kube-node-lease/sim-node-1", l);
  return planNodeHeartbeats(snap, at).flat();
}

const ready = [
  { type: "MemoryPressure", status: "False" },
  { type: "DiskPressure", status: "False" },
  { type: "PIDPressure", status: "False" },
  { type: "Ready", status: "True" },
];

describe("the simulated kubelet's node heartbeats", () => {
  it("posts Ready without pressure on a node that does not say so (the not-ready taint comes off then)", () => {
    const [post] = plan(node([{ type: "NetworkUnavailable", status: "False" }]), lease(now));
    expect(post).toMatchObject({ type: "patch", subresource: "status", name: "sim-node-1" });
    const posted = applyMergePatch(node([{ type: "NetworkUnavailable", status: "False" }]), (post as { patch: unknown }).patch) as KubeObject;
    expect(posted.status.conditions).toEqual([
      { type: "NetworkUnavailable", status: "False" },
      ...ready.map(c => expect.objectContaining({ ...c, lastHeartbeatTime: "2026-12-07T20:00:13Z", lastTransitionTime: "2026-12-07T20:00:13Z" })),
    ]);
    expect(posted.status.conditions.find((c: { type: string }) => c.type === "Ready").reason).toBe("KubeletReady");
  });

  it("posts Ready again after the node-lifecycle-controller marked the node Unknown", () => {
    const unknown = ready.map(c => ({ ...c, status: "Unknown", reason: "NodeStatusUnknown" }));
    expect(plan(node(unknown), lease(now))).toEqual([expect.objectContaining({ type: "patch", res: expect.objectContaining({ kind: "Node" }) })]);
  });

  it("creates the node's Lease in kube-node-lease, owned by the Node, with the kubelet's 40 s duration", () => {
    expect(plan(node(ready))).toEqual([
      expect.objectContaining({
        type: "create",
        obj: expect.objectContaining({
          metadata: {
            name: "sim-node-1",
            namespace: "kube-node-lease",
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name: "sim-node-1", uid: "uid-Node-sim-node-1" }],
          },
          spec: { holderIdentity: "sim-node-1", leaseDurationSeconds: 40, renewTime: "2026-12-07T20:00:13.123000Z" },
        }),
      }),
    ]);
  });

  it("renews the Lease every 10 s, quietly, and leaves a ready node alone in between", () => {
    expect(plan(node(ready), lease(new Date(now.getTime() - LEASE_RENEW_MS + 1)))).toEqual([]);
    expect(plan(node(ready), lease(new Date(now.getTime() - LEASE_RENEW_MS)))).toEqual([
      {
        type: "patch",
        res: expect.objectContaining({ kind: "Lease" }),
        namespace: "kube-node-lease",
        name: "sim-node-1",
        patch: { spec: { renewTime: microTime(now) } },
        log: "",
      },
    ]);
  });
});
