// The simulated virt-handler's part of a live migration, as kubevirt v1.7.4 writes it: the controller's handoff
// (pkg/virt-controller/watch/migration/migration.go, handleTargetPodHandoff) in, the handlers' steps out
// (pkg/virt-handler/migration-target.go updateStatus/ackMigrationCompletion, migration-source.go
// setMigrationProgressStatus), and LiveMigratable as pkg/virt-handler/vm.go calculateLiveMigrationCondition says.
import { KubeObject } from "./resources";
import { applyMergePatch, obj, snapshotWith } from "./test-helpers";
import { liveMigratable, planLiveMigratable, planMigrationStep, planNicUnplug, planSourceLauncherExit } from "./virt-handler-migration";
import type { Action } from "./plan";

const handedOff = { migrationUid: "m-1", sourceNode: "sim-node-1", targetNode: "sim-node-2", targetPod: "virt-launcher-vm-target" };
const vmi = (status: object, spec: object = {}) =>
  obj("VirtualMachineInstance", "vm", {
    metadata: { uid: "vmi-uid", labels: { "kubevirt.io/nodeName": "sim-node-1" } },
    spec: { domain: { devices: { interfaces: [{ name: "default", masquerade: {} }] } }, networks: [{ name: "default", pod: {} }], ...spec },
    status: { phase: "Running", nodeName: "sim-node-1", ...status },
  });
