// package.json's `pepr.rbac` and the README's RBAC table, generated from the kinds table (lib/cluster/kinds.ts):
// one rule for each kind, then one for each subresource the operator writes. `npm run generate:rbac` writes
// both; a unit test fails when either is stale.
import { KINDS, type KindInfo, type KindName, type Verb } from "./kinds";

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

interface RuleWithWhy {
  group: string;
  resource: string;
  verbs: readonly Verb[];
  why: string;
}

function rulesWithWhy(): RuleWithWhy[] {
  return (Object.keys(KINDS) as KindName[]).flatMap(kind => {
    const { group, plural, verbs, why, subresources = {} } = KINDS[kind] as KindInfo;
    const subs = Object.entries(subresources).map(([sub, rule]) => ({ group, resource: `${plural}/${sub}`, ...rule }));
    return [{ group, resource: plural, verbs, why }, ...subs];
  });
}

export const rbacRules = (): RbacRule[] =>
  rulesWithWhy().map(({ group, resource, verbs }) => ({ apiGroups: [group], resources: [resource], verbs: [...verbs] }));

export const README_TABLE_START = "<!-- The RBAC table: generated from lib/cluster/kinds.ts by `npm run generate:rbac`. -->";
export const README_TABLE_END = "<!-- End of the generated RBAC table. -->";

/** The README's RBAC table, between its markers. */
export function rbacReadmeTable(): string {
  const rows = rulesWithWhy().map(({ group, resource, verbs, why }) => `| ${group || '""'} | ${resource} | ${verbs.join(", ")} | ${why} |`);
  return [README_TABLE_START, "| API group | resources | verbs | why |", "| --- | --- | --- | --- |", ...rows, README_TABLE_END].join("\n");
}

/** `readme` with its RBAC table (from the start marker to the end marker) replaced by `table`. */
export function withReadmeTable(readme: string, table: string): string {
  const start = readme.indexOf(README_TABLE_START);
  const end = readme.indexOf(README_TABLE_END);
  if (start < 0 || end < start) throw new Error("README.md has no RBAC table markers");
  return readme.slice(0, start) + table + readme.slice(end + README_TABLE_END.length);
}
