import { deriveStatus } from "../../../lib/status/derive";
import type { ObservedChildren } from "../../../lib/status/observed";
import type { WukongSpec } from "../../../schemas/spec";
import { stableMac } from "../../../lib/networks/mac";
import { cond, dv, EARLIER, IMAGE, NAME, NAMESPACE, NOW, observed, provisioned, pvc, running, vm, vmi, wukong } from "./fixtures";

type Expect = [status: string, reason: string];

interface Row {
  title: string;
  children: ObservedChildren;
  spec?: Partial<WukongSpec>;
  phase: string;
  message: string;
  ready: Expect;
  networks: Expect;
  volumes: Expect;
  /** Absent when no restart is needed. */
  restart?: Expect;
}

const rows: Row[] = [
  {
    title: "nothing created",
    children: observed(),
    phase: "Pending",
    message: "Accepted; no child resources exist yet.",
    ready: ["False", "Starting"],
    networks: ["False", "NetworkAttachmentMissing"],
    volumes: ["False", "VolumeMissing"],
  },
  {
    title: "generated NAD not created yet",
    children: provisioned({
      nads: [
        { name: `${NAME}-mgmt`, exists: false },
        { name: "shared-storage", exists: true },
      ],
    }),
    phase: "Creating",
    message: `Waiting for NetworkAttachmentDefinition ${NAME}-mgmt to be created.`,
    ready: ["False", "Starting"],
    networks: ["False", "NetworkAttachmentMissing"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "user NAD missing",
    children: provisioned({
      nads: [
        { name: `${NAME}-mgmt`, exists: true },
        { name: "shared-storage", exists: false },
      ],
    }),
    phase: "Error",
    message: "NetworkAttachmentDefinition shared-storage (network storage) does not exist.",
    ready: ["False", "NetworkAttachmentMissing"],
    networks: ["False", "NetworkAttachmentMissing"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "DataVolume ImportInProgress 45.3%",
    children: provisioned({
      dataVolumes: { system: dv("ImportInProgress", "45.3%", [cond("Running", "True", "Pod is running")]) },
      pvcs: { system: pvc("Bound", "21Gi"), data: pvc("Bound", "100Gi") },
      virtualMachine: vm("Provisioning"),
    }),
    phase: "Creating",
    message: "Waiting for disk system to import (45.3%).",
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ImportInProgress"],
  },
  {
    title: "DataVolume Failed",
    children: provisioned({
      dataVolumes: {
        system: dv("Failed", "N/A", [
          cond("Running", "False", "Error", "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found\n"),
        ]),
      },
      virtualMachine: vm("DataVolumeError"),
    }),
    phase: "Error",
    message: `Disk system: import from ${IMAGE} failed: Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found.`,
    ready: ["False", "ImportFailed"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ImportFailed"],
  },
  {
    title: "DataVolume retrying a failed importer pod (phase still ImportInProgress)",
    children: provisioned({
      dataVolumes: { system: dv("ImportInProgress", "N/A", [cond("Running", "False", "CrashLoopBackOff", "back-off restarting failed container")]) },
      virtualMachine: vm("Provisioning"),
    }),
    phase: "Error",
    message: `Disk system: import from ${IMAGE} failed: back-off restarting failed container.`,
    ready: ["False", "ImportFailed"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ImportFailed"],
  },
  {
    // kubevirt v1.7.4 pkg/virt-controller/watch/vm/vm.go: ErrorPvcNotFound comes from the VMI's Synchronized condition
    // (isVirtualMachineStatusPvcNotFound), which it sets while CDI has not created the DataVolume's claim yet.
    title: "VM ErrorPvcNotFound while a DataVolume's claim is still to come: waiting, not an error",
    children: provisioned({
      dataVolumes: { system: dv("Pending", "N/A") },
      pvcs: { data: pvc("Bound", "100Gi") },
      virtualMachine: vm("ErrorPvcNotFound"),
      virtualMachineInstance: vmi("Pending"),
    }),
    phase: "Creating",
    message: `Waiting for claim ${NAME}-system of disk system to be bound (Pending).`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ClaimPending"],
  },
  {
    // The same when virt-controller's cache has not yet seen a claim the operator just made (the seed's blank disk).
    title: "VM ErrorPvcNotFound with every disk bound: still a wait",
    children: provisioned({ virtualMachine: vm("ErrorPvcNotFound"), virtualMachineInstance: vmi("Pending") }),
    phase: "Creating",
    message: `VM ${NAME} is waiting for virt-controller to find its claims (ErrorPvcNotFound).`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    // k8s v1.36.3 pkg/scheduler/framework/plugins/volumebinding/volume_binding.go (PreFilter): a launcher pod whose
    // claim is not bound yet is Unschedulable "pod has unbound immediate PersistentVolumeClaims" until it binds;
    // virt-controller mirrors it (VMI PodScheduled, VM ErrorUnschedulable). The claim binding is a wait.
    title: "VM ErrorUnschedulable only because a claim is not bound yet: waiting",
    children: provisioned({
      pvcs: { system: pvc("Bound", "21Gi"), data: pvc("Pending") },
      virtualMachine: vm("ErrorUnschedulable"),
      virtualMachineInstance: vmi("Scheduling", {
        conditions: [
          cond(
            "PodScheduled",
            "False",
            "Unschedulable",
            "0/2 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
          ),
        ],
      }),
    }),
    phase: "Creating",
    message: `Waiting for claim ${NAME}-data of disk data to be bound.`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ClaimPending"],
  },
  {
    // vm.go isVirtualMachineStatusUnschedulable: the VM's ErrorUnschedulable is copied from the VMI's PodScheduled;
    // a VMI already scheduled (its condition gone) means the VM's status has not caught up yet.
    title: "VM still ErrorUnschedulable, its VMI already Scheduled: starting",
    children: provisioned({ virtualMachine: vm("ErrorUnschedulable"), virtualMachineInstance: vmi("Scheduled", { nodeName: "sim-node-2" }) }),
    phase: "Creating",
    message: `VM ${NAME} is starting on node sim-node-2.`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    // vm.go isVirtualMachineStatusStopped: with no VMI yet, a VM is "Stopped" until virt-controller expects a start,
    // which under runStrategy Always it creates next.
    title: "VM printableStatus Stopped under runStrategy Always, no VMI yet: starting",
    children: provisioned({ virtualMachine: vm("Stopped") }),
    phase: "Creating",
    message: `VM ${NAME} is starting.`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "PVC Pending, StorageClass missing",
    children: provisioned({
      pvcs: { system: pvc("Bound", "21Gi"), data: pvc("Pending") },
      childErrors: [{ kind: "StorageClass", name: "fast", reason: "NotFound", message: 'storageclasses.storage.k8s.io "fast" not found' }],
      virtualMachine: vm("WaitingForVolumeBinding"),
    }),
    phase: "Error",
    message: "StorageClass fast does not exist.",
    ready: ["False", "StorageClassMissing"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "StorageClassMissing"],
  },
  {
    title: "blank PVC Pending",
    children: provisioned({ pvcs: { system: pvc("Bound", "21Gi"), data: pvc("Pending") }, virtualMachine: vm("WaitingForVolumeBinding") }),
    phase: "Creating",
    message: `Waiting for claim ${NAME}-data of disk data to be bound.`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["False", "ClaimPending"],
  },
  {
    title: "all bound, VMI Scheduling",
    children: provisioned({ virtualMachine: vm("Starting"), virtualMachineInstance: vmi("Scheduling") }),
    phase: "Creating",
    message: `VM ${NAME} is being scheduled (Scheduling).`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VMI Scheduled on a node",
    children: provisioned({ virtualMachineInstance: vmi("Scheduled", { nodeName: "sim-node-2" }) }),
    phase: "Creating",
    message: `VM ${NAME} is starting on node sim-node-2.`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VMI Running",
    children: running(),
    phase: "Running",
    message: `VM ${NAME} is running on node sim-node-1.`,
    ready: ["True", "VirtualMachineRunning"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "runStrategy Halted",
    spec: { startStrategy: { runStrategy: "Halted" } },
    children: provisioned({ virtualMachine: vm("Stopped") }),
    phase: "Stopped",
    message: `VM ${NAME} is stopped (runStrategy Halted).`,
    ready: ["False", "Stopped"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "autoStart false (runStrategy not defaulted) while the VMI shuts down",
    spec: { startStrategy: { autoStart: false } },
    children: running(),
    phase: "Stopped",
    message: `VM ${NAME} is stopping (runStrategy Halted).`,
    ready: ["False", "Stopping"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "runStrategy Manual, never started",
    spec: { startStrategy: { runStrategy: "Manual" } },
    children: provisioned({ virtualMachine: vm("Stopped") }),
    phase: "Stopped",
    message: `VM ${NAME} is stopped (runStrategy Manual).`,
    ready: ["False", "Stopped"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "runStrategy Once, guest shut down",
    spec: { startStrategy: { runStrategy: "Once" } },
    children: provisioned({ virtualMachine: vm("Stopped"), virtualMachineInstance: vmi("Succeeded") }),
    phase: "Stopped",
    message: `VM ${NAME} is stopped (runStrategy Once).`,
    ready: ["False", "Stopped"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    // Seen on the real virt-controller: the VM still carries the Failure condition of the moment its claim was not
    // there yet; the scheduler's reason is what the user needs.
    title: "printableStatus ErrorUnschedulable, with a stale Failure condition beside it",
    children: provisioned({
      virtualMachine: vm("ErrorUnschedulable", [
        cond("Failure", "True", "FailedPvcNotFound", `PVC ns/${NAME}-system does not exist, waiting for it to appear`),
      ]),
      virtualMachineInstance: vmi("Scheduling", {
        conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 Insufficient memory.")],
      }),
    }),
    phase: "Error",
    message: `VM ${NAME} cannot be scheduled (ErrorUnschedulable): 0/3 nodes are available: 3 Insufficient memory.`,
    ready: ["False", "ErrorUnschedulable"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VMI PodScheduled False before the VM reports it",
    children: provisioned({
      virtualMachineInstance: vmi("Scheduling", {
        conditions: [cond("PodScheduled", "False", "Unschedulable", "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.")],
      }),
    }),
    phase: "Error",
    message: `VM ${NAME} cannot be scheduled: 0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.`,
    ready: ["False", "ErrorUnschedulable"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "printableStatus CrashLoopBackOff",
    children: provisioned({ virtualMachine: vm("CrashLoopBackOff") }),
    phase: "Error",
    message: `VM ${NAME} keeps failing to start (CrashLoopBackOff).`,
    ready: ["False", "CrashLoopBackOff"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VM Failure condition (VMI creation rejected)",
    children: provisioned({
      virtualMachine: vm("Stopped", [
        cond("Failure", "True", "FailedCreate", 'admission webhook "virtualmachineinstances-create-validator" denied the request'),
      ]),
    }),
    phase: "Error",
    message: `VM ${NAME} failed to start: admission webhook "virtualmachineinstances-create-validator" denied the request.`,
    ready: ["False", "FailedCreate"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VMI Failed under runStrategy Once",
    spec: { startStrategy: { runStrategy: "Once" } },
    children: provisioned({ virtualMachine: vm("Stopped"), virtualMachineInstance: vmi("Failed", { reason: "guest panicked" }) }),
    phase: "Error",
    message: `VM ${NAME} failed and runStrategy Once does not restart it: guest panicked.`,
    ready: ["False", "VirtualMachineFailed"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VMI Failed under runStrategy Always (KubeVirt restarts it)",
    children: provisioned({ virtualMachine: vm("Starting"), virtualMachineInstance: vmi("Failed") }),
    phase: "Creating",
    message: `VM ${NAME} is starting (Starting).`,
    ready: ["False", "Starting"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "VM rejected by the API server",
    children: provisioned({
      virtualMachine: undefined,
      childErrors: [
        { kind: "VirtualMachine", name: NAME, reason: "Invalid", message: "spec.template.spec.domain.devices.interfaces[1].macAddress: Invalid value" },
      ],
    }),
    phase: "Error",
    message: `VirtualMachine ${NAME}: spec.template.spec.domain.devices.interfaces[1].macAddress: Invalid value.`,
    ready: ["False", "VirtualMachineInvalid"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "sshKeySecret missing",
    children: provisioned({ childErrors: [{ kind: "Secret", name: "ops-keys", reason: "NotFound", message: 'secrets "ops-keys" not found' }] }),
    phase: "Error",
    message: "Secret ops-keys does not exist.",
    ready: ["False", "SecretMissing"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
  },
  {
    title: "running VM needing a restart",
    children: running({
      virtualMachine: vm("Running", [cond("Ready", "True"), cond("RestartRequired", "True", "", "a non-live-updatable field was changed")]),
    }),
    phase: "Running",
    message: `VM ${NAME} is running on node sim-node-1; restart it to apply the latest spec changes.`,
    ready: ["True", "VirtualMachineRunning"],
    networks: ["True", "NetworksReady"],
    volumes: ["True", "VolumesReady"],
    restart: ["True", "VirtualMachineSpecChanged"],
  },
];

describe("deriveStatus: child states → phase, message, conditions", () => {
  it.each(rows)("$title", ({ spec, children, phase, message, ready, networks, volumes, restart }) => {
    const status = deriveStatus(wukong(spec), children, NOW);
    expect(status.phase).toBe(phase);
    expect(status.message).toBe(message);
    const summary = Object.fromEntries((status.conditions ?? []).map(c => [c.type, [c.status, c.reason]]));
    // The fixture's disks are ReadWriteOnce, so a drain stops the VM (lib/status/migration.ts, evictionCondition).
    expect(summary).toEqual({
      Ready: ready,
      NetworksConfigured: networks,
      VolumesBound: volumes,
      ...(restart && { RestartRequired: restart }),
      EvictionStrategy: ["False", "DiskNotShared"],
    });
    for (const condition of status.conditions ?? []) {
      expect(condition.reason).toMatch(/^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$/);
      expect(condition.observedGeneration).toBe(3);
      expect(condition.lastTransitionTime).toBe(NOW);
    }
    expect(status.observedGeneration).toBe(3);
    // cloud-init credentials never leak into status
    expect(JSON.stringify(status)).not.toMatch(/hunter2|s3cr3t/);
  });
});

describe("deriveStatus: networks, volumes and VM fields", () => {
  it("reports a running VM: spec networks in order then pod, IPs without prefix, VMI MACs lower-cased", () => {
    const status = deriveStatus(wukong(), running(), NOW);
    expect(status.networks).toEqual([
      { name: "mgmt", interface: "enp2s0", ipAddress: "192.168.100.10", macAddress: "02:aa:bb:00:00:02", nadName: `${NAME}-mgmt`, state: "Plugged" },
      {
        name: "storage",
        macAddress: "02:aa:bb:00:00:03",
        nadName: "shared-storage",
        state: "Pending",
        message: "KubeVirt is hot-plugging this NIC (a live migration to a pod attached to its network).",
      },
      { name: "pod", interface: "enp1s0", ipAddress: "10.244.1.17", macAddress: "02:5e:11:22:33:44", state: "Plugged" },
    ]);
    expect(status.volumes).toEqual([
      { name: "system", pvcName: `${NAME}-system`, bound: true, phase: "Bound", size: "21Gi" },
      { name: "data", pvcName: `${NAME}-data`, bound: true, phase: "Bound", size: "100Gi" },
    ]);
    expect(status).toMatchObject({ vmName: NAME, nodeName: "sim-node-1", restartRequired: false });
  });

  it("before the VM runs: spec and stable MACs, no addresses, no vmName or nodeName, undefined never written", () => {
    const status = deriveStatus(wukong({ networks: [{ name: "mgmt", type: "bridge" }] }), observed(), NOW);
    expect(status.networks).toEqual([
      { name: "mgmt", macAddress: stableMac(NAMESPACE, NAME, "mgmt"), nadName: `${NAME}-mgmt` },
      { name: "pod", macAddress: stableMac(NAMESPACE, NAME, "pod") },
    ]);
    expect(status.volumes).toEqual([
      { name: "system", pvcName: `${NAME}-system`, bound: false, phase: "Pending" },
      { name: "data", pvcName: `${NAME}-data`, bound: false, phase: "Pending" },
    ]);
    expect(Object.keys(status)).not.toEqual(expect.arrayContaining(["vmName"]));
    expect(Object.keys(status)).not.toEqual(expect.arrayContaining(["nodeName"]));
    expect(JSON.stringify(status)).toBe(JSON.stringify(JSON.parse(JSON.stringify(status))));
    const hasUndefined = (value: unknown): boolean =>
      value === undefined || (typeof value === "object" && value !== null && Object.values(value).some(hasUndefined));
    expect(hasUndefined(status)).toBe(false);
  });

  it("a disk whose claim is Bound but whose import has not Succeeded is not bound", () => {
    const status = deriveStatus(wukong(), provisioned({ dataVolumes: { system: dv("ImportInProgress", "99.0%") } }), NOW);
    expect(status.volumes?.[0]).toEqual({ name: "system", pvcName: `${NAME}-system`, bound: false, phase: "Importing", size: "21Gi" });
  });

  it("a Succeeded import ignores a failure left over from an earlier attempt", () => {
    const children = running({ dataVolumes: { system: dv("Succeeded", "100.0%", [cond("Running", "False", "Error", "connection reset")]) } });
    expect(deriveStatus(wukong(), children, NOW).phase).toBe("Running");
  });

  it("the boot disk without an image imports spec.osImage", () => {
    const spec = { osImage: "docker://quay.io/containerdisks/ubuntu:22.04", disks: [{ name: "system", size: "20Gi", boot: true }] };
    const status = deriveStatus(wukong(spec), provisioned({ dataVolumes: {}, pvcs: { system: pvc("Bound") } }), NOW);
    expect(status.message).toBe(`Waiting for DataVolume ${NAME}-system to be created.`);
  });

  it("without podNetwork there is no pod entry", () => {
    const status = deriveStatus(wukong({ podNetwork: false }), running(), NOW);
    expect(status.networks?.map(n => n.name)).toEqual(["mgmt", "storage"]);
  });

  it("credentials and query tokens in an image URL stay out of the message", () => {
    const image = "https://user:pa55word@images.example/disk.qcow2?X-Amz-Signature=abc123";
    const spec = { disks: [{ name: "system", size: "20Gi", boot: true, image }] };
    const children = provisioned({ dataVolumes: { system: dv("Failed", "N/A", [cond("Running", "False", "Error", "403 Forbidden")]) } });
    const status = deriveStatus(wukong(spec), children, NOW);
    expect(status.message).toBe("Disk system: import from https://images.example/disk.qcow2 failed: 403 Forbidden.");
  });

  it("long child messages are cut to keep the status line readable", () => {
    const children = provisioned({ childErrors: [{ kind: "DataVolume", name: `${NAME}-system`, reason: "Invalid", message: "x".repeat(1000) }] });
    const status = deriveStatus(wukong(), children, NOW);
    expect(status.message!.length).toBeLessThan(320);
    expect(status.conditions?.find(c => c.type === "VolumesBound")?.reason).toBe("DataVolumeInvalid");
  });
});

describe("deriveStatus: lastTransitionTime", () => {
  const importing = (progress: string) => provisioned({ dataVolumes: { system: dv("ImportInProgress", progress) }, virtualMachine: vm("Provisioning") });

  it("is kept when the status stays the same, even with a new reason and message", () => {
    const first = deriveStatus(wukong(), provisioned({ dataVolumes: { system: dv("Pending") }, virtualMachine: vm("Provisioning") }), EARLIER);
    const volumesBefore = first.conditions?.find(c => c.type === "VolumesBound");
    expect(volumesBefore).toMatchObject({ status: "False", reason: "ClaimPending" });

    const next = deriveStatus(wukong({}, first), importing("12.0%"), NOW);
    const volumesAfter = next.conditions?.find(c => c.type === "VolumesBound");
    expect(volumesAfter).toMatchObject({
      status: "False",
      reason: "ImportInProgress",
      message: "Waiting for disk system to import (12.0%).",
      lastTransitionTime: EARLIER,
    });
  });

  it("moves to now when the status flips", () => {
    const first = deriveStatus(wukong(), importing("99.0%"), EARLIER);
    const next = deriveStatus(wukong({}, first), provisioned({ virtualMachineInstance: vmi("Scheduling") }), NOW);
    expect(next.conditions?.find(c => c.type === "VolumesBound")).toMatchObject({ status: "True", lastTransitionTime: NOW });
    expect(next.conditions?.find(c => c.type === "NetworksConfigured")).toMatchObject({ status: "True", lastTransitionTime: EARLIER });
    expect(next.conditions?.find(c => c.type === "Ready")).toMatchObject({ status: "False", reason: "Starting", lastTransitionTime: EARLIER });
  });

  it("recovers from Error to Running", () => {
    const crashing = deriveStatus(wukong(), provisioned({ virtualMachine: vm("CrashLoopBackOff") }), EARLIER);
    expect(crashing.phase).toBe("Error");
    const recovered = deriveStatus(wukong({}, crashing), running(), NOW);
    expect(recovered.phase).toBe("Running");
    expect(recovered.message).toBe(`VM ${NAME} is running on node sim-node-1.`);
    expect(recovered.conditions?.find(c => c.type === "Ready")).toMatchObject({ status: "True", reason: "VirtualMachineRunning", lastTransitionTime: NOW });
    expect(recovered.conditions?.find(c => c.type === "VolumesBound")).toMatchObject({ status: "True", lastTransitionTime: EARLIER });
  });

  it("observedGeneration follows metadata.generation", () => {
    const w = wukong();
    w.metadata!.generation = 7;
    const status = deriveStatus(w, running(), NOW);
    expect(status.observedGeneration).toBe(7);
    expect(status.conditions?.every(c => c.observedGeneration === 7)).toBe(true);
  });
});
