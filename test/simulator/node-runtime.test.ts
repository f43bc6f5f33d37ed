// A Wukong labelled for a real guest takes its VMI away from the simulated virt-handler; any other stays simulated.
import { emptySnapshot } from "./snapshot";
import type { KubeObject } from "./resources";
import { RUNTIME_LABEL, wantsRealGuest } from "./node-runtime";
import { planVirtHandlers } from "./virt-handler";

const wukong = (name: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name, namespace: "ns", labels } });
const vmi = (name: string): KubeObject => ({
  metadata: { name, namespace: "ns", uid: `uid-${name}`, labels: { "vm.novasphere.dev/wukong": name } },
  spec: {},
  status: { phase: "Scheduled", nodeName: "sim-node-1" },
});

describe("real guests", () => {
  const snap = emptySnapshot();
  snap.wukongs.set("ns/real", wukong("real", { [RUNTIME_LABEL]: "qemu" }));
  snap.wukongs.set("ns/sim", wukong("sim"));
  snap.vmis.set("ns/real", vmi("real"));
  snap.vmis.set("ns/sim", vmi("sim"));
  snap.nodes.set("/sim-node-1", { metadata: { name: "sim-node-1" } });

  it("only the labelled Wukong's VMI wants a real guest", () => {
    expect(wantsRealGuest(vmi("real"), snap.wukongs)).toBe(true);
    expect(wantsRealGuest(vmi("sim"), snap.wukongs)).toBe(false);
  });

  it("the simulated virt-handler boots only the unlabelled one", () => {
    const plans = planVirtHandlers(snap).flat();
    expect(plans.map(action => (action.type === "patch" || action.type === "jsonPatch" ? action.name : action.type))).toEqual(["sim"]);
  });
});
