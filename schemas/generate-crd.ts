// Writes schemas/wukong.crd.yaml from the zod schema: `npm run generate:crd`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { crdYaml } from "./crd-yaml";

const target = join(__dirname, "wukong.crd.yaml");
writeFileSync(target, crdYaml());
console.log(`wrote ${target}`);
