// Writes schemas/wukong.crd.yaml, schemas/wukongsnapshot.crd.yaml and docs/api-reference.md from the zod schema: `npm run generate:crd`.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { apiReference } from "./api-reference";
import { crdYaml, snapshotCrdYaml } from "./crd-yaml";

const outputs: [string, string][] = [
  [join(__dirname, "wukong.crd.yaml"), crdYaml()],
  [join(__dirname, "wukongsnapshot.crd.yaml"), snapshotCrdYaml()],
  [join(__dirname, "..", "docs", "api-reference.md"), apiReference()],
];
for (const [target, text] of outputs) {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  console.log(`wrote ${target}`);
}
