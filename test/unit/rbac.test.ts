// The module's RBAC (package.json pepr.rbac): generated from the kinds table, in the built manifest as generated, and
// enough for what its children ask of the API server. Kubernetes'
// OwnerReferencesPermissionEnforcement admission plugin (plugin/pkg/admission/gc/gc_admission.go, on by default in
// OpenShift/OKD) lets a create set `blockOwnerDeletion: true` only with `update` on the owner's `<plural>/finalizers`,
// and an update change an object's ownerReferences only with `delete` on that object.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { desiredChildren } from "../../lib/children";
import type { KubernetesObject } from "../../lib/children/kubernetes-object";
import { virtualMachineSnapshot } from "../../lib/children/snapshot";
import { KINDS, type KindName } from "../../lib/cluster/kinds";
import { rbacReadmeTable, rbacRules, README_TABLE_END, README_TABLE_START } from "../../lib/cluster/rbac";
import { withDefaults } from "../../lib/defaults";
import type { WukongSpec } from "../../schemas/spec";
import { snapshotReconciler } from "../../lib/reconcile/snapshot";
import { chartRbacRules, clusterRoleRules, rbacDifferences } from "../../schemas/manifest-rbac";
import { API, API_VERSION } from "../../schemas/wukong";
import { DELETE_WITH_WUKONG_ANNOTATION, SNAPSHOT_API } from "../../schemas/wukongsnapshot";
import { MemoryCluster } from "./reconcile/memory-cluster";
import { fullSpec } from "./schemas/fixtures";
import { stringify } from "yaml";

interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

const rules = (JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8")) as { pepr: { rbac: RbacRule[] } }).pepr.rbac;
const granted = (group: string, resource: string, verb: string) =>
  rules.some(rule => rule.apiGroups.includes(group) && rule.resources.includes(resource) && rule.verbs.includes(verb));

describe("pepr.rbac", () => {
  it("is what the kinds table generates (run `npm run generate:rbac` after changing lib/cluster/kinds.ts)", () => {
    expect(rules).toEqual(rbacRules());
  });

  it("and the README's RBAC table are what the kinds table generates", () => {
    const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
    const table = readme.slice(readme.indexOf(README_TABLE_START), readme.indexOf(README_TABLE_END) + README_TABLE_END.length);
    expect(table).toEqual(rbacReadmeTable());
    expect(table.split("\n").filter(line => line.startsWith("| ") && !line.startsWith("| API group") && !line.startsWith("| ---"))).toHaveLength(rules.length);
  });

  it("lists each group and resource once, with no wildcard", () => {
    const keys = rules.flatMap(rule => rule.apiGroups.flatMap(group => rule.resources.map(resource => `${group} ${resource}`)));
    expect(new Set(keys).size).toBe(keys.length);
    expect(rules.filter(rule => [...rule.apiGroups, ...rule.resources, ...rule.verbs].includes("*"))).toEqual([]);
  });
});

// pepr build's scoped ClusterRole (node_modules/pepr/src/lib/assets/rbac.ts, clusterRole(), at 1.1.4): our rules
// first, then its own from the bindings (createRBACMap in src/lib/helpers.ts), verbs merged per group/resource.
const PEPR_OWN_RULES = [
  { apiGroups: ["pepr.dev"], resources: ["peprstores"], verbs: ["create", "get", "patch", "watch"] },
  { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["patch", "create"] },
  { apiGroups: [API.group], resources: [API.plural], verbs: ["watch"] },
];
const manifest = (clusterRoleRules: RbacRule[]) =>
  [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "pepr-wukong", namespace: "pepr-system" } },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "pepr-wukong" }, rules: clusterRoleRules },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "pepr-wukong-store" },
      rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
    },
  ]
    .map(document => stringify(document))
    .join("---\n");

describe("the RBAC pepr build writes (checked by npm run build)", () => {
  it("reads the manifest's one ClusterRole, and the chart's rbac value", () => {
    expect(clusterRoleRules(manifest(rules))).toEqual(rules);
    expect(chartRbacRules(stringify({ imagePullSecrets: [], rbac: rules }))).toEqual(rules);
    expect(() => clusterRoleRules(stringify({ kind: "Role", rules }))).toThrow("expected one ClusterRole in the manifest, found 0");
  });

  it("passes when it is pepr.rbac with Pepr's own rules merged in", () => {
    expect(rbacDifferences([...rules, ...PEPR_OWN_RULES], rules)).toEqual([]);
  });

  it("names each group and resource whose verbs differ, or that one side lacks", () => {
    const widened = [...rules.slice(1), { ...rules[0], verbs: [...rules[0].verbs, "delete"] }, { apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }];
    expect(rbacDifferences(widened, rules)).toEqual([
      `"" configmaps: built [get], package.json pepr.rbac []`,
      `${API.group} ${API.plural}: built [delete,get,list,patch,watch], package.json pepr.rbac [get,list,patch,watch]`,
    ]);
    expect(rbacDifferences(rules.slice(1), rules)).toEqual([`${API.group} ${API.plural}: built [], package.json pepr.rbac [get,list,patch,watch]`]);
  });
});

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
