// wukong-vm-runtime-simulator: a TEST STAND-IN for the controllers a real KubeVirt cluster runs
// (CDI, KubeVirt, a PV binder/resizer, NMState). It never starts a VM; it only writes the objects and status
// those controllers would, so the Wukong operator can be tested against a bare kube-apiserver.
//
// Run: KUBECONFIG=... npx tsx test/simulator/main.ts   (env knobs: see config.ts / README.md)
// The local stack runs test/guest/main.ts: this loop with the real-guest runtime plugged in (node-runtime.ts).
import { runPlans } from "./run-plans";
import { planCdi } from "./cdi";
import { loadConfig, type SimConfig } from "./config";
import { planCsiSnapshots } from "./csi-snapshots";
import { KubeClient } from "../support/kube-client";
import { planKubevirtSnapshots } from "./kubevirt-snapshot";
import { planKubevirtVms } from "./kubevirt-vm";
import { planKubevirtVmis } from "./kubevirt-vmi";
import { planKubelet } from "./kubelet";
import { planNodeHeartbeats } from "./node-heartbeat";
import { planVirtHandlers } from "./virt-handler";
import { planSourceLauncherExits, planVirtHandlerMigrations } from "./virt-handler-migration";
import { Logger } from "./log";
import { planNodeNetworkPolicies } from "./nmstate";
import { planNodeNetworkStates } from "./nmstate-node-state";
import { type Nmstatectl, realNmstatectl } from "./nmstatectl";
import { planPvcBinder } from "./pvc-binder";
import { readSnapshot } from "./snapshot";
import { StateClock } from "./state-clock";
import type { NodeRuntime } from "./node-runtime";

/** Makes the runtime that runs beside the simulated controllers, once the client is connected. */
export type NodeRuntimeFactory = (client: KubeClient, logger: Logger, cfg: SimConfig) => NodeRuntime;

async function main(nodeRuntime?: NodeRuntimeFactory): Promise<void> {
  const cfg = loadConfig();
  const logger = new Logger(cfg.verbose);
  const client = await KubeClient.fromKubeconfig({ userAgent: "wukong-vm-runtime-simulator" });
  // VMI status is written as virt-handler's ServiceAccount: virt-api's VMI mutator reverts anyone else's.
  const virtHandlerClient = cfg.virtHandlerKubeconfig
    ? await KubeClient.fromKubeconfig({ userAgent: "wukong-vm-runtime-simulator", file: cfg.virtHandlerKubeconfig })
    : client;
  const clock = new StateClock();
  const guests = nodeRuntime?.(client, logger, cfg);
  let nmstatectl: Nmstatectl | undefined;
  try {
    nmstatectl = realNmstatectl();
  } catch (err) {
    logger.info(`[sim] no nmstatectl (${(err as Error).message.trim()}): NodeNetworkConfigurationPolicies are left alone`);
  }
  logger.info(`[sim] wukong-vm-runtime-simulator (stand-in for CDI, KubeVirt, PV binder) against ${client.server}; ${JSON.stringify(cfg)}`);

  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // second signal: do not wait
    stopping = true;
    logger.info(`[sim] ${signal} received, stopping`);
    wake?.();
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));

  while (!stopping) {
    try {
      const snap = await readSnapshot(client);
      logger.once(
        "missing-apis",
        snap.missingApis.length
          ? `[sim] not served (CRD not installed?), treated as empty: ${snap.missingApis.join(", ")}`
          : "[sim] all simulated APIs are served",
      );
      // Each controller sees the same snapshot; effects of one show up for the others next loop.
      await runPlans(client, planPvcBinder(snap, clock.elapsed, cfg), logger);
      if (cfg.upstream) {
        // virt-controller, cdi-controller and kube-scheduler are real: play only what runs on a node.
        await runPlans(client, planNodeHeartbeats(snap), logger);
        await runPlans(client, planKubelet(snap, clock.elapsed, cfg), logger);
        await runPlans(virtHandlerClient, planVirtHandlers(snap), logger);
        await runPlans(virtHandlerClient, planVirtHandlerMigrations(snap), logger);
        await runPlans(client, planSourceLauncherExits(snap), logger);
        await runPlans(client, planCsiSnapshots(snap, clock.elapsed, cfg), logger);
      } else {
        await runPlans(client, planCdi(snap, clock.elapsed, cfg), logger);
        await runPlans(client, planKubevirtVms(snap), logger);
        await runPlans(client, planKubevirtVmis(snap, clock.elapsed, cfg), logger);
        await runPlans(client, planKubevirtSnapshots(snap, clock.elapsed, cfg), logger);
      }
      await runPlans(client, planNodeNetworkStates(snap), logger);
      if (nmstatectl) await runPlans(client, await planNodeNetworkPolicies(snap, clock.elapsed, cfg, nmstatectl), logger);
      await guests?.tick(snap);
      clock.sweep();
      logger.clear("loop");
    } catch (err) {
      // API server down or restarting: keep trying, say so once.
      logger.once("loop", `[sim] loop error (will retry): ${(err as Error).message}`);
    }
    await new Promise<void>(resolve => {
      const timer = setTimeout(resolve, cfg.tickMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  await client.close();
  if (virtHandlerClient !== client) await virtHandlerClient.close();
  logger.info("[sim] stopped");
}

/** Runs the simulator until SIGINT or SIGTERM, with a node runtime beside it; a fatal error ends the process. */
export function runSimulator(nodeRuntime?: NodeRuntimeFactory): void {
  main(nodeRuntime).catch(err => {
    console.error(`[sim] fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}

if (require.main === module) runSimulator();
