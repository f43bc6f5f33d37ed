// Disks on a StorageClass with volumeBindingMode WaitForFirstConsumer: claims that stay Pending until the VM's pod is
// scheduled are reported as WaitingForFirstConsumer, not as a silent Pending.
//
// How the cluster says so, at the versions we target:
// - imported disks: CDI v1.66.0 pkg/controller/datavolume/controller-base.go sets the DataVolume phase
//   WaitForFirstConsumer (updateStatusPVCPending, shouldBeMarkedWaitForFirstConsumer: its HonorWaitForFirstConsumer
//   gate on, the class WaitForFirstConsumer, the claim Pending) or, when a populator imports, PendingPopulation
//   (shouldBeMarkedPendingPopulation: the class WaitForFirstConsumer and no volume.kubernetes.io/selected-node);
// - blank disks: the PersistentVolumeClaim is only Pending; the StorageClass's volumeBindingMode tells why, until
//   the scheduler annotates the claim with volume.kubernetes.io/selected-node.
import { deriveStatus } from "../../../lib/status/derive";
import type { ObservedPersistentVolumeClaim } from "../../../lib/status/observed";
import { dv, NAME, NOW, provisioned, pvc, vm, wukong } from "./fixtures";

const WFFC = "WaitForFirstConsumer";
const HALTED = { startStrategy: { runStrategy: "Halted" as const } };

/** A Pending claim of class `storageClassName`, with the scheduler's selected node when given. */
const pending = (storageClassName: string, selectedNode?: string): ObservedPersistentVolumeClaim => ({
  ...(selectedNode && { metadata: { annotations: { "volume.kubernetes.io/selected-node": selectedNode } } }),
  spec: { storageClassName },
  status: { phase: "Pending" },
});

const condition = (status: ReturnType<typeof deriveStatus>, type: string) => status.conditions?.find(c => c.type === type);
const volume = (status: ReturnType<typeof deriveStatus>, name: string) => status.volumes?.find(v => v.name === name);

describe("an imported disk, as CDI v1.66.0 pkg/controller/datavolume/controller-base.go reports it", () => {
  it.each(["WaitForFirstConsumer", "PendingPopulation"])("DataVolume phase %s: the disk waits for its first consumer", phase => {
    const status = deriveStatus(
      wukong(),
      provisioned({ dataVolumes: { system: dv(phase, "N/A") }, pvcs: { system: pending("local-wffc"), data: pvc("Bound", "100Gi") } }),
      NOW,
    );
    expect(status.phase).toBe("Creating");
    expect(status.message).toBe("Disk system binds once the VM's pod is scheduled (StorageClass local-wffc: WaitForFirstConsumer).");
    expect(condition(status, "VolumesBound")).toMatchObject({ status: "False", reason: "WaitingForFirstConsumer" });
    expect(volume(status, "system")).toMatchObject({ bound: false, phase: "WaitingForFirstConsumer" });
    expect(volume(status, "data")).toMatchObject({ bound: true, phase: "Bound" });
  });

  it("DataVolume phase Pending is CDI's word even on such a class (its HonorWaitForFirstConsumer gate is off)", () => {
    const status = deriveStatus(
      wukong(),
      provisioned({
        dataVolumes: { system: dv("Pending") },
        pvcs: { system: pending("local-wffc"), data: pvc("Bound") },
        bindingModes: { "local-wffc": WFFC },
      }),
      NOW,
    );
    expect(condition(status, "VolumesBound")).toMatchObject({ reason: "ClaimPending" });
    expect(volume(status, "system")?.phase).toBe("Pending");
  });
});

describe("CDI's HonorWaitForFirstConsumer gate off (CDI v1.66.0 pkg/controller/common/util.go, AddImmediateBindingAnnotationIfWFFCDisabled)", () => {
  const immediate = (phase: string): ObservedPersistentVolumeClaim => ({
    metadata: { annotations: { "cdi.kubevirt.io/storage.bind.immediate.requested": "" } },
    spec: { storageClassName: "local-wffc" },
    status: { phase },
  });

  it("an import CDI bound for its importer pod on a WaitForFirstConsumer class is said to be so, while importing and once done", () => {
    for (const [dataVolume, claim] of [
      [dv("ImportInProgress", "10.0%"), immediate("Bound")],
      [dv("Succeeded", "100.0%"), immediate("Bound")],
    ] as const) {
      const status = deriveStatus(
        wukong(HALTED),
        provisioned({ dataVolumes: { system: dataVolume }, pvcs: { system: claim, data: pvc("Bound") }, bindingModes: { "local-wffc": WFFC } }),
        NOW,
      );
      expect(condition(status, "VolumesBound")?.message).toContain(
        "CDI's HonorWaitForFirstConsumer feature gate is off: disk system binds where CDI's importer pod runs, not at the VM's first start",
      );
    }
  });

  it("says nothing on an Immediate class, nor for a claim without the annotation", () => {
    for (const [claim, mode] of [
      [immediate("Bound"), "Immediate"],
      [pvc("Bound"), WFFC],
    ] as const) {
      const status = deriveStatus(
        wukong(HALTED),
        provisioned({ dataVolumes: { system: dv("Succeeded", "100.0%") }, pvcs: { system: claim, data: pvc("Bound") }, bindingModes: { "local-wffc": mode } }),
        NOW,
      );
      expect(condition(status, "VolumesBound")?.message).not.toContain("HonorWaitForFirstConsumer");
    }
  });
});

