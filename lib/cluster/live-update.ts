// How the cluster's KubeVirt applies a changed VM to its running instance, from the KubeVirt CR (kubevirt v1.7.4):
// - spec.configuration.vmRolloutStrategy: LiveUpdate, the default when unset from v1.6.0 on
//   (pkg/virt-config/virt-config.go, DefaultVMRolloutStrategy; up to v1.5.x the default was Stage, and unset meant
//   Stage: IsVMRolloutStrategyLiveUpdate at v1.5.0), or Stage, under which virt-controller applies nothing live and
//   every template change sets RestartRequired (pkg/virt-controller/watch/vm/vm.go, syncRestartRequired). The release
//   is the CR's status.observedKubeVirtVersion, which virt-operator writes;
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

export function liveUpdateConfig(spec: LiveUpdateFields | undefined, observedVersion?: unknown): LiveUpdateConfig {
  const methods = spec?.workloadUpdateStrategy?.workloadUpdateMethods;
  const given = spec?.configuration?.vmRolloutStrategy;
  return {
    rolloutStrategy: given === "Stage" || given === "LiveUpdate" ? given : defaultRolloutStrategy(observedVersion),
    liveMigrateUpdates: Array.isArray(methods) && methods.includes("LiveMigrate"),
  };
}

/** Stage up to v1.5.x, LiveUpdate from v1.6.0; an unknown release is taken to be a current one. */
function defaultRolloutStrategy(observedVersion: unknown): RolloutStrategy {
  const release = typeof observedVersion === "string" ? /^v?(\d+)\.(\d+)\./.exec(observedVersion) : null;
  if (!release) return "LiveUpdate";
  const [major, minor] = [Number(release[1]), Number(release[2])];
  return major < 1 || (major === 1 && minor < 6) ? "Stage" : "LiveUpdate";
}
