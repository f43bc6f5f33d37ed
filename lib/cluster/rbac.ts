// package.json's `pepr.rbac`, generated from the kinds table (lib/cluster/kinds.ts): one rule for each kind, then
// one for each subresource the operator writes. `npm run generate:rbac` writes it; a unit test fails when stale.
import { KINDS, type KindInfo, type KindName } from "./kinds";

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

export function rbacRules(): RbacRule[] {
  return (Object.keys(KINDS) as KindName[]).flatMap(kind => {
    const { group, plural, verbs, subresources = {} } = KINDS[kind] as KindInfo;
    const own = { apiGroups: [group], resources: [plural], verbs: [...verbs] };
    const subs = Object.entries(subresources).map(([sub, subVerbs]) => ({ apiGroups: [group], resources: [`${plural}/${sub}`], verbs: [...subVerbs] }));
    return [own, ...subs];
  });
}
