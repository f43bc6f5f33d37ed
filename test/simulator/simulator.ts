// wukong-vm-runtime-simulator: a TEST STAND-IN for the controllers a real KubeVirt cluster runs
// (CDI, KubeVirt, a PV binder/resizer, NMState). It never starts a VM; it only writes the objects and status
// those controllers would, so the Wukong operator can be tested against a bare kube-apiserver.
// Entry points: test/simulator/main.ts (the simulator alone), test/guest/main.ts (with real guests).
import { runPlans } from "./run-plans";
import { planCdi } from "./cdi";
import { type SimConfig, loadConfig } from "./config";
import { KubeClient } from "./kube-client";
import { planKubevirtSnapshots } from "./kubevirt-snapshot";
import { planKubevirtVms } from "./kubevirt-vm";
import { planKubevirtVmis } from "./kubevirt-vmi";
import { Logger } from "./log";
import { planNodeNetworkPolicies, planNodeNetworkStates } from "./nmstate";
import { planPvcBinder } from "./pvc-binder";
import { readSnapshot } from "./snapshot";
import { StateClock } from "./state-clock";
import type { NodeRuntime } from "./node-runtime";

/** Makes the node runtimes that run beside the simulated controllers, once the client is connected. */
export type NodeRuntimes = (client: KubeClient, logger: Logger, cfg: SimConfig) => NodeRuntime[];

/** Runs the simulator loop until SIGINT or SIGTERM; a fatal error ends the process. */
export function runSimulator(nodeRuntimes: NodeRuntimes = () => []): void {
  simulate(nodeRuntimes).catch(err => {
    console.error(`[sim] fatal: ${(err as Error).stack ?? err}`);
    process.exit(1);
  });
}

async function simulate(nodeRuntimes: NodeRuntimes): Promise<void> {
  const cfg = loadConfig();
  const logger = new Logger(cfg.verbose);
  const client = await KubeClient.fromKubeconfig();
  const clock = new StateClock();
  const runtimes = nodeRuntimes(client, logger, cfg);
  logger.info(`[sim] wukong-vm-runtime-simulator (stand-in for CDI, KubeVirt, PV binder) against ${client.serverUrl}; ${JSON.stringify(cfg)}`);

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
      await runPlans(client, planCdi(snap, clock.elapsed, cfg), logger);
      await runPlans(client, planKubevirtVms(snap), logger);
      await runPlans(client, planKubevirtVmis(snap, clock.elapsed, cfg), logger);
      await runPlans(client, planKubevirtSnapshots(snap, clock.elapsed, cfg), logger);
      await runPlans(client, planNodeNetworkStates(snap), logger);
      await runPlans(client, planNodeNetworkPolicies(snap, clock.elapsed, cfg), logger);
      for (const runtime of runtimes) await runtime.tick(snap);
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
  client.close();
  logger.info("[sim] stopped");
}
