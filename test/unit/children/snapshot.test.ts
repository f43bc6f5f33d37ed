// The snapshot and restore children: what they say, and that the API server would accept them as built.
import { disksMismatch, virtualMachineRestore, virtualMachineRestoreName, virtualMachineSnapshot } from "../../../lib/children/snapshot";
import { strictProblems } from "./strict-schema";

const snapshotOwner = { name: "before-upgrade", namespace: "vms", uid: "snapshot-uid" };
const wukongOwner = { name: "web", namespace: "vms", uid: "wukong-uid" };

describe("VirtualMachineSnapshot and VirtualMachineRestore pass the upstream KubeVirt v1.7 schemas", () => {
  it.each([
    ["VirtualMachineSnapshot", virtualMachineSnapshot(snapshotOwner, "web")],
    ["VirtualMachineRestore", virtualMachineRestore(wukongOwner, "before-upgrade", "before-upgrade", ["system", "data"])],
  ])("%s", (_, object) => {
    expect(strictProblems(object)).toEqual([]);
  });

  it("the checker does reject an unknown field in them", () => {
    const restore = virtualMachineRestore(wukongOwner, "s", "s", ["system"]);
    (restore.spec as Record<string, unknown>).bogus = true;
    expect(strictProblems(restore)).toEqual([expect.stringContaining("(bogus)")]);
  });
});

describe("restore names", () => {
  it("are <wukong>-<snapshot>, with a digest when that would be longer than 253 characters", () => {
    expect(virtualMachineRestoreName("web", "before-upgrade")).toBe("web-before-upgrade");
    const long = virtualMachineRestoreName("web", "s".repeat(252));
    expect(long).toMatch(/^web-[0-9a-f]{16}$/);
    expect(virtualMachineRestoreName("web", "s".repeat(252))).toBe(long);
  });
});

describe("a snapshot of another Wukong", () => {
  const snapshot = (wukongName: string, disks?: string[]) => ({ metadata: { name: "snap" }, spec: { wukongName }, status: { disks } });

  it("restores into a Wukong with the same disks, in any order", () => {
    expect(disksMismatch("web", ["data", "system"], snapshot("old-web", ["system", "data"]))).toBeUndefined();
  });

  it("is refused when the disks differ, naming both sets", () => {
    expect(disksMismatch("web", ["system"], snapshot("old-web", ["system", "data"]))).toEqual({
      reason: "DisksMismatch",
      message: "WukongSnapshot snap is of Wukong old-web, whose disks [system, data] do not match this Wukong's [system]",
    });
  });

  it("of the Wukong itself is never refused for its disks (they may have grown or been added since)", () => {
    expect(disksMismatch("web", ["system", "extra"], snapshot("web", ["system"]))).toBeUndefined();
  });
});

describe("the VirtualMachineSnapshot's deletion policy (kubevirt v1.7.4 pkg/storage/snapshot/snapshot.go, deleteContentPolicy)", () => {
  // KubeVirt deletes the content only when deletionPolicy is unset or exactly "Delete"; the content has no
  // ownerReference and owns the VolumeSnapshots, so any other spelling leaves all of them behind for good.
  it('is exactly "Delete", so the content and its VolumeSnapshots go with the snapshot', () => {
    const spec = virtualMachineSnapshot(snapshotOwner, "web").spec as { deletionPolicy?: string };
    expect(spec.deletionPolicy === undefined || spec.deletionPolicy === "Delete").toBe(true);
    expect(spec.deletionPolicy).toBe("Delete");
  });
});
