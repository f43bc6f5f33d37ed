// Admission of the hot-plug headroom: maxCpu/maxMemory below cpu/memory, and what virt-api v1.7.4 would deny in
// the VM (pkg/liveupdate/memory/memory.go ValidateLiveUpdateMemory: 1Gi minimum, 2Mi blocks), each at our path.
import { validateWukong } from "../../../schemas/validate";
import { itDenies, seedWith } from "./denial-cases";
import { SEED_NAME } from "./fixtures";

describe("spec.limits admission", () => {
  itDenies([
    {
      what: "maxCpu below cpu",
      spec: seedWith(s => ((s.cpu = 4), (s.limits = { maxCpu: 2 }))),
      path: "spec.limits.maxCpu",
      phrase: "must be at least cpu: 2 is below cpu 4",
    },
    {
      what: "maxMemory below memory",
      spec: seedWith(s => ((s.memory = "8Gi"), (s.limits = { maxMemory: "4Gi" }))),
      path: "spec.limits.maxMemory",
      phrase: "must be at least memory: 4Gi is below memory 8Gi",
    },
    {
      what: "maxMemory off the 2Mi block",
      spec: seedWith(s => (s.limits = { maxMemory: "9217Mi" })),
      path: "spec.limits.maxMemory",
      phrase: "multiple of 2Mi",
    },
    { what: "maxMemory under 1Gi", spec: seedWith(s => (s.limits = { maxMemory: "512Mi" })), path: "spec.limits.maxMemory", phrase: "at least 1Gi" },
    {
      what: "memory under 1Gi with maxMemory",
      spec: seedWith(s => ((s.memory = "512Mi"), (s.limits = { maxMemory: "2Gi" }))),
      path: "spec.memory",
      phrase: "KubeVirt hot-plugs memory only from 1Gi",
    },
    {
      what: "memory off the 2Mi block with maxMemory",
      spec: seedWith(s => ((s.memory = "1025Mi"), (s.limits = { maxMemory: "2Gi" }))),
      path: "spec.memory",
      phrase: "multiple of 2Mi",
    },
    {
      what: "restartWhenRequired not a boolean",
      spec: seedWith(s => (s.updates = { restartWhenRequired: "yes" })),
      path: "spec.updates.restartWhenRequired",
      phrase: "must be a boolean",
    },
    {
      what: "an unknown updates field",
      spec: seedWith(s => (s.updates = { restartPolicy: "Always" })),
      path: "spec.updates",
      phrase: 'unknown field "restartPolicy"',
    },
  ]);

  it("reports every headroom problem in one denial", () => {
    const spec = seedWith(s => ((s.cpu = 8), (s.memory = "8Gi"), (s.limits = { maxCpu: 4, maxMemory: "4Gi" })));
    const paths = validateWukong({ name: SEED_NAME, spec }).map(problem => problem.path);
    expect(paths).toEqual(expect.arrayContaining(["spec.limits.maxCpu", "spec.limits.maxMemory"]));
  });

  it("admits headroom at or above the size, and no headroom at all", () => {
    for (const limits of [{ maxCpu: 4, maxMemory: "8Gi" }, { maxCpu: 16, maxMemory: "32Gi" }, {}, undefined]) {
      const spec = seedWith(s => ((s.cpu = 4), (s.memory = "8Gi"), (s.limits = limits), (s.updates = { restartWhenRequired: true })));
      expect(validateWukong({ name: SEED_NAME, spec })).toEqual([]);
    }
  });
});
