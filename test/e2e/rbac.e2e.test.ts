// Deployed mode only: the module's ServiceAccount may do exactly what package.json's `pepr.rbac` lists, no more
// and no less. The whole suite running under that ServiceAccount proves the list is enough; this proves it is
// no wider (a wildcard or an extra verb fails) and that the list documents what is granted.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createNamespace, deleteNamespace, kubectlOk } from "./support/kube";
import { REPO } from "./support/stack";

const MODULE_SA = "system:serviceaccount:pepr-system:pepr-wukong";

interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** `kubectl auth can-i --list` rows (it has no -o json), keyed by resource, or by URL for non-resource rows. */
async function canIList(user: string, namespace: string): Promise<Map<string, string>> {
  const text = await kubectlOk(["auth", "can-i", "--list", `--as=${user}`, "-n", namespace]);
  const [header, ...rows] = text.split("\n").filter(line => line.trim() !== "");
  const column = (title: string) => header.indexOf(title);
  const [urls, names, verbs] = [column("Non-Resource URLs"), column("Resource Names"), column("Verbs")];
  const granted = new Map<string, string>();
  for (const row of rows) {
    const resource = row.slice(0, urls).trim();
    const url = row.slice(urls, names).trim();
    const resourceNames = row.slice(names, verbs).trim();
    const key = resource ? `${resource} ${resourceNames}` : `url ${url}`;
    granted.set(key, [granted.get(key), row.slice(verbs).trim()].filter(Boolean).join(" "));
  }
  return granted;
}

/** package.json's rules as can-i prints them: `<resource>[.<group>][/<subresource>] []` → sorted verbs. */
function documentedRules(): Map<string, string> {
  const rules = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).pepr.rbac as RbacRule[];
  const expected = new Map<string, string>();
  for (const rule of rules)
    for (const group of rule.apiGroups)
      for (const resource of rule.resources) {
        const [plural, sub] = resource.split("/");
        const name = `${plural}${group ? `.${group}` : ""}${sub ? `/${sub}` : ""}`;
        expected.set(`${name} []`, `[${rule.verbs.join(" ")}]`);
      }
  return expected;
}

const sortVerbs = (verbs: string) => verbs.replace(/[[\]]/g, "").split(/\s+/).filter(Boolean).sort().join(",");

let ns: string;
beforeAll(async () => {
  ns = await createNamespace("rbac");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("the module's ServiceAccount", () => {
  test("can do exactly what pepr.rbac lists, beyond what every ServiceAccount can", async () => {
    // A ServiceAccount with no bindings shows what any authenticated user gets (discovery, self reviews).
    await kubectlOk(["create", "serviceaccount", "nobody", "-n", ns]);
    const baseline = await canIList(`system:serviceaccount:${ns}:nobody`, ns);
    const granted = await canIList(MODULE_SA, ns);
    const extra = new Map([...granted].filter(([key, verbs]) => baseline.get(key) !== verbs));

    // A rule every authenticated user already has cannot show beyond the baseline: CDI's install binds its
    // cdi.kubevirt.io:config-reader ClusterRole (cdiconfigs, storageprofiles) to system:authenticated
    // (../shared/upstream/cdi-v1.66.0/install.yaml).
    const coveredByBaseline = (key: string, verbs: string) =>
      sortVerbs(verbs)
        .split(",")
        .every(verb =>
          sortVerbs(baseline.get(key) ?? "")
            .split(",")
            .includes(verb),
        );
    const documented = new Map([...documentedRules()].filter(([key, verbs]) => !coveredByBaseline(key, verbs)));
    const normalise = (rules: Map<string, string>) => Object.fromEntries([...rules].map(([key, verbs]) => [key, sortVerbs(verbs)]).sort());
    expect(normalise(extra)).toEqual(normalise(documented));
  });

  test("its generated ClusterRole has no wildcard in apiGroups, resources or verbs", async () => {
    const role = JSON.parse(await kubectlOk(["get", "clusterrole", "pepr-wukong", "-o", "json"])) as { rules: RbacRule[] };
    expect(role.rules.length).toBeGreaterThan(0);
    const wildcards = role.rules.filter(rule => [...rule.apiGroups, ...rule.resources, ...rule.verbs].some(value => value.includes("*")));
    expect(wildcards).toEqual([]);
  });
});
