// The committed WukongSnapshot CRD is the one generated from the zod schema, with the names, columns and rules
// the issue asks for.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { crdYaml } from "../../../schemas/crd-yaml";
import { shippedCrds } from "../../../schemas/crds";
import { validateWukongSnapshot } from "../../../schemas/validate-snapshot";

const committed = readFileSync(join(__dirname, "../../../schemas/wukongsnapshot.crd.yaml"), "utf8");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const crd: any = parse(committed);
const version = crd.spec.versions[0];

describe("the committed WukongSnapshot CRD", () => {
  it("is exactly what the schema generates (npm run generate:crd)", () => {
    const shipped = shippedCrds().find(({ file }) => file === "wukongsnapshot.crd.yaml");
    expect(shipped).toBeDefined();
    expect(committed).toBe(crdYaml(shipped!.crd));
  });

  it("is namespaced, short name wks, with the status subresource and the Phase/Wukong/Ready/Age columns", () => {
    expect(crd.metadata.name).toBe("wukongsnapshots.vm.novasphere.dev");
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names).toMatchObject({ kind: "WukongSnapshot", plural: "wukongsnapshots", shortNames: ["wks"] });
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true, subresources: { status: {} } });
    expect(version.additionalPrinterColumns.map((c: { name: string; jsonPath: string }) => `${c.name} ${c.jsonPath}`)).toEqual([
      "Phase .status.phase",
      "Wukong .spec.wukongName",
      "Ready .status.readyToUse",
      "Age .metadata.creationTimestamp",
    ]);
  });

  it("documents every field and keeps spec.wukongName immutable in the API server itself", () => {
    const { spec, status } = version.schema.openAPIV3Schema.properties;
    expect(spec.required).toEqual(["wukongName"]);
    expect(spec.properties.wukongName["x-kubernetes-validations"]).toEqual([expect.objectContaining({ rule: "self == oldSelf" })]);
    for (const [name, field] of Object.entries({ ...spec.properties, ...status.properties })) {
      expect([name, (field as { description?: string }).description]).toEqual([name, expect.stringMatching(/\w/)]);
    }
    expect(Object.keys(status.properties)).toEqual(expect.arrayContaining(["phase", "snapshotName", "creationTime", "error"]));
  });
});

it("the WukongSnapshot samples are valid", () => {
  const dir = join(__dirname, "../../../samples");
  const snapshots = readdirSync(dir)
    .filter(file => file.endsWith(".yaml"))
    .flatMap(file => parseAllDocuments(readFileSync(join(dir, file), "utf8")).map(doc => doc.toJS()))
    .filter(object => object?.kind === "WukongSnapshot");
  expect(snapshots.length).toBeGreaterThan(0);
  for (const snapshot of snapshots) expect(validateWukongSnapshot(snapshot.spec)).toEqual([]);
});
