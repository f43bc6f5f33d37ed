// The EvictionStrategy condition and status.migration's wording, from the spec and what KubeVirt v1.7.4 reports
// (pkg/virt-handler/migration-source.go sets failed and failureReason; migration-target.go completed).
import { evictionCondition, vmiMigrationStatus } from "../../../lib/status/migration";
import type { WukongSpec } from "../../../schemas/spec";

const disks = (...modes: ("ReadWriteMany" | undefined)[]) => modes.map((accessMode, i) => ({ name: `d${i}`, size: "1Gi", ...(accessMode && { accessMode }) }));

describe("the EvictionStrategy condition", () => {
  it.each<[string, Pick<WukongSpec, "evictionStrategy" | "disks">, string, string, string]>([
    ["every disk shared", { disks: disks("ReadWriteMany", "ReadWriteMany") }, "True", "EveryDiskShared", "live-migrates"],
    ["two disks not shared", { disks: disks("ReadWriteMany", undefined, undefined) }, "False", "DiskNotShared", 'disks "d1", "d2" are ReadWriteOnce'],
    ["None in the spec", { evictionStrategy: "None", disks: disks("ReadWriteMany") }, "False", "SetInSpec", "spec.evictionStrategy is None"],
    ["LiveMigrateIfPossible in the spec", { evictionStrategy: "LiveMigrateIfPossible", disks: disks(undefined) }, "True", "SetInSpec", "else stops it"],
  ])("%s", (_, spec, status, reason, phrase) => {
    const condition = evictionCondition(spec);
    expect(condition).toMatchObject({ type: "EvictionStrategy", status, reason });
    expect(condition.message).toContain(phrase);
  });
});

describe("a migration KubeVirt reports on the VMI", () => {
  it("that failed says why and that the VM stayed", () => {
    const vmi = {
      status: {
        migrationState: { migrationUid: "u", sourceNode: "a", targetNode: "b", completed: true, failed: true, failureReason: "Live migration aborted " },
      },
    };
    expect(vmiMigrationStatus(vmi)).toEqual({
      phase: "Failed",
      sourceNode: "a",
      targetNode: "b",
      message: "Migration from a to b failed: Live migration aborted; the VM keeps running where it was.",
    });
  });

  it("is none before any migration", () => {
    expect(vmiMigrationStatus({ status: { phase: "Running" } })).toBeUndefined();
  });
});
