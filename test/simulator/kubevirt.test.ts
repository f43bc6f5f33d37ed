import { decideVm, desiredVmi, missingTemplateDataVolumes, planVirtualMachine, volumeGate } from "./kubevirt-vm";
import { guestInterfaces, nextVmiStep, planVmi } from "./kubevirt-vmi";
import { podNetworkAddress, multusNetworkAddress } from "./fake-dhcp";
import { KubeObject } from "./resources";
import { after, cfg, noFaults, obj, snapshotWith } from "./test-helpers";

const networkData = `network:
  version: 2
  ethernets:
    pod0: {match: {macaddress: "02:aa:bb:00:00:01"}, dhcp4: true}
    mgmt: {match: {macaddress: "02:aa:bb:00:00:02"}, addresses: [192.168.100.10/24]}
`;

const template = (volumes: object[]) => ({
  metadata: { labels: { app: "web" } },
  spec: {
    domain: {
      devices: {
        interfaces: [
          { name: "default", masquerade: {}, macAddress: "02:aa:bb:00:00:01" },
          { name: "mgmt", bridge: {}, macAddress: "02:aa:bb:00:00:02" },
          { name: "data", bridge: {}, macAddress: "02:aa:bb:00:00:03" },
        ],
      },
    },
    networks: [
      { name: "default", pod: {} },
      { name: "mgmt", multus: { networkName: "ns1/mgmt" } },
      { name: "data", multus: { networkName: "ns1/data" } },
    ],
    volumes,
  },
});

const rootDv = { name: "root", dataVolume: { name: "web-root" } };
const cloudInit = { name: "cloudinit", cloudInitNoCloud: { userData: "#cloud-config", networkData } };
const vm = (runStrategy = "Always", volumes: object[] = [rootDv, cloudInit], annotations?: Record<string, string>) =>
  obj("VirtualMachine", "web", {
    metadata: { generation: 3, labels: { "vm.novasphere.dev/wukong": "web" }, annotations },
    spec: { runStrategy, template: template(volumes) },
  });
const dvIn = (phase: string, name = "web-root") => obj("DataVolume", name, { status: { phase } });
const vmiFor = (owner: KubeObject, status?: object) =>
  ({ ...desiredVmi(owner, "T0"), metadata: { ...desiredVmi(owner).metadata, uid: "vmi-uid" }, status }) as KubeObject;
const gateFor = (v: KubeObject, objects: Parameters<typeof snapshotWith>[0]) => volumeGate(v, snapshotWith(objects));

