// The API reference (docs/api-reference.md), rendered from the same CRD schema `kubectl explain` reads.
import { wukongCrd, wukongSnapshotCrd } from "./crd";

interface Node {
  type?: string;
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
  additionalProperties?: Node;
  required?: string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  maxLength?: number;
  format?: string;
  "x-kubernetes-validations"?: { rule: string; message: string }[];
}

export function apiReference(): string {
  const version = wukongCrd().spec.versions[0];
  const root = version.schema.openAPIV3Schema as unknown as Node;
  const lines = [
    "<!-- Generated from schemas/*.ts by `npm run generate:crd`; do not edit. -->",
    "# Wukong API reference (vm.novasphere.dev/v1alpha1)",
    "",
    root.description ?? "",
    "",
    "Every field below is also available from the cluster: `kubectl explain wukong.spec.networks`.",
    "",
  ];
  for (const section of ["spec", "status"] as const) {
    lines.push(`## ${section}`, "", "| field | type | constraints | description |", "| --- | --- | --- | --- |");
    walk(root.properties![section], section, false, lines);
    lines.push("");
  }
  const snapshot = wukongSnapshotCrd().spec.versions[0].schema.openAPIV3Schema as unknown as Node;
  lines.push("# WukongSnapshot (vm.novasphere.dev/v1alpha1, short name wks)", "", snapshot.description ?? "", "");
  lines.push("Every field below is also available from the cluster: `kubectl explain wukongsnapshot.spec`.", "");
  for (const section of ["spec", "status"] as const) {
    lines.push(`## WukongSnapshot ${section}`, "", "| field | type | constraints | description |", "| --- | --- | --- | --- |");
    walk(snapshot.properties![section], section, false, lines);
    lines.push("");
  }
  return lines.join("\n");
}

function walk(node: Node, path: string, required: boolean, lines: string[]): void {
  lines.push(`| \`${path}\`${required ? " (required)" : ""} | ${typeOf(node)} | ${constraints(node)} | ${cell(node.description ?? "")} |`);
  for (const [name, child] of Object.entries(node.properties ?? {})) walk(child, `${path}.${name}`, node.required?.includes(name) ?? false, lines);
  const item = node.items;
  if (item?.properties)
    for (const [name, child] of Object.entries(item.properties)) walk(child, `${path}[].${name}`, item.required?.includes(name) ?? false, lines);
}

function typeOf(node: Node): string {
  if (node.type === "array") return `[]${node.items?.type ?? "object"}`;
  if (node.type === "object" && node.additionalProperties) return `map[string]${node.additionalProperties.type}`;
  return node.type ?? "object";
}

function constraints(node: Node): string {
  const parts: string[] = [];
  if (node.enum) parts.push(`one of ${node.enum.map(v => `\`${v}\``).join(", ")}`);
  if (node.minimum !== undefined && Math.abs(node.minimum) < 1e15) parts.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined && Math.abs(node.maximum) < 1e15) parts.push(`≤ ${node.maximum}`);
  if (node.maxItems !== undefined) parts.push(`at most ${node.maxItems} items`);
  if (node.maxLength !== undefined) parts.push(`at most ${node.maxLength} characters`);
  for (const rule of node.items?.["x-kubernetes-validations"] ?? node["x-kubernetes-validations"] ?? []) parts.push(rule.message);
  return cell(parts.join("; "));
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");
