// GPUs: what is admitted and what is denied, with which field path.
import { withDefaults } from "../../../lib/defaults";
import { formatProblems } from "../../../schemas/problems";
import type { WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import type { WukongSpecInput } from "../../../schemas/wukong";

const base: WukongSpecInput = { cpu: 1, memory: "1Gi", osImage: "docker://quay.io/containerdisks/cirros:0.6" };
/** As admission sees it: defaulted by the mutating webhook, then validated. */
const admitted = (spec: WukongSpecInput) =>
  formatProblems(validateWukong({ name: "vm", spec: withDefaults({ namespace: "vms", name: "vm", spec: spec as WukongSpec }) }));

describe("gpus", () => {
  it("takes unique DNS-label names and qualified resource names", () => {
    expect(
      admitted({
        ...base,
        gpus: [
          { name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" },
          { name: "gpu2", deviceName: "nvidia.com/gpu" },
        ],
      }),
    ).toBe("");
    const problems = admitted({
      ...base,
      gpus: [
        { name: "gpu", deviceName: "gpu" },
        { name: "gpu", deviceName: "nvidia.com/" },
        { name: "GPU_1", deviceName: "nvidia.com/gpu" },
      ],
    });
    expect(problems).toContain("spec.gpus[0].deviceName: must be a qualified resource name with a domain prefix, such as nvidia.com/gpu");
    expect(problems).toContain("spec.gpus[1].deviceName: must be a qualified resource name");
    expect(problems).toContain('spec.gpus[1].name: duplicates spec.gpus[0].name "gpu"');
    expect(problems).toContain("spec.gpus[2].name: GPU name must be a DNS-1123 label");
  });
});