const launcher = (name: string, node: string, phase = "Running") =>
  obj("Pod", name, {
    metadata: { labels: { "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "vmi-uid" } },
    spec: { nodeName: node, containers: [{ name: "compute" }] },
    status: { phase },
  });
const snap = (vmis: KubeObject[], ...pods: KubeObject[]) => {
  const s = snapshotWith({ vmis });
  for (const node of ["sim-node-1", "sim-node-2"])
    s.nodes.set(`/${node}`, obj("Node", node, { status: { addresses: [{ type: "InternalIP", address: `10.0.0.${node.slice(-1)}` }] } }, ""));
  pods.forEach(p => s.pods.set(`${p.metadata.namespace}/${p.metadata.name}`, p));
  return s;
};
const patched = (target: KubeObject, action: Action) => applyMergePatch(target, (action as { patch: unknown }).patch) as KubeObject;

describe("the simulated virt-handlers during a live migration", () => {
  it("walk a handed-off migration through the steps virt-controller waits for, one a tick, ending on the target node", () => {
    const pods = [launcher("virt-launcher-vm-source", "sim-node-1"), launcher("virt-launcher-vm-target", "sim-node-2")];
    let current = vmi({ migrationState: handedOff, evacuationNodeName: "sim-node-1", conditions: [{ type: "MigrationRequired", status: "True" }] });
    const seen: string[] = [];
    for (let tick = 0; tick < 10; tick++) {
      const [action, ...rest] = planMigrationStep(current, snap([current], ...pods));
      expect(rest).toEqual([]);
      if (!action) break;
      seen.push(Object.keys((action as { patch: { status: { migrationState: object } } }).patch.status.migrationState).join(","));
      current = patched(current, action);
    }
    expect(seen).toEqual([
      "targetNodeAddress,targetDirectMigrationNodePorts", // -> TargetReady
      "startTimestamp,mode", // -> Running
      "targetNodeDomainDetected,targetNodeDomainReadyTimestamp",
      "endTimestamp",
      "completed", // -> Succeeded
    ]);
    expect(current.status.migrationState).toMatchObject({ targetNodeAddress: "10.0.0.2", completed: true, targetNodeDomainDetected: true });
    expect(current.status.nodeName).toBe("sim-node-2");
    expect(current.metadata.labels?.["kubevirt.io/nodeName"]).toBe("sim-node-2");
    expect(current.status.evacuationNodeName).toBeUndefined();
    expect(current.status.conditions).toEqual([]);
  });

  it("report the domain's interfaces on the target: a NIC hot-plugged into the VMI spec joins the guest", () => {
    const spec = {
      domain: {
        devices: {
          interfaces: [
            { name: "default", masquerade: {} },
            { name: "added", bridge: {}, macAddress: "02:00:00:00:00:aa" },
          ],
        },
      },
      networks: [
        { name: "default", pod: {} },
        { name: "added", multus: { networkName: "ns1/vm-added" } },
      ],
    };
    const reported = [
      { name: "default", interfaceName: "eth0", infoSource: "domain, guest-agent" },
      { name: "added", podInterfaceName: "pod3a0e5e8b1d2", infoSource: "multus-status" }, // virt-controller's, from the target pod
    ];
    const state = { ...handedOff, targetNodeAddress: "10.0.0.2", startTimestamp: "t", targetNodeDomainDetected: true };
    const ending = vmi({ migrationState: state, interfaces: reported }, spec);
    const [action] = planMigrationStep(ending, snap([ending], launcher("virt-launcher-vm-target", "sim-node-2")));
    const added = patched(ending, action).status.interfaces.find((i: { name: string }) => i.name === "added");
    expect(added).toMatchObject({ mac: "02:00:00:00:00:aa", podInterfaceName: "pod3a0e5e8b1d2", infoSource: "multus-status, domain, guest-agent" });
  });

  it("wait for virt-controller's handoff and for the target pod to run", () => {
    expect(planMigrationStep(vmi({}), snap([]))).toEqual([]);
    const pending = launcher("virt-launcher-vm-target", "sim-node-2", "Pending");
    expect(planMigrationStep(vmi({ migrationState: handedOff }), snap([], pending))).toEqual([]);
    expect(planMigrationStep(vmi({ migrationState: { ...handedOff, completed: true } }), snap([], launcher("virt-launcher-vm-target", "sim-node-2")))).toEqual(
      [],
    );
  });

  it("end the source launcher once the guest runs on the target, and only then", () => {
    const source = launcher("virt-launcher-vm-source", "sim-node-1");
    const target = launcher("virt-launcher-vm-target", "sim-node-2");
    const migrating = vmi({ migrationState: { ...handedOff, startTimestamp: "2026-01-01T00:00:00Z" } });
    expect(planSourceLauncherExit(source, snap([migrating]))).toEqual([]);
    const moved = vmi({ nodeName: "sim-node-2", migrationState: { ...handedOff, completed: true } });
    expect(planSourceLauncherExit(source, snap([moved]))[0]).toMatchObject({ subresource: "status", patch: { status: { phase: "Succeeded" } } });
    expect(planSourceLauncherExit(target, snap([moved]))).toEqual([]);
    const failed = vmi({ migrationState: { ...handedOff, completed: true, failed: true } });
    expect(planSourceLauncherExit(source, snap([failed]))).toEqual([]);
  });
});

describe("LiveMigratable as virt-handler computes it", () => {
  const disk = (accessModes?: string[]) =>
    vmi(
      { volumeStatus: accessModes ? [{ name: "system", persistentVolumeClaimInfo: { claimName: "vm-system", accessModes } }] : [] },
      {
        volumes: [
          { name: "system", dataVolume: { name: "vm-system" } },
          { name: "cloudinitdisk", cloudInitNoCloud: {} },
        ],
      },
    );

  it("is True when every claim is ReadWriteMany and the pod network uses masquerade", () => {
    expect(liveMigratable(disk(["ReadWriteMany"]))).toEqual({ type: "LiveMigratable", status: "True" });
  });

  it("is False with DisksNotLiveMigratable for a ReadWriteOnce claim, or one virt-controller has not described yet", () => {
    expect(liveMigratable(disk(["ReadWriteOnce"]))).toMatchObject({
      status: "False",
      reason: "DisksNotLiveMigratable",
      message: expect.stringContaining("PVC vm-system is not shared"),
    });
    expect(liveMigratable(disk())).toMatchObject({
      reason: "DisksNotLiveMigratable",
      message: expect.stringContaining("Unable to determine if PVC vm-system"),
    });
  });

  it("is False with InterfaceNotLiveMigratable for a bridged pod network", () => {
    const bridged = vmi({}, { domain: { devices: { interfaces: [{ name: "default", bridge: {} }] } } });
    expect(liveMigratable(bridged)).toMatchObject({ status: "False", reason: "InterfaceNotLiveMigratable" });
  });

  it("carries a lastProbeTime a merge patch keeps: null would be dropped, and virt-controller's JSON-patch test of the conditions (lifecycle.go, prepareVMIPatch) then never matches", () => {
    const [action] = planLiveMigratable(disk(["ReadWriteOnce"]));
    const conditions = (action as { patch: { status: { conditions: { lastProbeTime?: unknown }[] } } }).patch.status.conditions;
    expect(conditions.every(c => typeof c.lastProbeTime === "string")).toBe(true);
  });

  it("is rewritten on a Running VMI only when it changed", () => {
    const rwo = disk(["ReadWriteOnce"]);
    const [action] = planLiveMigratable(rwo);
    const written = patched(rwo, action);
    expect(written.status.conditions).toEqual([expect.objectContaining({ type: "LiveMigratable", status: "False", reason: "DisksNotLiveMigratable" })]);
    expect(planLiveMigratable(written)).toEqual([]);
  });
});

const unplugging = {
  domain: {
    devices: {
      interfaces: [
        { name: "default", masquerade: {} },
        { name: "gone", bridge: {}, state: "absent" },
      ],
    },
  },
  networks: [
    { name: "default", pod: {} },
    { name: "gone", multus: { networkName: "ns1/vm-gone" } },
  ],
};

describe("a NIC marked absent (hot-unplug)", () => {
  it("leaves the guest: its domain and guest-agent sources go, Multus's stays while the pod has it", () => {
    const spec = {
      domain: {
        devices: {
          interfaces: [
            { name: "default", masquerade: {} },
            { name: "gone", bridge: {}, state: "absent" },
          ],
        },
      },
      networks: [
        { name: "default", pod: {} },
        { name: "gone", multus: { networkName: "ns1/vm-gone" } },
      ],
    };
    const running = vmi(
      {
        interfaces: [
          { name: "default", infoSource: "domain, guest-agent" },
          { name: "gone", mac: "02:00:00:00:00:01", podInterfaceName: "pod1", infoSource: "domain, guest-agent, multus-status" },
        ],
      },
      spec,
    );
    const [action] = planNicUnplug(running);
    const after = patched(running, action);
    expect(after.status.interfaces).toEqual([
      { name: "default", infoSource: "domain, guest-agent" },
      { name: "gone", podInterfaceName: "pod1", infoSource: "multus-status" },
    ]);
    expect(planNicUnplug(after)).toEqual([]);
  });

  // After the migration that takes the network out of the pod, virt-controller removes multus-status
  // (pkg/network/controllers/vmi.go); virt-handler's next status has neither source, so no entry
  // (pkg/network/setup/netstat.go, UpdateStatus), and virt-controller then drops the NIC (pkg/network/controllers/vm.go).
  it("goes from the status once the pod no longer has its network", () => {
    const stripped = vmi(
      {
        interfaces: [
          { name: "default", infoSource: "domain, guest-agent" },
          { name: "gone", podInterfaceName: "pod1" },
        ],
      },
      unplugging,
    );
    const [action] = planNicUnplug(stripped);
    const after = patched(stripped, action);
    expect(after.status.interfaces).toEqual([{ name: "default", infoSource: "domain, guest-agent" }]);
    expect(planNicUnplug(after)).toEqual([]);
  });

  it("is not in the domain on a migration target; its Multus entry stays until virt-controller removes the source", () => {
    const reported = [
      { name: "default", interfaceName: "eth0", infoSource: "domain, guest-agent" },
      { name: "gone", podInterfaceName: "pod1", infoSource: "multus-status" },
    ];
    const state = { ...handedOff, targetNodeAddress: "10.0.0.2", startTimestamp: "t", targetNodeDomainDetected: true };
    const ending = vmi({ migrationState: state, interfaces: reported }, unplugging);
    const [action] = planMigrationStep(ending, snap([ending], launcher("virt-launcher-vm-target", "sim-node-2")));
    const interfaces = patched(ending, action).status.interfaces;
    expect(interfaces.map((i: { name: string; infoSource: string }) => [i.name, i.infoSource])).toEqual([
      ["default", "domain, guest-agent"],
      ["gone", "multus-status"],
    ]);
  });
});
