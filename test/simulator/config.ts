// Simulator timings and names, from environment variables (all optional). Small defaults keep e2e
// tests fast; every delay is "how long an object stays in its current state before the next step".

export interface SimConfig {
  tickMs: number; // how often the level-triggered loop re-reads the cluster
  pvcBindMs: number; // Pending PVC -> Bound
  pvcExpandMs: number; // grown request -> status.capacity follows
  importScheduleMs: number; // DataVolume ImportScheduled -> ImportInProgress (and -> Failed when failing)
  importMs: number; // DataVolume ImportInProgress 0% -> 100%
  slowImportFactor: number; // multiplier for `sim.novasphere.dev/import: slow`
  vmiStepMs: number; // each VMI phase step: Pending -> Scheduling -> Scheduled -> Running
  snapshotMs: number; // VirtualMachineSnapshot InProgress -> Succeeded (or -> Failed when failing)
  restoreMs: number; // VirtualMachineRestore of a stopped VM -> Complete (or -> Failed when failing)
  nodeName: string; // the fake node VMIs "run" on
  cdiFilesystemOverhead: number; // CDI inflates spec.storage sizes by this fraction (real default 0.055); 0 = copy as-is
  verbose: boolean; // log skipped/retried writes too
  // WUKONG_UPSTREAM=1: the real KubeVirt, CDI and scheduler control planes run (test/stack/cluster/upstream/); the
  // simulator then plays only the nodes: kubelet, virt-handler, the CSI provisioner and NMState's handler.
  upstream: boolean;
  // With upstream: the kubeconfig of virt-handler's ServiceAccount (kubevirt/kubevirt-handler). virt-api's VMI
  // mutator puts back every VMI status change made by anyone but KubeVirt's ServiceAccounts (kubevirt v1.7.4
  // pkg/virt-api/webhooks/mutating-webhook/mutators/vmi-mutator.go), so the simulated virt-handler writes as it.
  virtHandlerKubeconfig?: string;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SimConfig {
  const step = num(env, "SIM_STEP_MS", 1000);
  return {
    tickMs: num(env, "SIM_TICK_MS", 500),
    pvcBindMs: num(env, "SIM_PVC_BIND_MS", step),
    pvcExpandMs: num(env, "SIM_PVC_EXPAND_MS", step),
    importScheduleMs: num(env, "SIM_IMPORT_SCHEDULE_MS", step),
    importMs: num(env, "SIM_IMPORT_MS", 2 * step),
    slowImportFactor: num(env, "SIM_SLOW_IMPORT_FACTOR", 10),
    vmiStepMs: num(env, "SIM_VMI_STEP_MS", step),
    snapshotMs: num(env, "SIM_SNAPSHOT_MS", step),
    restoreMs: num(env, "SIM_RESTORE_MS", step),
    nodeName: env.SIM_NODE_NAME || "sim-node-1",
    cdiFilesystemOverhead: num(env, "SIM_CDI_FS_OVERHEAD", 0),
    verbose: env.SIM_VERBOSE === "1" || env.SIM_VERBOSE === "true",
    upstream: env.WUKONG_UPSTREAM === "1",
    virtHandlerKubeconfig: env.SIM_VIRT_HANDLER_KUBECONFIG || undefined,
  };
}
