// The committed CRD is the one generated from the zod schema, and the apiserver will accept it as structural.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { valid } from "semver";
import { parse } from "yaml";
import packageJson from "../../../package.json";
import { crdYaml } from "../../../schemas/crd-yaml";
import { CRD_VERSION_ANNOTATION, shippedCrds } from "../../../schemas/crds";
import { API } from "../../../schemas/wukong";

type Node = { [key: string]: unknown };

const SCHEMAS = join(__dirname, "../../../schemas");
const CRD_FILE = join(SCHEMAS, "wukong.crd.yaml");
const committed = readFileSync(CRD_FILE, "utf8");
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const crd: any = parse(committed);
const version = crd.spec.versions[0];
const root: Node = version.schema.openAPIV3Schema;
const spec = (root.properties as Record<string, Node>).spec;

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);

/** Every schema node below `node` with its JSON path: property values, array items and map values. */
function* schemaNodes(node: Node, path: string): Generator<[Node, string]> {
  yield [node, path];
  if (isNode(node.properties)) for (const [key, child] of Object.entries(node.properties)) if (isNode(child)) yield* schemaNodes(child, `${path}.${key}`);
  if (isNode(node.items)) yield* schemaNodes(node.items, `${path}[]`);
  if (isNode(node.additionalProperties)) yield* schemaNodes(node.additionalProperties, `${path}{}`);
  for (const keyword of ["anyOf", "oneOf", "allOf"])
    if (Array.isArray(node[keyword])) for (const [i, child] of (node[keyword] as Node[]).entries()) yield* schemaNodes(child, `${path}.${keyword}[${i}]`);
  if (isNode(node.not)) yield* schemaNodes(node.not, `${path}.not`);
}

/** Every key of every object anywhere in the schema, with where it was found. */
function* allKeys(value: unknown, path: string): Generator<[string, unknown, string]> {
  if (Array.isArray(value)) for (const [i, item] of value.entries()) yield* allKeys(item, `${path}[${i}]`);
  else if (isNode(value))
    for (const [key, child] of Object.entries(value)) {
      yield [key, child, path];
      yield* allKeys(child, `${path}.${key}`);
    }
}

describe("the shipped CRDs", () => {
  it.each(shippedCrds().map(({ file, crd }) => [file, crd]))("schemas/%s is exactly what the schema generates", (file, crd) => {
    const committedText = readFileSync(join(SCHEMAS, file), "utf8");
    const generated = crdYaml(crd);
    if (committedText !== generated) {
      const [a, b] = [committedText.split("\n"), generated.split("\n")];
      const line = a.findIndex((text, i) => text !== b[i]);
      throw new Error(
        `schemas/${file} is out of date with schemas/*.ts: run npm run generate:crd and commit the result.\n` +
          `First difference at line ${line + 1}:\n  committed: ${a[line] ?? "<end of file>"}\n  generated: ${b[line] ?? "<end of file>"}`,
      );
    }
  });

  it("are every schemas/*.crd.yaml: npm run build ships the files, the watcher installs the list", () => {
    const files = readdirSync(SCHEMAS).filter(name => name.endsWith(".crd.yaml"));
    expect(files.sort()).toEqual(
      shippedCrds()
        .map(({ file }) => file)
        .sort(),
    );
  });

  it("carry the package version, a valid semver, in the crd-version annotation", () => {
    expect(valid(packageJson.version)).toBe(packageJson.version);
    for (const { crd } of shippedCrds()) expect(crd.metadata.annotations).toEqual({ [CRD_VERSION_ANNOTATION]: packageJson.version });
  });
});

