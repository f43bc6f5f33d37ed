// Every built object must pass the API server's strict field validation: checked here against the upstream CRDs of
// the newest releases (KubeVirt v1.7.4, CDI v1.66.0, Multus v4.3.0) and of the oldest supported ones (KubeVirt
// v1.1.0, CDI v1.57.0, Multus v4.0.0: test/fixtures/crds/oldest), and the core/v1 models, unknown fields rejected.
// A field an older release does not know would be pruned there: lost, and rewritten on every reconcile.
import { desiredChildren } from "../../../lib/children";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import type { Wukong } from "../../../schemas/wukong";
import { FIXTURE_WUKONGS } from "./fixture-wukongs";
import { wukong } from "./fixtures";
import { CRD_SETS, strictProblems, type CrdSet } from "./strict-schema";

const everything = FIXTURE_WUKONGS;

function allChildren(owner: Wukong): KubernetesObject[] {
  const children = desiredChildren(owner, { defaultStorageClass: "standard" });
  return [
    ...children.networkAttachmentDefinitions,
    ...children.dataVolumes,
    ...children.persistentVolumeClaims,
    children.cloudInitSecret,
    children.virtualMachine,
  ];
}

const cases = Object.entries(everything).flatMap(([title, owner]) =>
  allChildren(owner).map(object => [`${title}: ${object.kind} ${object.metadata.name}`, object] as const),
);

describe.each(Object.keys(CRD_SETS) as CrdSet[])("built objects pass strict validation against the %s upstream schemas", set => {
  it("covers every kind", () => {
    expect(new Set(cases.map(([, object]) => object.kind))).toEqual(
      new Set(["NetworkAttachmentDefinition", "DataVolume", "PersistentVolumeClaim", "Secret", "VirtualMachine"]),
    );
  });

  it.each(cases)("%s", (_title, object) => {
    expect(strictProblems(object, set)).toEqual([]);
  });
});

describe("the checker rejects what the API server would", () => {
  const [seedVm, seedNad, seedSecret, seedPvc] = (() => {
    const children = desiredChildren(everything.seed, {});
    return [children.virtualMachine, children.networkAttachmentDefinitions[0], children.cloudInitSecret, children.persistentVolumeClaims[0]];
  })();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into arbitrary upstream fields
  const edit = (object: KubernetesObject, change: (copy: any) => void, set: CrdSet = "newest") => {
    const copy = structuredClone(object);
    change(copy);
    return strictProblems(copy, set);
  };

  it("an unknown field deep in the VM template", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.cpu.bogus = 1))).toEqual([expect.stringContaining("(bogus)")]);
  });

  it("an unknown field in an empty-object binding (masquerade: {})", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.devices.interfaces[0].masquerade = { x: true }))).toEqual([expect.stringContaining("(x)")]);
  });

  it("a wrong type and a missing required field", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.cpu.cores = "4"))).not.toEqual([]);
    expect(edit(seedVm, vm => delete vm.spec.template.spec.volumes[0].persistentVolumeClaim.claimName)).not.toEqual([]);
  });

  it("a field newer than the oldest supported KubeVirt (updateVolumesStrategy, v1.3.0) only against the newest set", () => {
    const problems = (set: CrdSet) => edit(seedVm, vm => (vm.spec.updateVolumesStrategy = "Replacement"), set);
    expect(problems("newest")).toEqual([]);
    expect(problems("oldest")).toEqual([expect.stringContaining("(updateVolumesStrategy)")]);
  });

  it("ssh keys by noCloud pass the oldest set: propagationMethod.noCloud is there from KubeVirt v1.1.0", () => {
    const keyed = desiredChildren(wukong("keyed", { cpu: 1, memory: "1Gi", sshKeySecret: "keys" }), {});
    expect(keyed.virtualMachine.spec).toMatchObject({ template: { spec: { accessCredentials: [{ sshPublicKey: { propagationMethod: { noCloud: {} } } }] } } });
    expect(strictProblems(keyed.virtualMachine, "oldest")).toEqual([]);
  });

  it("NAD spec fields other than config, and unknown metadata", () => {
    expect(edit(seedNad, nad => (nad.spec.ipam = {}))).toEqual([expect.stringContaining("(ipam)")]);
    expect(edit(seedNad, nad => (nad.metadata.owner = "x"))).toEqual(['/metadata: unknown field "owner"']);
  });

  it("unknown fields in core objects", () => {
    expect(edit(seedSecret, secret => (secret.stringdata = {}))).toEqual([': unknown field "stringdata"']);
    expect(edit(seedPvc, pvc => (pvc.spec.resources.request = {}))).toEqual(['/spec/resources: unknown field "request"']);
  });
});
