// spec.updates.restartWhenRequired: the VMI is deleted (virt-controller v1.7.4 starts a new one under runStrategy
// Always, pkg/virt-controller/watch/vm/vm.go syncRunStrategy) only when KubeVirt's RestartRequired speaks of the VM's
// latest generation (status.desiredGeneration, vm.go syncGenerationInfo), and never without the field.
import type { LiveObject } from "../../../lib/cluster/live";
import type { LiveWukong, ReconcileContext } from "../../../lib/reconcile/context";
import { restartWhenRequired } from "../../../lib/reconcile/restart-when-required";
import type { WukongSpec } from "../../../schemas/spec";
import { MemoryCluster } from "./memory-cluster";

const NS = "vms";
const NAME = "app-01";
const KUBEVIRT_MESSAGE = "memory hotplug not supported, Guest memory is greater than the configured maxGuest memory";

function setup(spec: Partial<WukongSpec>, vm: { generation?: number; desiredGeneration?: number; restart?: boolean }, vmiPhase = "Running") {
  const cluster = new MemoryCluster();
  cluster.put("VirtualMachine", {
    metadata: { name: NAME, namespace: NS, generation: vm.generation ?? 2 },
    status: {
      // virt-controller's syncGenerationInfo: observedGeneration is what the running VMI started from, desiredGeneration the VM's.
      observedGeneration: 1,
      desiredGeneration: vm.desiredGeneration ?? 2,
      conditions: vm.restart === false ? [] : [{ type: "RestartRequired", status: "True", message: KUBEVIRT_MESSAGE }],
    },
  } as LiveObject);
  cluster.put("VirtualMachineInstance", { metadata: { name: NAME, namespace: NS, uid: "vmi-1" }, status: { phase: vmiPhase } } as LiveObject);
  const wukong = {
    metadata: { name: NAME, namespace: NS, uid: "wukong-uid" },
    spec: { cpu: 2, memory: "4Gi", startStrategy: { runStrategy: "Always" }, ...spec },
  } as unknown as LiveWukong;
  const ctx: ReconcileContext = {
    port: cluster,
    wukong,
    namespace: NS,
    name: NAME,
    uid: "wukong-uid",
    desired: {} as ReconcileContext["desired"],
    observed: { nads: [], dataVolumes: {}, pvcs: {}, childErrors: [] },
    changes: [],
  };
  return { cluster, ctx };
}

const AUTOMATIC = { updates: { restartWhenRequired: true } };

describe("restartWhenRequired", () => {
  it("deletes the running VMI when KubeVirt requires a restart, and tells why in the change", async () => {
    const { cluster, ctx } = setup(AUTOMATIC, {});
    await restartWhenRequired(ctx);
    expect(cluster.stored("VirtualMachineInstance", NS, NAME)).toBeUndefined();
    expect(ctx.changes).toEqual([{ verb: "Restarted", kind: "VirtualMachineInstance", name: NAME, detail: KUBEVIRT_MESSAGE }]);
  });

  it.each([
    ["the field is unset (the default is to wait)", {}, {}, "Running"],
    ["the field is false", { updates: { restartWhenRequired: false } }, {}, "Running"],
    ["no RestartRequired", AUTOMATIC, { restart: false }, "Running"],
    ["virt-controller has not seen the latest template yet", AUTOMATIC, { generation: 3, desiredGeneration: 2 }, "Running"],
    ["the VMI is not running", AUTOMATIC, {}, "Scheduling"],
    ["runStrategy RerunOnFailure (a deleted VMI would stay gone)", { ...AUTOMATIC, startStrategy: { runStrategy: "RerunOnFailure" as const } }, {}, "Running"],
  ])("leaves the VMI alone when %s", async (_, spec, vm, phase) => {
    const { cluster, ctx } = setup(spec as Partial<WukongSpec>, vm, phase);
    await restartWhenRequired(ctx);
    expect(cluster.stored("VirtualMachineInstance", NS, NAME)).toBeDefined();
    expect(ctx.changes).toEqual([]);
  });
});
