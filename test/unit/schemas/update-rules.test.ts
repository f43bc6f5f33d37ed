// UPDATE rules: disks only grow, identity fields stay, disks are removed only on purpose. The networks' own:
// test/unit/networks/update-rules.test.ts.
import type { WukongSpec } from "../../../schemas/spec";
import { ALLOW_DISK_REMOVAL_ANNOTATION } from "../../../schemas/wukong";
import { expectProblem, update } from "./updates";

describe("update rules", () => {
  it("admits an unchanged spec", () => {
    expect(update(() => {})).toEqual([]);
  });

  it("lets a disk grow", () => {
    expect(update(spec => (spec.disks![0].size = "120Gi"))).toEqual([]);
    expect(update(spec => (spec.disks![1].size = "0.5Ti"))).toEqual([]);
  });

  it("compares sizes by bytes, not by text", () => {
    expect(update(spec => (spec.disks![0].size = "81920Mi"))).toEqual([]); // 80Gi written differently
  });

  it("denies shrinking a disk at spec.disks[i].size", () => {
    expectProblem(
      update(spec => (spec.disks![0].size = "40Gi")),
      "spec.disks[0].size",
      "cannot shrink from 80Gi to 40Gi",
    );
    expectProblem(
      update(spec => (spec.disks![1].size = "99Gi")),
      "spec.disks[1].size",
      "cannot shrink",
    );
  });

  it("reports a shrink at the disk's new index after reordering", () => {
    const problems = update(spec => {
      spec.disks!.reverse();
      spec.disks![0].size = "10Gi"; // "data", now first
    });
    expect(problems.map(problem => problem.path)).toEqual(["spec.disks[0].size"]);
  });

  it.each([
    ["storageClassName", (spec: WukongSpec) => (spec.disks![1].storageClassName = "fast-ssd"), "spec.disks[1].storageClassName", 'was "longhorn"'],
    ["storageClassName (removed)", (spec: WukongSpec) => delete spec.disks![1].storageClassName, "spec.disks[1].storageClassName", 'was "longhorn"'],
    ["image", (spec: WukongSpec) => (spec.disks![1].image = "docker://quay.io/example/data:2"), "spec.disks[1].image", "immutable"],
    ["image (added)", (spec: WukongSpec) => (spec.disks![0].image = "docker://quay.io/example/os:1"), "spec.disks[0].image", "was unset"],
    ["boot", (spec: WukongSpec) => ((spec.disks![0].boot = false), (spec.disks![1].boot = true)), "spec.disks[1].boot", "immutable"],
    ["accessMode", (spec: WukongSpec) => (spec.disks![1].accessMode = "ReadWriteMany"), "spec.disks[1].accessMode", "immutable"],
  ])("denies changing disk %s", (_, change, path, phrase) => {
    expectProblem(update(change), path, phrase);
  });

  it("admits writing out the default access mode of an existing disk", () => {
    expect(update(spec => (spec.disks![1].accessMode = "ReadWriteOnce"))).toEqual([]);
  });

  it("denies removing a disk without the annotation, naming the disk and the annotation", () => {
    const problems = update(spec => spec.disks!.pop());
    expectProblem(problems, "spec.disks", `removing disk "data"`);
    expectProblem(problems, "spec.disks", `${ALLOW_DISK_REMOVAL_ANNOTATION}="data"`);
  });

  it("denies removing a disk when the annotation names only other disks", () => {
    expectProblem(
      update(spec => spec.disks!.pop(), { [ALLOW_DISK_REMOVAL_ANNOTATION]: "system,scratch" }),
      "spec.disks",
      `removing disk "data"`,
    );
  });

  it.each(["data", "scratch, data", " data ,system"])("admits removing a disk the annotation lists (%j)", value => {
    expect(update(spec => spec.disks!.pop(), { [ALLOW_DISK_REMOVAL_ANNOTATION]: value })).toEqual([]);
  });

  it("admits adding a network and a disk", () => {
    const problems = update(spec => {
      spec.networks!.push({ name: "backup", type: "ovs", vlanId: 300 });
      spec.disks!.push({ name: "logs", size: "10Gi" });
    });
    expect(problems).toEqual([]);
  });

  it("does not let a rename escape the rules: the old disk counts as removed", () => {
    expectProblem(
      update(spec => (spec.disks![1].name = "data2")),
      "spec.disks",
      `removing disk "data"`,
    );
  });
});
