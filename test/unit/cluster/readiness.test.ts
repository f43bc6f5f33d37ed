// When reconciles may start (issue 16 item 14): a watch of an API the cluster does not serve never lists, so it
// must not be waited for. KubeVirt before v1.3.0 serves no snapshot.kubevirt.io/v1beta1
// (staging/src/kubevirt.io/api/snapshot/ at each tag); a cluster without NMState serves no nmstate.io/v1.
import { KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API } from "../../../lib/cluster/features";
import type { WatchedKind } from "../../../lib/cluster/kinds";
import { Readiness } from "../../../lib/cluster/readiness";

function setup() {
  const synced = new Set<WatchedKind>();
  const readiness = new Readiness(kind => synced.has(kind));
  for (const kind of ["DataVolume", "VirtualMachine", "WukongSnapshot"] as const) readiness.waitFor(kind);
  return { synced, readiness };
}

describe("reconcile readiness", () => {
  it("waits for discovery, then only for the watches of what is served: no snapshot API, no NMState, Wukongs still reconcile", () => {
    const { synced, readiness } = setup();
    ["DataVolume", "VirtualMachine", "WukongSnapshot"].forEach(kind => synced.add(kind as WatchedKind));
    expect(readiness.wukongsReady()).toBe(false); // discovery has not answered
    expect(readiness.discovered(new Set())).toEqual([]);
    expect(readiness.wukongsReady()).toBe(true);
    expect(readiness.snapshotsReady()).toBe(true);
  });

  it("starts each served API's watches once, and waits for them to list", () => {
    const { synced, readiness } = setup();
    ["DataVolume", "VirtualMachine", "WukongSnapshot"].forEach(kind => synced.add(kind as WatchedKind));
    expect(readiness.discovered(new Set([KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API, KUBEVIRT_CONFIG_API]))).toEqual([
      KUBEVIRT_SNAPSHOT_API,
      NODE_NETWORK_API,
      KUBEVIRT_CONFIG_API,
    ]);
    expect(readiness.wukongsReady()).toBe(false);
    expect(readiness.snapshotsReady()).toBe(false);
    synced.add("VirtualMachineSnapshot").add("VirtualMachineRestore").add("KubeVirt").add("VirtualMachineInstanceMigration");
    expect(readiness.snapshotsReady()).toBe(true);
    expect(readiness.wukongsReady()).toBe(false); // the NMState policies have not listed yet
    synced.add("NodeNetworkConfigurationPolicy");
    expect(readiness.wukongsReady()).toBe(true);
    expect(readiness.discovered(new Set([KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API, KUBEVIRT_CONFIG_API]))).toEqual([]);
  });

  it("starts the watches of an API installed later (KubeVirt upgraded to v1.3.0)", () => {
    const { readiness } = setup();
    readiness.discovered(new Set());
    expect(readiness.discovered(new Set([KUBEVIRT_SNAPSHOT_API]))).toEqual([KUBEVIRT_SNAPSHOT_API]);
  });
});
