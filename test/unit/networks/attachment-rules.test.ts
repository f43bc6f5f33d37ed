// The pod network entry `- name: default`, physicalInterface and primary —
// what is admitted, how it is defaulted, what is denied and with which field path.
import { withDefaults } from "../../../lib/defaults";
import { formatProblems } from "../../../schemas/problems";
import type { WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import type { WukongSpecInput } from "../../../schemas/wukong";

const base: WukongSpecInput = { cpu: 1, memory: "1Gi", osImage: "docker://quay.io/containerdisks/cirros:0.6" };
const problemsOf = (spec: WukongSpecInput) => formatProblems(validateWukong({ name: "vm", spec }));
const defaulted = (spec: WukongSpecInput, oldSpec?: WukongSpec) => withDefaults({ namespace: "vms", name: "vm", spec: spec as WukongSpec, oldSpec });
/** As admission sees it: defaulted by the mutating webhook, then validated. */
const admitted = (spec: WukongSpecInput) => problemsOf(defaulted(spec));

describe("the pod network entry `- name: default`", () => {
  it("is admitted without a type and stored as podNetwork: true", () => {
    const spec: WukongSpecInput = { ...base, networks: [{ name: "default" }, { name: "lan", type: "bridge" }] };
    expect(admitted(spec)).toBe("");
    const stored = defaulted(spec);
    expect(stored.podNetwork).toBe(true);
    expect(stored.networks?.map(n => n.name)).toEqual(["lan"]);
    expect(defaulted({ ...base, networks: [{ name: "default" }] }).networks).toBeUndefined();
    expect(defaulted(stored)).toEqual(stored);
  });

  it("is denied with podNetwork: false, with other fields, and any other network still needs a type", () => {
    expect(admitted({ ...base, podNetwork: false, networks: [{ name: "default" }] })).toContain(
      'spec.networks[0]: the pod network entry "default" contradicts podNetwork: false',
    );
    expect(admitted({ ...base, networks: [{ name: "default", vlanId: 5 }] })).toContain('the pod network entry "default" takes no other field (got vlanId');
    expect(problemsOf({ ...base, networks: [{ name: "lan" }] })).toContain(
      'spec.networks[0].type: is required (only the pod network entry "default" has no type)',
    );
  });
});

describe("physicalInterface", () => {
  const selected: WukongSpecInput = { ...base, highAvailability: { nodeSelector: { "node-role.kubernetes.io/worker": "" } } };

  it("is admitted on bridge and ovs networks", () => {
    expect(
      admitted({
        ...selected,
        networks: [
          { name: "a", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1" },
          { name: "b", type: "ovs", bridgeName: "br-b", physicalInterface: "ens1f0.100" },
          { name: "c", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1", vlanId: 7 },
        ],
      }),
    ).toBe("");
  });

  it("must be a Linux interface name on a bridge or ovs network without nadName, one NIC per bridge", () => {
    const problems = admitted({
      ...base,
      networks: [
        { name: "a", type: "bridge", physicalInterface: "eth-far-too-long0" },
        { name: "b", type: "bridge", physicalInterface: "eth 1" },
        { name: "c", type: "sriov", resourceName: "intel.com/vf", physicalInterface: "eth2" },
        { name: "d", type: "bridge", nadName: "lan", physicalInterface: "eth3" },
        { name: "e", type: "bridge", bridgeName: "br-x", physicalInterface: "eth4" },
        { name: "f", type: "bridge", bridgeName: "br-x", physicalInterface: "eth5" },
      ],
    });
    expect(problems).toContain("spec.networks[0].physicalInterface: must be at most 15 characters (a Linux interface name)");
    expect(problems).toContain("spec.networks[1].physicalInterface: must be a Linux interface name");
    expect(problems).toContain("spec.networks[2].physicalInterface: applies only to bridge and ovs networks");
    expect(problems).toContain("spec.networks[3].physicalInterface: cannot be combined with nadName");
    expect(problems).toContain("spec.networks[5].physicalInterface: eth5 differs from eth4, which spec.networks[4] already puts on bridge br-x");
  });

  // kubernetes-nmstate v0.86.0 controllers/handler/nodenetworkconfigurationpolicy_controller.go: nmpolicy's
  // GenerateState fails on a node whose capture finds no NIC ("Failed to find index 0 from interfaces"), and the
  // policy goes Degraded for every Wukong on the bridge. The policy targets the nodeSelector's nodes only.
  it("requires a nodeSelector naming the nodes that have the NIC; a Wukong stored before the rule may still change", () => {
    const networks: WukongSpecInput["networks"] = [
      { name: "lan", type: "bridge" },
      { name: "a", type: "bridge", bridgeName: "br-a", physicalInterface: "eth1" },
    ];
    const denial =
      "spec.highAvailability.nodeSelector: is required with spec.networks[1].physicalInterface: NMState builds the bridge on every node it selects, and a node without eth1 fails the whole policy; select the nodes that have eth1";
    expect(admitted({ ...base, networks })).toContain(denial);
    expect(admitted({ ...base, networks, highAvailability: { nodeSelector: {} } })).toContain(denial);
    expect(admitted({ ...selected, networks })).toBe("");
    expect(admitted({ ...base, networks: [{ name: "lan", type: "bridge" }] })).toBe("");
    const stored = defaulted({ ...base, networks });
    expect(formatProblems(validateWukong({ name: "vm", spec: { ...stored, cpu: 2 }, oldSpec: stored }))).toBe("");
    const storedSelected = defaulted({ ...selected, networks });
    expect(formatProblems(validateWukong({ name: "vm", spec: { ...storedSelected, highAvailability: {} }, oldSpec: storedSelected }))).toContain(denial);
  });

  it("is immutable", () => {
    const old = defaulted({ ...selected, networks: [{ name: "a", type: "bridge", physicalInterface: "eth1" }] });
    const next = { ...old, networks: [{ ...old.networks![0], physicalInterface: "eth2" }] };
    expect(formatProblems(validateWukong({ name: "vm", spec: next, oldSpec: old }))).toContain('spec.networks[0].physicalInterface: is immutable (was "eth1")');
  });
});

describe("primary", () => {
  it("replaces the pod network: podNetwork defaults to false, and follows primary on update while it was derived", () => {
    const spec = defaulted({ ...base, networks: [{ name: "lan", type: "bridge", primary: true }] });
    expect(spec.podNetwork).toBe(false);
    expect(problemsOf(spec)).toBe("");
    const withoutPrimary = defaulted({ ...spec, networks: [{ ...spec.networks![0], primary: false }] }, spec);
    expect(withoutPrimary.podNetwork).toBe(true);
    const plain = defaulted(base);
    expect(defaulted({ ...plain, networks: [{ name: "lan", type: "bridge", primary: true }] }, plain).podNetwork).toBe(false);
  });

  it("is at most one, and excludes podNetwork: true and the pod network entry", () => {
    const problems = admitted({
      ...base,
      podNetwork: true,
      networks: [
        { name: "a", type: "bridge", primary: true },
        { name: "b", type: "bridge", primary: true },
      ],
    });
    expect(problems).toContain("spec.networks[1].primary: spec.networks[0] is already the primary network");
    expect(problems).toContain("spec.podNetwork: true contradicts spec.networks[0].primary");
    expect(admitted({ ...base, networks: [{ name: "default" }, { name: "a", type: "bridge", primary: true }] })).toContain(
      "spec.networks[0]: the pod network entry contradicts spec.networks[1].primary",
    );
  });
});
