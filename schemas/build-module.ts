// `npm run build`: `pepr build`, failing when it did (it exits 0 and leaves the last manifest in place when its
// tsc or esbuild step fails), then ships every schemas/*.crd.yaml with the module:
//  - dist/pepr-module-<uuid>.yaml gets them first, so `kubectl apply -f` creates the CRDs before anything else.
//  - dist/<uuid>-chart/crds/ gets them: helm installs crds/ before the templates and never upgrades or deletes
//    them, so `helm uninstall` keeps every Wukong, and the watcher upgrades an older CRD (capabilities/crd.ts).
// It also fails when the manifest's ClusterRole is not exactly package.json's `pepr.rbac` (schemas/manifest-rbac.ts).
// Arguments are passed on to `pepr build`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import packageJson from "../package.json";
import { clusterRoleDifferences } from "./manifest-rbac";

const root = join(__dirname, "..");
const schemas = join(root, "schemas");
const dist = join(root, "dist");
const manifest = join(dist, `pepr-module-${packageJson.pepr.uuid}.yaml`);
const chartCrds = join(dist, `${packageJson.pepr.uuid}-chart`, "crds");

const started = Date.now();
const build = spawnSync("npx", ["--no-install", "pepr", "build", ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
if (build.status !== 0 || !existsSync(manifest) || statSync(manifest).mtimeMs < started) {
  console.error(`npm run build: pepr build failed (exit ${build.status}, ${manifest} not rewritten): see its output above`);
  process.exit(1);
}

const rbacDifferences = clusterRoleDifferences(readFileSync(manifest, "utf8"), packageJson.pepr.rbac);
if (rbacDifferences.length > 0) {
  console.error(`npm run build: the manifest's ClusterRole is not package.json's pepr.rbac:\n${rbacDifferences.join("\n")}`);
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