describe("the committed Wukong CRD", () => {
  it("is a v1 CRD for the Wukong kind, namespaced, with short name wk in category all", () => {
    expect(crd.apiVersion).toBe("apiextensions.k8s.io/v1");
    expect(crd.metadata.name).toBe("wukongs.vm.novasphere.dev");
    expect(crd.spec.group).toBe(API.group);
    expect(crd.spec.scope).toBe("Namespaced");
    expect(crd.spec.names).toEqual({ kind: "Wukong", listKind: "WukongList", plural: "wukongs", singular: "wukong", shortNames: ["wk"], categories: ["all"] });
    expect(crd.spec.versions).toHaveLength(1);
    expect(version).toMatchObject({ name: "v1alpha1", served: true, storage: true });
  });

  it("has the status subresource", () => {
    expect(version.subresources).toEqual({ status: {} });
  });

  it("prints Phase, CPU, Memory, IP, Node and Age", () => {
    const columns = version.additionalPrinterColumns as { name: string; type: string; jsonPath: string }[];
    expect(columns.map(column => column.name)).toEqual(["Phase", "CPU", "Memory", "IP", "Node", "Age"]);
    expect(columns.find(column => column.name === "Age")).toEqual({ name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" });
    expect(columns.find(column => column.name === "CPU")).toMatchObject({ type: "integer", jsonPath: ".spec.cpu" });
    expect(columns.find(column => column.name === "Memory")).toMatchObject({ jsonPath: ".spec.memory" });
    // Each column points at a field the schema declares.
    for (const { jsonPath } of columns.filter(column => column.jsonPath.startsWith(".spec") || column.jsonPath.startsWith(".status"))) {
      let node: Node | undefined = root;
      for (const segment of jsonPath.slice(1).split(".")) {
        const [, field, indexed] = /^([^[]+)(\[\d+\])?$/.exec(segment)!;
        node = (node?.properties as Record<string, Node> | undefined)?.[field];
        if (indexed) node = node?.items as Node | undefined;
      }
      expect({ jsonPath, declared: node !== undefined }).toEqual({ jsonPath, declared: true });
    }
  });

  describe("is structural", () => {
    const nodes = [...schemaNodes(root, "")];

    it("walks a schema of some size (so the checks below check something)", () => {
      expect(nodes.length).toBeGreaterThan(60);
    });

    it("gives every node a type (or int-or-string / preserve-unknown-fields)", () => {
      const untyped = nodes
        .filter(
          ([node]) => typeof node.type !== "string" && node["x-kubernetes-int-or-string"] !== true && node["x-kubernetes-preserve-unknown-fields"] !== true,
        )
        .map(([, path]) => path || "<root>");
      expect(untyped).toEqual([]);
    });

    it("has items for every array and no untyped anyOf/oneOf/allOf", () => {
      expect(nodes.filter(([node]) => node.type === "array" && !isNode(node.items)).map(([, path]) => path)).toEqual([]);
      expect(nodes.filter(([node]) => ["anyOf", "oneOf", "allOf"].some(k => k in node) && typeof node.type !== "string").map(([, path]) => path)).toEqual([]);
    });

    it("uses no $ref, $schema, propertyNames, additionalProperties: false, or properties with additionalProperties", () => {
      const forbidden = [...allKeys(root, "")]
        .filter(
          ([key, value]) =>
            key === "$ref" ||
            key === "$schema" ||
            key === "definitions" ||
            key === "$defs" ||
            key === "propertyNames" ||
            (key === "additionalProperties" && !isNode(value)),
        )
        .map(([key, , path]) => `${path}.${key}`);
      expect(forbidden).toEqual([]);
      expect(nodes.filter(([node]) => "properties" in node && "additionalProperties" in node).map(([, path]) => path)).toEqual([]);
    });

    it("keys every list-type map by required fields", () => {
      const maps = nodes.filter(([node]) => node["x-kubernetes-list-type"] === "map");
      expect(maps.map(([, path]) => path).sort()).toEqual([".spec.disks", ".spec.gpus", ".spec.networks", ".status.conditions"]);
      for (const [node, path] of maps) {
        const keys = node["x-kubernetes-list-map-keys"] as string[];
        const required = ((node.items as Node).required as string[] | undefined) ?? [];
        expect({ path, missing: keys.filter(key => !required.includes(key)) }).toEqual({ path, missing: [] });
      }
    });
  });

  it("keys spec.networks and spec.disks as list-type maps by name", () => {
    const properties = spec.properties as Record<string, Node>;
    for (const list of ["networks", "disks"]) {
      expect(properties[list]).toMatchObject({ type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] });
    }
  });

  it("describes every spec field (kubectl explain)", () => {
    const fields = [...schemaNodes(spec, ".spec")].filter(([, path]) => !path.endsWith("[]") && !path.endsWith("{}"));
    expect(fields.length).toBeGreaterThan(40);
    const undescribed = fields.filter(([node]) => typeof node.description !== "string" || node.description.trim() === "").map(([, path]) => path);
    expect(undescribed).toEqual([]);
  });

  it("requires cpu and memory, and the spec itself", () => {
    expect(root.required).toEqual(["spec"]);
    expect(spec.required).toEqual(["cpu", "memory"]);
  });
});
