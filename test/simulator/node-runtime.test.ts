// A Wukong labelled for a real guest takes its VMI away from the simulated VMI steps; any other stays simulated.
import { loadConfig } from "./config";
import { planKubevirtVmis } from "./kubevirt-vmi";
import { emptySnapshot } from "./snapshot";
import type { KubeObject } from "./resources";
import { RUNTIME_LABEL, wantsRealGuest } from "./node-runtime";

const wukong = (name: string, labels: Record<string, string> = {}): KubeObject => ({ metadata: { name, namespace: "ns", labels } });
const vmi = (name: string): KubeObject => ({ metadata: { name, namespace: "ns", uid: `uid-${name}`, labels: { "vm.novasphere.dev/wukong": name } }, spec: {} });

describe("real guests", () => {
  const snap = emptySnapshot();
  snap.wukongs.set("ns/real", wukong("real", { [RUNTIME_LABEL]: "qemu" }));
  snap.wukongs.set("ns/sim", wukong("sim"));
  snap.vmis.set("ns/real", vmi("real"));
  snap.vmis.set("ns/sim", vmi("sim"));

  it("only the labelled Wukong's VMI wants a real guest", () => {
    expect(wantsRealGuest(vmi("real"), snap.wukongs)).toBe(true);
    expect(wantsRealGuest(vmi("sim"), snap.wukongs)).toBe(false);
  });

  it("the simulated VMI steps plan only the unlabelled one", () => {
    const plans = planKubevirtVmis(snap, () => 0, loadConfig({})).flat();
    expect(plans.map(action => (action.type === "patch" ? action.name : action.type))).toEqual(["sim"]);
  });
});
