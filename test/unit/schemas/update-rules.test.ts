// UPDATE rules: disks only grow, identity fields stay, disks are removed only on purpose.
import { withDefaults } from "../../../lib/defaults";
import { formatProblems, type Problem } from "../../../schemas/problems";
import type { WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import { ALLOW_DISK_REMOVAL_ANNOTATION } from "../../../schemas/wukong";
import { SEED_NAME, SEED_NAMESPACE, clone, seedSpec } from "./fixtures";

const defaulted = (spec: WukongSpec, oldSpec?: WukongSpec) => withDefaults({ namespace: SEED_NAMESPACE, name: SEED_NAME, spec, oldSpec });

/** The stored spec: the seed plus a data disk and a second network on an existing NAD, defaulted as admission stores it. */
function storedSpec(): WukongSpec {
  const spec = seedSpec() as WukongSpec;
  spec.disks!.push({ name: "data", size: "100Gi", storageClassName: "longhorn", image: "docker://quay.io/example/data:1" });
  spec.networks!.push({ name: "legacy", type: "bridge", nadName: "existing-net" });
  return defaulted(spec);
}

/** Runs an UPDATE the way admission does: the edited stored spec is defaulted against the old one, then validated. */
function update(change: (spec: WukongSpec) => void, annotations?: Record<string, string>): Problem[] {
  const oldSpec = storedSpec();
  const edited = clone(oldSpec);
  change(edited);
  return validateWukong({ name: SEED_NAME, spec: defaulted(edited, oldSpec), oldSpec, annotations });
}

const expectProblem = (problems: Problem[], path: string, phrase: string) => {
  const messages = problems.filter(problem => problem.path === path).map(problem => problem.message);
  if (messages.length === 0) throw new Error(`no problem at ${path}; got: ${formatProblems(problems) || "none"}`);
  expect(messages.join(" | ")).toContain(phrase);
};

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
  ])("denies changing disk %s", (_, change, path, phrase) => {
    expectProblem(update(change), path, phrase);
  });

  it.each([
    ["type", (spec: WukongSpec) => (spec.networks![0].type = "ovs"), "spec.networks[0].type", 'was "bridge"'],
    ["bridgeName", (spec: WukongSpec) => (spec.networks![0].bridgeName = "br1"), "spec.networks[0].bridgeName", 'was "br0"'],
    ["vlanId", (spec: WukongSpec) => (spec.networks![0].vlanId = 101), "spec.networks[0].vlanId", "was 100"],
    ["vlanId (removed)", (spec: WukongSpec) => delete spec.networks![0].vlanId, "spec.networks[0].vlanId", "was 100"],
    ["nadName", (spec: WukongSpec) => (spec.networks![1].nadName = "other-net"), "spec.networks[1].nadName", 'was "existing-net"'],
    ["macAddress", (spec: WukongSpec) => (spec.networks![0].macAddress = "02:00:00:00:00:99"), "spec.networks[0].macAddress", "immutable"],
  ])("denies changing network %s", (_, change, path, phrase) => {
    expectProblem(update(change), path, phrase);
  });

  it("treats an upper-case spelling of the same MAC as no change", () => {
    expect(update(spec => (spec.networks![0].macAddress = spec.networks![0].macAddress!.toUpperCase()))).toEqual([]);
  });

  it("lets ipConfig change (it is not part of the NIC's identity)", () => {
    expect(update(spec => (spec.networks![0].ipConfig = { mode: "static", address: "192.168.100.20/24", gateway: "192.168.100.1" }))).toEqual([]);
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

  it("admits removing a network (its NIC goes away; nothing stored is lost)", () => {
    expect(update(spec => spec.networks!.pop())).toEqual([]);
  });

  it("does not let a rename escape the rules: the old disk counts as removed", () => {
    expectProblem(
      update(spec => (spec.disks![1].name = "data2")),
      "spec.disks",
      `removing disk "data"`,
    );
  });
});
