// The committed CRD file's exact text, shared by the generator and the test that guards it.
import { stringify } from "yaml";
import { wukongCrd } from "./crd";

export function crdYaml(): string {
  return "# Generated from schemas/*.ts by `npm run generate:crd`; do not edit.\n" + stringify(wukongCrd(), { lineWidth: 0 });
}
