// Writes schemas/<file>.crd.yaml for every shipped CRD and docs/api-reference.md from the zod schemas:
// `npm run generate:crd`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { apiReference } from "./api-reference";
import { crdYaml } from "./crd-yaml";
import { shippedCrds } from "./crds";

const outputs: [string, string][] = [
  ...shippedCrds().map(({ file, crd }): [string, string] => [join(__dirname, file), crdYaml(crd)]),
  [join(__dirname, "..", "docs", "api-reference.md"), apiReference()],
];
for (const [target, text] of outputs) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
