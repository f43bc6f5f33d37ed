// VirtualMachine: run strategy, HA placement and SSH key injection.
import { desiredChildren } from "../../../lib/children";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongMetadata } from "../../../schemas/wukong";
import { vmTemplateSpec, wukong } from "./fixtures";

const vmOf = (spec: Omit<WukongSpec, "cpu" | "memory">, metadata: Partial<WukongMetadata> = {}) =>
  desiredChildren(wukong("vm", { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "1Gi" }], ...spec }, metadata), {}).virtualMachine;
const vmSpec = (vm: ReturnType<typeof vmOf>) => vm.spec as Record<string, unknown>;

describe("run strategy", () => {
  it("a stopped Wukong is Halted, never `running`", () => {
    const spec = vmSpec(vmOf({ startStrategy: { runStrategy: "Halted" } }));
    expect(spec.runStrategy).toBe("Halted");
    expect(spec).not.toHaveProperty("running");
  });

  it.each([
    [{}, "Always"],
    [{ startStrategy: { autoStart: false } }, "Halted"],
    [{ highAvailability: { restartPolicy: "OnFailure" } }, "RerunOnFailure"],
    [{ highAvailability: { restartPolicy: "Never" } }, "Once"],
    [{ startStrategy: { runStrategy: "Manual" }, highAvailability: { restartPolicy: "Always" } }, "Manual"],
  ] as const)("without a defaulted runStrategy, %j runs %s (the admission default)", (spec, expected) => {
    expect(vmSpec(vmOf(spec)).runStrategy).toBe(expected);
  });
});

describe("HA placement", () => {
  const highAvailability: NonNullable<WukongSpec["highAvailability"]> = {
    antiAffinity: true,
    nodeSelector: { "node-role.kubernetes.io/edge": "", "topology.kubernetes.io/zone": "site-a" },
    tolerations: [
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
      { key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" },
    ],
  };

  it("passes nodeSelector and tolerations (tolerationSeconds included) and prefers spreading the HA group", () => {
    const vm = vmOf({ highAvailability: structuredClone(highAvailability) }, { labels: { "vm.novasphere.dev/ha-group": "routers" } });
    const template = (vm.spec as { template: { metadata: { labels: unknown } } }).template;
    expect(template.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "wukong",
      "vm.novasphere.dev/wukong": "vm",
      "vm.novasphere.dev/ha-group": "routers",
    });
    const spec = vmTemplateSpec(vm);
    expect(spec.nodeSelector).toEqual({ "node-role.kubernetes.io/edge": "", "topology.kubernetes.io/zone": "site-a" });
    expect(spec.tolerations).toEqual([
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 },
      { key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" },
    ]);
    expect(spec.affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { "app.kubernetes.io/managed-by": "wukong", "vm.novasphere.dev/ha-group": "routers" } },
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    });
  });

  it("a Wukong without the ha-group label is in the group `default`", () => {
    const vm = vmOf({ highAvailability: { antiAffinity: true } });
    expect((vm.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels["vm.novasphere.dev/ha-group"]).toBe("default");
    expect(JSON.stringify(vmTemplateSpec(vm).affinity)).toContain('"vm.novasphere.dev/ha-group":"default"');
  });

  it("without antiAffinity: no affinity and no ha-group label, even if the Wukong has one", () => {
    const vm = vmOf({ highAvailability: { nodeSelector: { a: "b" } } }, { labels: { "vm.novasphere.dev/ha-group": "routers" } });
    expect(vmTemplateSpec(vm)).not.toHaveProperty("affinity");
    expect(vmTemplateSpec(vm)).not.toHaveProperty("tolerations");
    expect((vm.spec as { template: { metadata: { labels: unknown } } }).template.metadata.labels).toEqual({
      "app.kubernetes.io/managed-by": "wukong",
      "vm.novasphere.dev/wukong": "vm",
    });
  });

  it("copies placement rather than sharing the Wukong's objects", () => {
    const spec = { highAvailability: structuredClone(highAvailability) };
    const built = vmTemplateSpec(vmOf(spec)) as { tolerations: unknown[]; nodeSelector: unknown };
    expect(built.tolerations[0]).not.toBe(spec.highAvailability.tolerations?.[0]);
    expect(built.nodeSelector).not.toBe(spec.highAvailability.nodeSelector);
  });
});

describe("SSH keys", () => {
  it("injects sshKeySecret through accessCredentials with noCloud propagation", () => {
    expect(vmTemplateSpec(vmOf({ sshKeySecret: "admin-keys" })).accessCredentials).toEqual([
      { sshPublicKey: { source: { secret: { secretName: "admin-keys" } }, propagationMethod: { noCloud: {} } } },
    ]);
  });

  it("has no accessCredentials without sshKeySecret", () => {
    expect(vmTemplateSpec(vmOf({}))).not.toHaveProperty("accessCredentials");
  });
});

describe("errors", () => {
  it("refuses a Wukong without uid (an ownerReference needs one)", () => {
    const noUid = wukong("vm", { cpu: 1, memory: "1Gi" }, { uid: undefined });
    expect(() => desiredChildren(noUid, {})).toThrow(/metadata.uid/);
  });
});
