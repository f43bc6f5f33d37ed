// Validates built objects the way the API server does with strict field validation: CRD kinds against the upstream
// openAPIV3Schema of a CRD set (every unknown field rejected, as the server would reject it rather than prune it),
// core kinds and all metadata against client-node's generated core/v1 models. The sets: the newest releases'
// (/work/shared/crds) and the oldest supported ones' (test/fixtures/crds/oldest, docs/compatibility.md).
import Ajv from "ajv";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import * as models from "@kubernetes/client-node";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";

export const CRD_SETS = {
  // Outside the repository on purpose: upstream data, not project code.
  newest: path.join(__dirname, "../../../../shared/crds"),
  // In it: CI installs this set too (test/e2e/oldest-crds.e2e.test.ts), and cannot fetch it.
  oldest: path.join(__dirname, "../../fixtures/crds/oldest"),
};
export type CrdSet = keyof typeof CRD_SETS;

const CRD_FILES: Record<string, string> = {
  "kubevirt.io/v1/VirtualMachine": "kubevirt-virtualmachines.yaml",
  "cdi.kubevirt.io/v1beta1/DataVolume": "cdi-datavolumes.yaml",
  "k8s.cni.cncf.io/v1/NetworkAttachmentDefinition": "multus-network-attachment-definitions.yaml",
  "snapshot.kubevirt.io/v1beta1/VirtualMachineSnapshot": "kubevirt-virtualmachinesnapshots.yaml",
  "snapshot.kubevirt.io/v1beta1/VirtualMachineSnapshotContent": "kubevirt-virtualmachinesnapshotcontents.yaml",
  "snapshot.kubevirt.io/v1beta1/VirtualMachineRestore": "kubevirt-virtualmachinerestores.yaml",
  "nmstate.io/v1/NodeNetworkConfigurationPolicy": "nmstate-nodenetworkconfigurationpolicies.yaml",
};
const CORE_MODELS: Record<string, string> = { "v1/Secret": "V1Secret", "v1/PersistentVolumeClaim": "V1PersistentVolumeClaim" };

type Schema = Record<string, unknown>;
// int32/int64 only size an integer the schema already types; the API server does not range-check them either.
const ajv = new Ajv({ allErrors: true, jsonPointers: true, formats: { int32: () => true, int64: () => true } });
const validators = new Map<string, Ajv.ValidateFunction>();

/** Every problem the API server would report for this object; empty when it would accept it. */
export function strictProblems(object: KubernetesObject, set: CrdSet = "newest"): string[] {
  const key = `${object.apiVersion}/${object.kind}`;
  const coreModel = CORE_MODELS[key];
  if (coreModel) return modelProblems(object, coreModel, "");
  if (!CRD_FILES[key]) throw new Error(`no schema known for ${key}`);
  const validate = validators.get(`${set}:${key}`) ?? compileCrd(set, key);
  validate(object);
  const crdProblems = (validate.errors ?? []).map(error => `${error.dataPath || "/"}: ${error.message}${unknownField(error)}`);
  return [...crdProblems, ...modelProblems(object.metadata, "V1ObjectMeta", "/metadata")];
}

function unknownField(error: Ajv.ErrorObject): string {
  const params = error.params as { additionalProperty?: string };
  return params.additionalProperty ? ` (${params.additionalProperty})` : "";
}

/** The file, or its gzipped form (the oldest set is stored compressed). */
function readCrd(set: CrdSet, file: string): string {
  const plain = path.join(CRD_SETS[set], file);
  if (existsSync(plain)) return readFileSync(plain, "utf8");
  if (existsSync(`${plain}.gz`)) return gunzipSync(readFileSync(`${plain}.gz`)).toString("utf8");
  throw new Error(`upstream CRD ${plain} not found (the ${set} CRD set)`);
}

function compileCrd(set: CrdSet, key: string): Ajv.ValidateFunction {
  const crd = parse(readCrd(set, CRD_FILES[key])) as { spec: { group: string; versions: { name: string; schema: { openAPIV3Schema: Schema } }[] } };
  const version = key.split("/")[1];
  const schema = crd.spec.versions.find(v => v.name === version)?.schema.openAPIV3Schema;
  if (!schema) throw new Error(`${CRD_FILES[key]} of the ${set} CRD set has no version ${version}`);
  // metadata is ObjectMeta, checked against the core model; the CRD only says `type: object`.
  const properties = { ...(schema.properties as Schema), metadata: { type: "object", "x-kubernetes-preserve-unknown-fields": true } };
  const validate = ajv.compile(strict({ ...schema, properties }));
  validators.set(`${set}:${key}`, validate);
  return validate;
}

/** Structural-schema pruning turned into rejection: objects accept only their declared properties. */
function strict(node: Schema): Schema {
  const out: Schema = { ...node };
  if (out.properties) {
    out.properties = Object.fromEntries(Object.entries(out.properties as Record<string, Schema>).map(([name, child]) => [name, strict(child)]));
  }
  if (out.items) out.items = strict(out.items as Schema);
  if (out.additionalProperties && typeof out.additionalProperties === "object") out.additionalProperties = strict(out.additionalProperties as Schema);
  for (const combinator of ["anyOf", "allOf", "oneOf"]) {
    if (Array.isArray(out[combinator])) out[combinator] = (out[combinator] as Schema[]).map(child => strict(child));
  }
  const opaque = out["x-kubernetes-preserve-unknown-fields"] === true;
  if ((out.type === "object" || out.properties) && !opaque && out.additionalProperties === undefined) out.additionalProperties = false;
  return out;
}

interface Attribute {
  baseName: string;
  type: string;
}
type Model = { getAttributeTypeMap(): Attribute[] };
const MODELS = models as unknown as Record<string, Model | undefined>;

/** Walks a value along client-node's attribute type maps, reporting unknown fields and wrong primitive types. */
function modelProblems(value: unknown, type: string, at: string): string[] {
  const arrayOf = /^Array<(.+)>$/.exec(type);
  const mapOf = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (arrayOf) {
    if (!Array.isArray(value)) return [`${at}: must be an array`];
    return value.flatMap((item, index) => modelProblems(item, arrayOf[1], `${at}/${index}`));
  }
  if (mapOf || MODELS[type]) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return [`${at}: must be an object`];
    const entries = Object.entries(value as Record<string, unknown>);
    if (mapOf) return entries.flatMap(([name, item]) => modelProblems(item, mapOf[1], `${at}/${name}`));
    const attributes = new Map((MODELS[type] as Model).getAttributeTypeMap().map(attribute => [attribute.baseName, attribute.type]));
    return entries.flatMap(([name, item]) => {
      const attributeType = attributes.get(name);
      return attributeType ? modelProblems(item, attributeType, `${at}/${name}`) : [`${at}: unknown field "${name}"`];
    });
  }
  const primitive = { string: "string", Date: "string", number: "number", boolean: "boolean" }[type] ?? (type.endsWith("Enum") ? "string" : undefined);
  if (!primitive) throw new Error(`no client-node model ${type} (at ${at})`);
  return typeof value === primitive ? [] : [`${at}: must be a ${primitive}`];
}
