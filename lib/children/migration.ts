// The VirtualMachineInstanceMigration the vm.novasphere.dev/migrate annotation asks for: one per annotation value,
// so setting a new value asks again and a controller restart never migrates twice. virt-api's migration webhooks
// (kubevirt v1.7.4 pkg/virt-api/webhooks/validating-webhook/admitters/migration-create-admitter.go) refuse it when
// the VMI is not running, not LiveMigratable, or already migrating.
import { createHash } from "node:crypto";
import type { KubernetesObject } from "./kubernetes-object";
import { childMetadata, type Owner } from "./ownership";
import { virtualMachineName } from "../../schemas/child-names";

export function migrationName(wukong: string, request: string): string {
  return `${wukong}-migrate-${createHash("sha256").update(request).digest("hex").slice(0, 10)}`;
}

export function virtualMachineInstanceMigration(owner: Owner, request: string): KubernetesObject {
  return {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstanceMigration",
    metadata: childMetadata(owner, migrationName(owner.name, request)),
    spec: { vmiName: virtualMachineName(owner.name) },
  };
}
