// Migration step, after the VM step: a new value of the vm.novasphere.dev/migrate annotation creates one
// VirtualMachineInstanceMigration for the running VMI; status.migration follows it to its end. Each value is asked
// for once: a migration KubeVirt refused or a final one that virt-controller has since garbage-collected is
// remembered in status, never recreated. Without the annotation, status.migration shows the VMI's latest migration
// (a drain's, which virt-controller's evacuation controller starts).
import { migrationName, virtualMachineInstanceMigration } from "../children/migration";
import { ownerOf } from "../children/ownership";
import { apiFailure, isTransient } from "../cluster/api-errors";
import { MIGRATE_ANNOTATION } from "../../schemas/wukong";
import type { MigrationStatus } from "../../schemas/status";
import { isFinalMigration, type ObservedMigration, requestedMigrationStatus, vmiMigrationStatus } from "../status/migration";
import type { ObservedVirtualMachineInstance } from "../status/observed";
import type { ReconcileContext } from "./context";
import { ChildWriteError } from "./writes";

export async function reconcileMigration(ctx: ReconcileContext): Promise<void> {
  const { port, namespace, name, wukong, observed } = ctx;
  const vmi = port.get("VirtualMachineInstance", namespace, name) as ObservedVirtualMachineInstance | undefined;
  const request = wukong.metadata.annotations?.[MIGRATE_ANNOTATION]?.trim();
  if (!request) {
    observed.migration = vmiMigrationStatus(vmi);
    return;
  }
  const previous = wukong.status?.migration;
  const migration = migrationName(name, request);
  const live = port.get("VirtualMachineInstanceMigration", namespace, migration) as ObservedMigration | undefined;
  if (live) return report(ctx, previous, requestedMigrationStatus(request, live, vmi));
  if (previous?.request === request && isFinalMigration(previous.phase)) {
    observed.migration = previous;
    return;
  }
  if (vmi?.status?.phase !== "Running") {
    const failed = { request, phase: "Failed", message: `Nothing to migrate: VM ${name} is not running.` };
    return report(ctx, previous, failed);
  }
  try {
    const written = await port.apply("VirtualMachineInstanceMigration", virtualMachineInstanceMigration(ownerOf(wukong), request));
    ctx.changes.push({ verb: "Created", kind: "VirtualMachineInstanceMigration", name: migration });
    return report(ctx, previous, requestedMigrationStatus(request, written as ObservedMigration, vmi));
  } catch (error) {
    if (isTransient(error)) throw new ChildWriteError("VirtualMachineInstanceMigration", migration, error);
    // virt-api's webhook says why (not LiveMigratable, already migrating): the user's answer, not our error.
    const refused = { request, migrationName: migration, phase: "Failed", message: `KubeVirt refused the migration: ${apiFailure(error).message}` };
    return report(ctx, previous, refused);
  }
}

/** Records the migration's state, with an Event when it ends. */
async function report(ctx: ReconcileContext, previous: MigrationStatus | undefined, next: MigrationStatus): Promise<void> {
  ctx.observed.migration = next;
  const ended = isFinalMigration(next.phase) && (previous?.request !== next.request || previous?.phase !== next.phase);
  if (ended)
    await ctx.port.event(
      ctx.wukong,
      next.phase === "Succeeded" ? "Normal" : "Warning",
      next.phase === "Succeeded" ? "Migrated" : "MigrationFailed",
      next.message,
    );
}
