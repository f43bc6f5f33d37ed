// The module's RBAC (package.json pepr.rbac) against what its children ask of the API server. Kubernetes'
// OwnerReferencesPermissionEnforcement admission plugin (plugin/pkg/admission/gc/gc_admission.go, on by default in
// OpenShift/OKD) lets a create set `blockOwnerDeletion: true` only with `update` on the owner's `<plural>/finalizers`,
// and an update change an object's ownerReferences only with `delete` on that object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { desiredChildren } from "../../lib/children";
import type { KubernetesObject } from "../../lib/children/kubernetes-object";
import { virtualMachineSnapshot } from "../../lib/children/snapshot";
import { KINDS, type KindName } from "../../lib/cluster/kinds";
import { withDefaults } from "../../lib/defaults";
import type { WukongSpec } from "../../schemas/spec";
import { snapshotReconciler } from "../../lib/reconcile/snapshot";
import { API, API_VERSION } from "../../schemas/wukong";
import { DELETE_WITH_WUKONG_ANNOTATION, SNAPSHOT_API } from "../../schemas/wukongsnapshot";
import { MemoryCluster } from "./reconcile/memory-cluster";
import { fullSpec } from "./schemas/fixtures";

interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const rules = (JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { pepr: { rbac: RbacRule[] } }).pepr.rbac;
const granted = (group: string, resource: string, verb: string) =>
  rules.some(rule => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb));

/** Every child the operator creates, from a Wukong using every feature and one WukongSnapshot. */
function everyChild(): KubernetesObject[] {
  const owner = { namespace: "vms", name: "full", uid: "wukong-uid" };
  const spec = withDefaults({ ...owner, spec: fullSpec() as WukongSpec });
  const children = desiredChildren({ apiVersion: `${API.group}/${API.version}`, kind: API.kind, metadata: owner, spec }, {});
  return [
    ...children.networkAttachmentDefinitions,
    ...children.dataVolumes,
    ...children.persistentVolumeClaims,
    children.cloudInitSecret,
    children.virtualMachine,
    virtualMachineSnapshot({ namespace: "vms", name: "snap", uid: "snapshot-uid" }, "full"),
  ];
}

const KIND_OF_OWNER: Record<string, KindName> = { [API.kind]: "Wukong", [SNAPSHOT_API.kind]: "WukongSnapshot" };

describe("pepr.rbac under OwnerReferencesPermissionEnforcement", () => {
  const blocking = everyChild().flatMap(child => (child.metadata.ownerReferences ?? []).filter(ref => ref.blockOwnerDeletion).map(ref => ref.kind));

  it("the children block their owners' deletion (what makes the finalizers rule needed)", () => {
    expect(new Set(blocking)).toEqual(new Set([API.kind, SNAPSHOT_API.kind]));
  });

  it.each([...new Set(blocking)])("grants update on the finalizers of %s, every child's blocking owner", ownerKind => {
    const { group, plural } = KINDS[KIND_OF_OWNER[ownerKind]];
    expect(granted(group, `${plural}/finalizers`, "update")).toBe(true);
  });
});

describe("pepr.rbac for ownerReferences the operator changes on update", () => {
  it("may delete WukongSnapshots, whose opt-in ownerReference to the Wukong it patches in", async () => {
    const cluster = new MemoryCluster();
    cluster.put("Wukong", { apiVersion: API_VERSION, kind: API.kind, metadata: { name: "web", namespace: "vms", uid: "wukong-uid" }, spec: {} });
    cluster.put("WukongSnapshot", {
      apiVersion: API_VERSION,
      kind: SNAPSHOT_API.kind,
      metadata: { name: "snap", namespace: "vms", uid: "snapshot-uid", annotations: { [DELETE_WITH_WUKONG_ANNOTATION]: "true" } },
      spec: { wukongName: "web" },
    });
    await snapshotReconciler(cluster)("vms/snap");
    expect(cluster.stored("WukongSnapshot", "vms", "snap")?.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: API.kind, uid: "wukong-uid" })]);
    expect(granted(SNAPSHOT_API.group, SNAPSHOT_API.plural, "delete")).toBe(true);
  });
});

describe("pepr.rbac for discovery", () => {
  it("may read the VirtualMachineRestore CRD, whose fields decide whether restores can be made (restoreSpecFields)", () => {
    expect(granted("apiextensions.k8s.io", "customresourcedefinitions", "get")).toBe(true);
  });
});
