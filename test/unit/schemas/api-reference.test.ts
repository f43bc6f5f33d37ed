// The committed API reference is the one rendered from the schema, and it covers every spec field.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { apiReference } from "../../../schemas/api-reference";
import { WukongSpec } from "../../../schemas/spec";

const committed = readFileSync(join(__dirname, "../../../docs/api-reference.md"), "utf8");

it("docs/api-reference.md is up to date (run npm run generate:crd)", () => {
  expect(committed).toBe(apiReference());
});

it.each(Object.keys(WukongSpec.shape))("documents spec.%s", field => {
  expect(committed).toContain(`| \`spec.${field}\``);
});

it("documents nested fields with their constraints", () => {
  expect(committed).toMatch(/\| `spec\.networks\[\]\.vlanId` \| integer \| ≥ 1; ≤ 4094 \|/);
  expect(committed).toMatch(/\| `spec\.networks\[\]\.type` \| string \| one of `bridge`, `sriov`, `ovs` \|/);
  expect(committed).toMatch(/\| `spec\.gpus\[\]\.deviceName` \(required\) \| string \|/);
});
