// The RBAC `pepr build` wrote (the manifest's ClusterRole, the chart's `rbac` value) against package.json's
// `pepr.rbac` (generated from the kinds table): `npm run build` fails on any difference. Pepr's scoped mode merges
// its own rules (watch on the watched kinds, its store, CRDs) into ours; every one must already be in ours.
import { parse, parseAllDocuments } from "yaml";

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
}

/** The rules of the one ClusterRole in a multi-document manifest. */
export function clusterRoleRules(manifest: string): PolicyRule[] {
  const roles = parseAllDocuments(manifest)
    .map(document => document.toJS() as { kind?: string; rules?: PolicyRule[] } | null)
    .filter(object => object?.kind === "ClusterRole");
  if (roles.length !== 1) throw new Error(`expected one ClusterRole in the manifest, found ${roles.length}`);
  return roles[0]!.rules ?? [];
}

/** The rules the chart's ClusterRole template renders: its values' `rbac`. */
export const chartRbacRules = (values: string): PolicyRule[] => (parse(values) as { rbac?: PolicyRule[] }).rbac ?? [];

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

/** One line per group/resource whose verbs differ between what the build wrote and `expected`. */
export function rbacDifferences(built: readonly PolicyRule[], expected: readonly PolicyRule[]): string[] {
  const have = grants(built);
  const wanted = grants(expected);
  return [...new Set([...have.keys(), ...wanted.keys()])]
    .sort()
    .filter(key => have.get(key) !== wanted.get(key))
    .map(key => `${key}: built [${have.get(key) ?? ""}], package.json pepr.rbac [${wanted.get(key) ?? ""}]`);
}