describe("volumeGate", () => {
  it("waits for DataVolumes (Provisioning), unbound claims, missing claims and failed imports, in KubeVirt's order", () => {
    expect(gateFor(vm(), { dataVolumes: [dvIn("ImportInProgress")] })).toMatchObject({ ready: false, waitingStatus: "Provisioning" });
    expect(gateFor(vm(), {})).toMatchObject({ ready: false, waitingStatus: "Provisioning" }); // DV not created yet
    expect(gateFor(vm(), { dataVolumes: [dvIn("Failed")] })).toMatchObject({ ready: false, waitingStatus: "DataVolumeError" });
    const withPvc = vm("Always", [rootDv, { name: "data", persistentVolumeClaim: { claimName: "web-data" } }]);
    expect(gateFor(withPvc, { dataVolumes: [dvIn("Succeeded")] })).toMatchObject({ waitingStatus: "ErrorPvcNotFound" });
    const pending = obj("PersistentVolumeClaim", "web-data", { status: { phase: "Pending" } });
    expect(gateFor(withPvc, { dataVolumes: [dvIn("Succeeded")], pvcs: [pending] })).toMatchObject({ waitingStatus: "WaitingForVolumeBinding" });
    const bound = obj("PersistentVolumeClaim", "web-data", { status: { phase: "Bound" } });
    expect(gateFor(withPvc, { dataVolumes: [dvIn("Succeeded")], pvcs: [bound] })).toMatchObject({ ready: true, hasDataVolumes: true, dataVolumesReady: true });
  });

  it("treats a claim volume backed by a DataVolume like the DataVolume", () => {
    const d = dvIn("ImportInProgress", "web-data");
    const pvc = obj("PersistentVolumeClaim", "web-data", {
      metadata: { ownerReferences: [{ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", name: "web-data", uid: d.metadata.uid! }] },
      status: { phase: "Bound" },
    });
    const v = vm("Always", [{ name: "data", persistentVolumeClaim: { claimName: "web-data" } }]);
    expect(gateFor(v, { dataVolumes: [d], pvcs: [pvc] })).toMatchObject({ ready: false, waitingStatus: "Provisioning" });
  });
});

describe("decideVm", () => {
  const ready = { ready: true, hasDataVolumes: true, dataVolumesReady: true };
  const waiting = { ready: false, waitingStatus: "Provisioning" as const, hasDataVolumes: true, dataVolumesReady: false };

  it("starts a VMI when volumes are ready and the strategy runs", () => {
    for (const rs of ["Always", "RerunOnFailure", "Once"])
      expect(decideVm(vm(rs), undefined, ready, noFaults)).toMatchObject({ action: "create-vmi", printableStatus: "Starting" });
    expect(decideVm(vm(), undefined, waiting, noFaults)).toMatchObject({ action: "none", printableStatus: "Provisioning", created: false });
  });

  it("leaves Manual VMs as they are and stops Halted ones", () => {
    expect(decideVm(vm("Manual"), undefined, ready, noFaults)).toMatchObject({ action: "none", printableStatus: "Stopped" });
    const v = vm("Halted");
    expect(decideVm(v, vmiFor(v, { phase: "Running" }), ready, noFaults)).toMatchObject({ action: "delete-vmi", printableStatus: "Stopping" });
    expect(decideVm(v, undefined, ready, noFaults)).toMatchObject({ action: "none", printableStatus: "Stopped", ready: false });
  });

  it("reports the VMI's progress", () => {
    const v = vm();
    expect(decideVm(v, vmiFor(v, { phase: "Scheduled" }), ready, noFaults)).toMatchObject({ printableStatus: "Starting", created: true, ready: false });
    expect(decideVm(v, vmiFor(v, { phase: "Running" }), ready, noFaults)).toMatchObject({ printableStatus: "Running", ready: true });
    const unsched = vmiFor(v, { phase: "Scheduling", conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable" }] });
    expect(decideVm(v, unsched, ready, noFaults).printableStatus).toBe("ErrorUnschedulable");
  });

  it("crash-loops without a running VMI", () => {
    const v = vm();
    expect(decideVm(v, vmiFor(v, { phase: "Running" }), ready, { ...noFaults, crashLoop: true })).toMatchObject({
      action: "delete-vmi",
      printableStatus: "CrashLoopBackOff",
    });
    expect(decideVm(v, undefined, ready, { ...noFaults, crashLoop: true })).toMatchObject({ action: "none", printableStatus: "CrashLoopBackOff" });
  });
});

describe("planVirtualMachine", () => {
  it("creates the VMI (owned by the VM, template labels and spec) and reports Starting", () => {
    const v = vm();
    const plan = planVirtualMachine(v, snapshotWith({ vms: [v], dataVolumes: [dvIn("Succeeded")] }));
    expect(plan.map(a => a.type)).toEqual(["create", "patch"]);
    const created = (plan[0] as { obj: KubeObject }).obj;
    expect(created.metadata).toMatchObject({
      name: "web",
      labels: { app: "web" },
      ownerReferences: [{ kind: "VirtualMachine", uid: v.metadata.uid, controller: true }],
    });
    expect(created.spec.networks).toHaveLength(3);
    expect(created.status.phase).toBe("Pending");
    expect(plan[1]).toMatchObject({
      subresource: "status",
      patch: { status: { printableStatus: "Starting", created: true, ready: false, runStrategy: "Always", observedGeneration: 3 } },
    });
  });

  it("shows DataVolumeError via the Wukong's import fault", () => {
    const v = vm();
    const [patch] = planVirtualMachine(v, snapshotWith({ vms: [v], dataVolumes: [dvIn("Failed")] }));
    expect(patch).toMatchObject({ patch: { status: { printableStatus: "DataVolumeError" } } });
  });

  it("leaves a same-name VMI of another VM alone", () => {
    const v = vm();
    const stranger = {
      ...vmiFor(v),
      metadata: {
        ...vmiFor(v).metadata,
        ownerReferences: [{ apiVersion: "kubevirt.io/v1", kind: "VirtualMachine", name: "web", uid: "old", controller: true }],
      },
    };
    expect(planVirtualMachine(v, snapshotWith({ vms: [v], vmis: [stranger], dataVolumes: [dvIn("Succeeded")] }))).toEqual([
      expect.objectContaining({ type: "note" }),
    ]);
  });

  it("creates DataVolumes from dataVolumeTemplates", () => {
    const v = vm();
    v.spec.dataVolumeTemplates = [
      { metadata: { name: "web-root" }, spec: { source: { blank: {} }, storage: { resources: { requests: { storage: "1Gi" } } } } },
    ];
    const [dv] = missingTemplateDataVolumes(v, snapshotWith({}));
    expect(dv.metadata).toMatchObject({ name: "web-root", ownerReferences: [{ kind: "VirtualMachine", controller: true }] });
    expect(missingTemplateDataVolumes(v, snapshotWith({ dataVolumes: [dvIn("Pending")] }))).toEqual([]);
  });
});

describe("VMI lifecycle", () => {
  it("steps Pending -> Scheduling -> Scheduled -> Running after the step delay", () => {
    const v = vm();
    const phaseAfter = (phase: string, ms: number, faults = noFaults) => nextVmiStep(vmiFor(v, { phase }), faults, ms, cfg);
    expect(phaseAfter("Pending", 0).phase).toBe("Pending");
    expect(phaseAfter("Pending", 1000).phase).toBe("Scheduling");
    expect(phaseAfter("Scheduling", 1000)).toMatchObject({ phase: "Scheduled", nodeName: "sim-node-1" });
    expect(phaseAfter("Scheduled", 1000)).toMatchObject({ phase: "Running", bootNow: true });
    const stuck = phaseAfter("Scheduling", 60_000, { ...noFaults, unschedulable: true });
    expect(stuck.phase).toBe("Scheduling");
    expect(stuck.conditions).toContainEqual(expect.objectContaining({ type: "PodScheduled", status: "False", reason: "Unschedulable" }));
  });

  it("reports interfaces with static IPs from network data, fake DHCP otherwise", () => {
    const v = vm();
    const vmi = vmiFor(v);
    expect(guestInterfaces(vmi, networkData)).toEqual([
      {
        name: "default",
        mac: "02:aa:bb:00:00:01",
        interfaceName: "eth0",
        infoSource: "domain, guest-agent",
        ipAddress: podNetworkAddress("ns1/web"),
        ipAddresses: [podNetworkAddress("ns1/web")],
      },
      {
        name: "mgmt",
        mac: "02:aa:bb:00:00:02",
        interfaceName: "eth1",
        infoSource: "domain, guest-agent",
        ipAddress: "192.168.100.10",
        ipAddresses: ["192.168.100.10"],
      },
      {
        name: "data",
        mac: "02:aa:bb:00:00:03",
        interfaceName: "eth2",
        infoSource: "domain, guest-agent",
        ipAddress: multusNetworkAddress("ns1/web", "ns1/data"),
        ipAddresses: [multusNetworkAddress("ns1/web", "ns1/data")],
      },
    ]);
  });

  it("adds KubeVirt's default pod interface when none is declared", () => {
    const bare = obj("VirtualMachineInstance", "bare", { spec: { domain: { devices: {} } } });
    expect(guestInterfaces(bare, undefined)).toEqual([
      expect.objectContaining({ name: "default", interfaceName: "eth0", ipAddress: podNetworkAddress("ns1/bare") }),
    ]);
  });

  it("boots with network data from a Secret and labels the node", () => {
    const v = vm("Always", [rootDv, { name: "cloudinit", cloudInitNoCloud: { networkDataSecretRef: { name: "web-cloudinit" } } }]);
    const secret = obj("Secret", "web-cloudinit", { data: { networkdata: Buffer.from(networkData).toString("base64") } });
    const vmi = vmiFor(v, { phase: "Scheduled", nodeName: "sim-node-1" });
    const [action] = planVmi(vmi, snapshotWith({ vms: [v], vmis: [vmi], secrets: [secret] }), after(1000), cfg);
    expect(action).toMatchObject({ type: "patch", patch: { metadata: { labels: { "kubevirt.io/nodeName": "sim-node-1" } }, status: { phase: "Running" } } });
    const status = (action as { patch: { status: { interfaces: { name: string; ipAddress: string }[] } } }).patch.status;
    expect(status.interfaces.find(i => i.name === "mgmt")?.ipAddress).toBe("192.168.100.10");
    expect((action as { subresource?: string }).subresource).toBeUndefined(); // VMI has no status subresource
  });

  it("leaves a running VMI alone and deletes one whose VM is gone", () => {
    const v = vm();
    const running = vmiFor(v, { phase: "Running" });
    expect(planVmi(running, snapshotWith({ vms: [v] }), after(1000), cfg)).toEqual([]);
    expect(planVmi(running, snapshotWith({}), after(0), cfg)).toEqual([expect.objectContaining({ type: "delete", uid: "vmi-uid" })]);
  });

  it("reads the schedule fault from the VM", () => {
    const v = vm("Always", [rootDv], { "sim.novasphere.dev/schedule": "unschedulable" });
    const vmi = vmiFor(v, { phase: "Scheduling" });
    const [action] = planVmi(vmi, snapshotWith({ vms: [v] }), after(60_000), cfg);
    expect(action).toMatchObject({
      patch: { status: { conditions: expect.arrayContaining([expect.objectContaining({ type: "PodScheduled", reason: "Unschedulable" })]) } },
    });
  });
});
