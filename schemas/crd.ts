// Builds the Wukong CustomResourceDefinition from the zod schemas: the CRD is never written by hand.
import { z } from "zod";
import { WukongSpec } from "./spec";
import { WukongStatus } from "./status";
import { API } from "./wukong";
import { SNAPSHOT_API, WukongSnapshotSpec, WukongSnapshotStatus } from "./wukongsnapshot";

type JsonSchema = { [key: string]: unknown };

// JSON Schema keywords a structural CRD schema does not allow.
const NOT_STRUCTURAL = ["$schema", "propertyNames", "additionalProperties"];

/** Rewrites zod's JSON Schema into a structural openAPIV3Schema. */
function structural(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(structural);
  if (node === null || typeof node !== "object") return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node as JsonSchema)) {
    // Maps (z.record) keep additionalProperties as their value schema; `false` only mirrors strictness.
    if (key === "additionalProperties" && typeof value === "object" && value !== null) {
      out[key] = structural(value);
    } else if (key === "x-kubernetes-validations" || key === "x-kubernetes-list-map-keys") {
      out[key] = value;
    } else if (!NOT_STRUCTURAL.includes(key)) {
      out[key] = structural(value);
    }
  }
  return out;
}

export function openApiSchemaOf(schema: z.ZodType): JsonSchema {
  return structural(z.toJSONSchema(schema, { target: "openapi-3.0", io: "input", unrepresentable: "throw" })) as JsonSchema;
}

export function wukongCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${API.plural}.${API.group}` },
    spec: {
      group: API.group,
      names: {
        kind: API.kind,
        listKind: `${API.kind}List`,
        plural: API.plural,
        singular: API.singular,
        shortNames: [...API.shortNames],
        categories: [...API.categories],
      },
      scope: "Namespaced",
      versions: [
        {
          name: API.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Phase", type: "string", jsonPath: ".status.phase" },
            { name: "CPU", type: "integer", jsonPath: ".spec.cpu" },
            { name: "Memory", type: "string", jsonPath: ".spec.memory" },
            { name: "IP", type: "string", jsonPath: ".status.networks[0].ipAddress" },
            { name: "Node", type: "string", jsonPath: ".status.nodeName" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description:
                "Wukong declares a whole KubeVirt virtual machine: CPU, memory, networks, disks, cloud-init and placement. The operator creates and owns its NetworkAttachmentDefinitions, DataVolumes/PVCs, cloud-init Secret and VirtualMachine.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "APIVersion of this object: vm.novasphere.dev/v1alpha1." },
                kind: { type: "string", description: "Kind of this object: Wukong." },
                metadata: { type: "object" },
                spec: openApiSchemaOf(WukongSpec),
                status: openApiSchemaOf(WukongStatus),
              },
            },
          },
        },
      ],
    },
  };
}

export function wukongSnapshotCrd() {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${SNAPSHOT_API.plural}.${SNAPSHOT_API.group}` },
    spec: {
      group: SNAPSHOT_API.group,
      names: {
        kind: SNAPSHOT_API.kind,
        listKind: `${SNAPSHOT_API.kind}List`,
        plural: SNAPSHOT_API.plural,
        singular: SNAPSHOT_API.singular,
        shortNames: [...SNAPSHOT_API.shortNames],
        categories: [...SNAPSHOT_API.categories],
      },
      scope: "Namespaced",
      versions: [
        {
          name: SNAPSHOT_API.version,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [
            { name: "Phase", type: "string", jsonPath: ".status.phase" },
            { name: "Wukong", type: "string", jsonPath: ".spec.wukongName" },
            { name: "Ready", type: "boolean", jsonPath: ".status.readyToUse" },
            { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp" },
          ],
          schema: {
            openAPIV3Schema: {
              type: "object",
              description:
                "WukongSnapshot is a point-in-time copy of one Wukong's VM and disks, taken by KubeVirt as a VirtualMachineSnapshot that the WukongSnapshot owns. Restore it with the Wukong's spec.restoreFromSnapshot.",
              required: ["spec"],
              properties: {
                apiVersion: { type: "string", description: "APIVersion of this object: vm.novasphere.dev/v1alpha1." },
                kind: { type: "string", description: "Kind of this object: WukongSnapshot." },
                metadata: { type: "object" },
                spec: openApiSchemaOf(WukongSnapshotSpec),
                status: openApiSchemaOf(WukongSnapshotStatus),
              },
            },
          },
        },
      ],
    },
  };
}
