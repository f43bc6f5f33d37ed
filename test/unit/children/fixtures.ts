// Wukongs as the API server stores them (namespace and uid set) and helpers to read built objects back.
import { parse } from "yaml";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import type { WukongSpec } from "../../../schemas/spec";
import type { Wukong, WukongMetadata } from "../../../schemas/wukong";

export function wukong(name: string, spec: WukongSpec, metadata: Partial<WukongMetadata> = {}): Wukong {
  return { apiVersion: "vm.novasphere.dev/v1alpha1", kind: "Wukong", metadata: { name, namespace: "default", uid: "uid-1", ...metadata }, spec };
}

export function ownedMetadata(name: string, wukongName: string, namespace = "default") {
  return {
    name,
    namespace,
    labels: { "app.kubernetes.io/managed-by": "wukong", "vm.novasphere.dev/wukong": wukongName },
    ownerReferences: [{ apiVersion: "vm.novasphere.dev/v1alpha1", kind: "Wukong", name: wukongName, uid: "uid-1", controller: true, blockOwnerDeletion: true }],
  };
}

/** A key of the cloud-init Secret, decoded. */
export function secretText(secret: KubernetesObject, key: string): string {
  const data = secret.data as Record<string, string>;
  return Buffer.from(data[key], "base64").toString("utf8");
}

/** Parsed the way cloud-init's PyYAML reads it (YAML 1.1). */
export function secretYaml(secret: KubernetesObject, key: string): Record<string, unknown> {
  return parse(secretText(secret, key), { version: "1.1" }) as Record<string, unknown>;
}

/** The VM's spec.template.spec. */
export function vmTemplateSpec(vm: KubernetesObject): Record<string, unknown> {
  return (vm.spec as { template: { spec: Record<string, unknown> } }).template.spec;
}
