// Writes package.json's `pepr.rbac` from the kinds table: `npm run generate:rbac`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rbacRules } from "./rbac";

const target = join(__dirname, "..", "..", "package.json");
const packageJson = JSON.parse(readFileSync(target, "utf8")) as { pepr: { rbac: unknown } };
packageJson.pepr.rbac = rbacRules();
writeFileSync(target, `${JSON.stringify(packageJson, null, 2)}\n`);
console.log(`wrote pepr.rbac (${rbacRules().length} rules) in ${target}`);
