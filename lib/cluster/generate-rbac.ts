// Writes package.json's `pepr.rbac` and the README's RBAC table from the kinds table: `npm run generate:rbac`.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { rbacReadmeTable, rbacRules, withReadmeTable } from "./rbac";

const root = join(__dirname, "..", "..");
const packagePath = join(root, "package.json");
const packageJson = JSON.parse(readFileSync(packagePath, "utf8")) as { pepr: { rbac: unknown } };
packageJson.pepr.rbac = rbacRules();
writeFileSync(packagePath, `${JSON.stringify(packageJson, null, 2)}\n`);
console.log(`wrote pepr.rbac (${rbacRules().length} rules) in ${packagePath}`);

const readmePath = join(root, "README.md");
writeFileSync(readmePath, withReadmeTable(readFileSync(readmePath, "utf8"), rbacReadmeTable()));
console.log(`wrote the RBAC table in ${readmePath}`);
