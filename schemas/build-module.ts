// `npm run build`: `pepr build`, failing when it did (it exits 0 and leaves the last manifest in place when its
// tsc or esbuild step fails), then ships every schemas/*.crd.yaml with the module:
//  - dist/pepr-module-<uuid>.yaml gets them first, so `kubectl apply -f` creates the CRDs before anything else.
//  - dist/<uuid>-chart/crds/ gets them: helm installs crds/ before the templates and never upgrades or deletes
//    them, so `helm uninstall` keeps every Wukong, and the watcher upgrades an older CRD (capabilities/crd.ts).
// It also fails when the manifest's ClusterRole or the chart's `rbac` value is not exactly package.json's `pepr.rbac`
// (schemas/manifest-rbac.ts).
// Arguments are passed on to `pepr build`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import packageJson from "../package.json";
import { chartRbacRules, clusterRoleRules, rbacDifferences } from "./manifest-rbac";

const root = join(__dirname, "..");
const schemas = join(root, "schemas");
const dist = join(root, "dist");
const manifest = join(dist, `pepr-module-${packageJson.pepr.uuid}.yaml`);
const chart = join(dist, `${packageJson.pepr.uuid}-chart`);
const chartCrds = join(chart, "crds");

const started = Date.now();
const build = spawnSync("npx", ["--no-install", "pepr", "build", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
if (build.status !== 0 || !existsSync(manifest) || statSync(manifest).mtimeMs < started) {
  console.error(`npm run build: pepr build failed (exit ${build.status}, ${manifest} not rewritten): see its output above`);
  process.exit(1);
}

const built = {
  [manifest]: clusterRoleRules(readFileSync(manifest, "utf8")),
  [join(chart, "values.yaml")]: chartRbacRules(readFileSync(join(chart, "values.yaml"), "utf8")),
};
for (const [file, rules] of Object.entries(built)) {
  const differences = rbacDifferences(rules, packageJson.pepr.rbac);
  if (differences.length === 0) continue;
  console.error(`npm run build: the RBAC in ${file} is not package.json's pepr.rbac:\n${differences.join("\n")}`);
  process.exit(1);
}

const files = readdirSync(schemas)
  .filter(name => name.endsWith(".crd.yaml"))
  .sort();
const crds = files.map(file => ({ file, text: readFileSync(join(schemas, file), "utf8") }));
const names = new Set(crds.map(({ text }) => (parse(text) as { metadata: { name: string } }).metadata.name));

// Pepr's documents are kept byte for byte; a `---` line at column 0 only ever separates documents in them.
const isShippedCrd = (document: string): boolean => {
  const object = parse(document) as { kind?: string; metadata?: { name?: string } } | null;
  return object?.kind === "CustomResourceDefinition" && names.has(object.metadata?.name ?? "");
};
const others = readFileSync(manifest, "utf8")
  .split(/^---\n/m)
  .filter(document => !isShippedCrd(document));
writeFileSync(manifest, [...crds.map(({ text }) => text), ...others].join("---\n"));

rmSync(chartCrds, { recursive: true, force: true });
mkdirSync(chartCrds, { recursive: true });
for (const { file, text } of crds) writeFileSync(join(chartCrds, file), text);
console.log(`shipped ${files.join(", ")} in ${manifest} and ${chartCrds}/`);
