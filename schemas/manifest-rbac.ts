// The ClusterRole `pepr build` wrote into the manifest against package.json's `pepr.rbac` (generated from the
// kinds table): `npm run build` fails on any difference. Pepr's scoped mode merges its own rules (watch on the
// watched kinds, its store, CRDs) into ours; every one must already be in ours.
import { parseAllDocuments } from "yaml";

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

/** "group resource" → sorted verbs, one entry per group and resource a rule names. */
function grants(rules: readonly PolicyRule[]): Map<string, string> {
  const granted = new Map<string, Set<string>>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? []) {
        const key = `${group || '""'} ${resource}`;
        granted.set(key, new Set([...(granted.get(key) ?? []), ...rule.verbs]));
      }
  return new Map([...granted].map(([key, verbs]) => [key, [...verbs].sort().join(",")]));
}

/** One line per group/resource whose verbs differ between the manifest's ClusterRole and `expected`. */
export function clusterRoleDifferences(manifest: string, expected: readonly PolicyRule[]): string[] {
  const roles = parseAllDocuments(manifest)
    .map(document => document.toJS() as { kind?: string; rules?: PolicyRule[] } | null)
    .filter(object => object?.kind === "ClusterRole");
  if (roles.length !== 1) return [`expected one ClusterRole in the manifest, found ${roles.length}`];
  const built = grants(roles[0]!.rules ?? []);
  const wanted = grants(expected);
  return [...new Set([...built.keys(), ...wanted.keys()])]
    .sort()
    .filter(key => built.get(key) !== wanted.get(key))
    .map(key => `${key}: manifest [${built.get(key) ?? ""}], package.json pepr.rbac [${wanted.get(key) ?? ""}]`);
}