describe("a blank disk: a Pending claim and its StorageClass's volumeBindingMode", () => {
  it("is waiting for its first consumer while no node is selected", () => {
    const status = deriveStatus(wukong(), provisioned({ pvcs: { system: pvc("Bound"), data: pending("fast") }, bindingModes: { fast: WFFC } }), NOW);
    expect(status.message).toBe("Disk data binds once the VM's pod is scheduled (StorageClass fast: WaitForFirstConsumer).");
    expect(condition(status, "VolumesBound")).toMatchObject({ status: "False", reason: "WaitingForFirstConsumer" });
    expect(volume(status, "data")?.phase).toBe("WaitingForFirstConsumer");
  });

  it("is a plain Pending claim once the scheduler selected a node, or on an Immediate class", () => {
    for (const [claim, mode] of [
      [pending("fast", "sim-node-1"), WFFC],
      [pending("fast"), "Immediate"],
    ] as const) {
      const status = deriveStatus(wukong(), provisioned({ pvcs: { system: pvc("Bound"), data: claim }, bindingModes: { fast: mode } }), NOW);
      expect(condition(status, "VolumesBound")).toMatchObject({ reason: "ClaimPending" });
      expect(volume(status, "data")?.phase).toBe("Pending");
    }
  });

  it("takes the class from the claim: the API server filled in the default one when the disk named none", () => {
    const status = deriveStatus(
      wukong({ disks: [{ name: "scratch", size: "5Gi", boot: false }] }),
      provisioned({ dataVolumes: {}, pvcs: { scratch: pending("local-path") }, bindingModes: { "local-path": WFFC } }),
      NOW,
    );
    expect(status.message).toBe("Disk scratch binds once the VM's pod is scheduled (StorageClass local-path: WaitForFirstConsumer).");
  });
});

describe("a Halted Wukong on such storage", () => {
  it("is Stopped and says its disks bind when the VM starts", () => {
    const status = deriveStatus(
      wukong(HALTED),
      provisioned({
        dataVolumes: { system: dv("PendingPopulation", "N/A") },
        pvcs: { system: pending("local-wffc"), data: pending("fast") },
        bindingModes: { "local-wffc": WFFC, fast: WFFC },
        virtualMachine: vm("Stopped"),
      }),
      NOW,
    );
    expect(status.phase).toBe("Stopped");
    expect(status.message).toBe(
      `VM ${NAME} is stopped (runStrategy Halted). Disks system and data bind when the VM starts (StorageClass local-wffc, fast: WaitForFirstConsumer).`,
    );
    expect(condition(status, "Ready")).toMatchObject({ status: "False", reason: "Stopped" });
    expect(condition(status, "VolumesBound")).toMatchObject({
      status: "False",
      reason: "WaitingForFirstConsumer",
      message: "Disks system and data bind when the VM starts (StorageClass local-wffc, fast: WaitForFirstConsumer).",
    });
    expect(status.volumes?.map(v => v.phase)).toEqual(["WaitingForFirstConsumer", "WaitingForFirstConsumer"]);
  });

  it("on Immediate storage says nothing about first consumers", () => {
    const status = deriveStatus(wukong(HALTED), provisioned({ virtualMachine: vm("Stopped") }), NOW);
    expect(status.message).toBe(`VM ${NAME} is stopped (runStrategy Halted).`);
  });
});

describe("among other disks", () => {
  it("a disk still importing or failing is reported first", () => {
    const importing = deriveStatus(
      wukong(),
      provisioned({
        dataVolumes: { system: dv("ImportInProgress", "10.0%") },
        pvcs: { system: pvc("Bound"), data: pending("fast") },
        bindingModes: { fast: WFFC },
      }),
      NOW,
    );
    expect(condition(importing, "VolumesBound")).toMatchObject({ reason: "ImportInProgress" });
    expect(volume(importing, "data")?.phase).toBe("WaitingForFirstConsumer");

    const failed = deriveStatus(
      wukong(HALTED),
      provisioned({
        dataVolumes: { system: dv("Failed") },
        pvcs: { system: pvc("Bound"), data: pending("fast") },
        bindingModes: { fast: WFFC },
        virtualMachine: vm("Stopped"),
      }),
      NOW,
    );
    expect(failed.phase).toBe("Error");
    expect(condition(failed, "VolumesBound")).toMatchObject({ reason: "ImportFailed" });
  });
});
