// The committed CRD file's exact text, shared by the generator and the test that guards it.
import { stringify } from "yaml";
import { wukongCrd, wukongSnapshotCrd } from "./crd";

const HEADER = "# Generated from schemas/*.ts by `npm run generate:crd`; do not edit.\n";

export function crdYaml(): string {
  return HEADER + stringify(wukongCrd(), { lineWidth: 0 });
}

export function snapshotCrdYaml(): string {
  return HEADER + stringify(wukongSnapshotCrd(), { lineWidth: 0 });
}
