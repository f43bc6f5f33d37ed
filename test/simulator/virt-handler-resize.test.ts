// The simulated virt-handler's end of a CPU/memory hot-plug, as kubevirt v1.7.4 pkg/virt-handler/migration-target.go
// (hotplugCPU, hotplugMemory) reports it, once virt-controller's workload updater asked for the migration.
import { KubeObject } from "./resources";
import { obj, snapshotWith } from "./test-helpers";
import { hotplugStatus, planHotplug } from "./virt-handler-resize";

const vmi = (conditions: object[], extra: { deletionTimestamp?: string; labels?: Record<string, string> } = {}) =>
  obj("VirtualMachineInstance", "vm", {
    metadata: { ...(extra.deletionTimestamp && { deletionTimestamp: extra.deletionTimestamp }), ...(extra.labels && { labels: extra.labels }) },
    spec: { domain: { cpu: { sockets: 4, cores: 1, threads: 1, maxSockets: 8 }, memory: { guest: "8Gi", maxGuest: "16Gi" } } },
    status: {
      phase: "Running",
      nodeName: "sim-node-1",
      conditions: [{ type: "Ready", status: "True" }, { type: "LiveMigratable", status: "True" }, ...conditions],
      currentCPUTopology: { sockets: 2, cores: 1, threads: 1 },
      memory: { guestAtBoot: "4Gi", guestCurrent: "4Gi", guestRequested: "4Gi" },
    },
  });
const migration = (annotations: Record<string, string> = { "kubevirt.io/workloadUpdateMigration": "" }) =>
  obj("VirtualMachineInstanceMigration", "kubevirt-workload-update-abcde", { metadata: { annotations }, spec: { vmiName: "vm" } });
const snap = (...migrations: KubeObject[]) => {
  const s = snapshotWith({});
  s.nodes.set("/sim-node-1", obj("Node", "sim-node-1", {}, ""));
  migrations.forEach(m => s.vmiMigrations.set(`${m.metadata.namespace}/${m.metadata.name}`, m));
  return s;
};
const CPU = { type: "HotVCPUChange", status: "True" };
const MEMORY = { type: "HotMemoryChange", status: "True" };

describe("the simulated virt-handler finishing a hot-plug", () => {
  it("CPU: reports the spec's topology as current and drops HotVCPUChange, the other conditions kept", () => {
    expect(hotplugStatus(vmi([CPU]))?.status).toEqual({
      conditions: [
        { type: "Ready", status: "True" },
        { type: "LiveMigratable", status: "True" },
      ],
      currentCPUTopology: { sockets: 4, cores: 1, threads: 1 },
    });
  });

  it("memory: guestRequested and guestCurrent become the spec's guest, guestAtBoot stays; HotMemoryChange dropped", () => {
    const status = hotplugStatus(vmi([MEMORY]))?.status;
    expect(status?.memory).toEqual({ guestAtBoot: "4Gi", guestCurrent: "8Gi", guestRequested: "8Gi" });
    expect(status).not.toHaveProperty("currentCPUTopology");
    expect((status?.conditions as { type: string }[]).map(c => c.type)).toEqual(["Ready", "LiveMigratable"]);
  });

  it("drops the pod-size labels the migration controller set for the target's checks", () => {
    const labelled = vmi([CPU], { labels: { "kubevirt.io/vmi-pod-cpu-resource-limits": "4", app: "web" } });
    expect(hotplugStatus(labelled)?.removedLabels).toEqual(["kubevirt.io/vmi-pod-cpu-resource-limits"]);
    const [action] = planHotplug(labelled, snap(migration()));
    expect(action.type === "jsonPatch" && action.ops[0]).toEqual({ op: "remove", path: "/metadata/labels/kubevirt.io~1vmi-pod-cpu-resource-limits" });
  });

  it("nothing pending (or a memory change KubeVirt marked failed) reports nothing", () => {
    expect(hotplugStatus(vmi([]))).toBeUndefined();
    expect(hotplugStatus(vmi([{ type: "HotMemoryChange", status: "False", reason: "MemoryHotplugFailed" }]))).toBeUndefined();
  });

  it("acts only once virt-controller's workload updater has created the migration for the VMI", () => {
    expect(planHotplug(vmi([CPU]), snap())).toEqual([]);
    expect(planHotplug(vmi([CPU]), snap(migration({})))).toEqual([]);
    const [action] = planHotplug(vmi([CPU, MEMORY]), snap(migration()));
    expect(action).toMatchObject({ type: "jsonPatch", name: "vm", log: expect.stringContaining("hot-plugged 4 sockets, memory 8Gi on sim-node-1") });
    expect(action.type === "jsonPatch" && action.ops).toEqual(
      expect.arrayContaining([
        { op: "add", path: "/status/currentCPUTopology", value: { sockets: 4, cores: 1, threads: 1 } },
        { op: "add", path: "/status/memory", value: { guestAtBoot: "4Gi", guestCurrent: "8Gi", guestRequested: "8Gi" } },
      ]),
    );
  });

  it("leaves a VMI being deleted", () => {
    expect(planHotplug(vmi([CPU], { deletionTimestamp: "2026-01-01T00:00:00Z" }), snap(migration()))).toEqual([]);
  });
});
