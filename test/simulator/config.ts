// Simulator timings and names, from environment variables (all optional). Small defaults keep e2e
// tests fast; every delay is "how long an object stays in its current state before the next step".

export interface SimConfig {
  tickMs: number; // how often the level-triggered loop re-reads the cluster
  pvcBindMs: number; // Pending PVC -> provisioned and Bound
  pvcExpandMs: number; // grown request -> status.capacity follows
  importMs: number; // CDI's importer pod Running -> exits (Import Complete, or its failure under the fault)
  slowImportFactor: number; // multiplier for `sim.novasphere.dev/import: slow`
  enactmentMs: number; // an NMState enactment stays Progressing this long before it is applied
  snapshotMs: number; // a VolumeSnapshotContent is cut (ready to use) after this long
  verbose: boolean; // log skipped/retried writes too
  // The kubeconfig of virt-handler's ServiceAccount (kubevirt/kubevirt-handler). virt-api's VMI mutator puts back
  // every VMI status change made by anyone but KubeVirt's ServiceAccounts (kubevirt v1.7.4
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
    importMs: num(env, "SIM_IMPORT_MS", 2 * step),
    slowImportFactor: num(env, "SIM_SLOW_IMPORT_FACTOR", 10),
    enactmentMs: num(env, "SIM_ENACTMENT_MS", step),
    snapshotMs: num(env, "SIM_SNAPSHOT_MS", step),
    verbose: env.SIM_VERBOSE === "1" || env.SIM_VERBOSE === "true",
    virtHandlerKubeconfig: env.SIM_VIRT_HANDLER_KUBECONFIG || undefined,
  };
}
