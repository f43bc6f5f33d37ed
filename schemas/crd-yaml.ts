// A committed CRD file's exact text, shared by the generator and the test that guards it.
import { stringify } from "yaml";
import type { ShippedCrd } from "./crds";

export function crdYaml(crd: ShippedCrd): string {
  return "# Generated from schemas/*.ts by `npm run generate:crd`; do not edit.\n" + stringify(crd, { lineWidth: 0 });
}
