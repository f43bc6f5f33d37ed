// How the cluster's KubeVirt applies a changed VM to its running instance, from the KubeVirt CR (kubevirt v1.7.4):
// - spec.configuration.vmRolloutStrategy: LiveUpdate, the default when unset (pkg/virt-config/virt-config.go,
//   IsVMRolloutStrategyLiveUpdate), or Stage, under which virt-controller applies nothing live and every template
//   change sets RestartRequired (pkg/virt-controller/watch/vm/vm.go, syncRestartRequired);
// - spec.workloadUpdateStrategy.workloadUpdateMethods: a CPU or memory hot-plug completes only on the target of a live
//   migration, which the workload updater creates only when LiveMigrate is listed
//   (pkg/virt-controller/watch/workload-updater/workload-updater.go, getUpdateData; pkg/virt-handler/migration-target.go,
//   finalizeMigration). Without it a hot-plug waits for ever.

export type RolloutStrategy = "LiveUpdate" | "Stage";

export interface LiveUpdateConfig {
  rolloutStrategy: RolloutStrategy;
  /** Whether virt-controller migrates a VM to apply a hot-plug (LiveMigrate among the workload update methods). */
  liveMigrateUpdates: boolean;
}

export interface LiveUpdateFields {
  configuration?: { vmRolloutStrategy?: unknown };
  workloadUpdateStrategy?: { workloadUpdateMethods?: unknown };
}

export function liveUpdateConfig(spec: LiveUpdateFields | undefined): LiveUpdateConfig {
  const methods = spec?.workloadUpdateStrategy?.workloadUpdateMethods;
  return {
    rolloutStrategy: spec?.configuration?.vmRolloutStrategy === "Stage" ? "Stage" : "LiveUpdate",
    liveMigrateUpdates: Array.isArray(methods) && methods.includes("LiveMigrate"),
  };
}
