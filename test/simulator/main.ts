// wukong-vm-runtime-simulator: a TEST STAND-IN for what runs on a real cluster's nodes. The real kube-scheduler,
// KubeVirt (virt-api, virt-controller) and CDI (cdi-apiserver, cdi-controller) control planes run beside the
// kube-apiserver (test/stack/cluster/upstream/); this plays the kubelet and its heartbeat, virt-handler, a CSI driver
// (provisioner, resizer, snapshotter) and NMState's handler. It never starts a VM (test/guest/ does, for Wukongs
// labelled for a real guest); it writes the objects and status those node agents would.
//
// Run: KUBECONFIG=... npx tsx test/simulator/main.ts   (env knobs: see config.ts / README.md)
// The local stack runs test/guest/main.ts: this loop with the real-guest runtime plugged in (node-runtime.ts).
import { runPlans } from "./run-plans";
import { loadConfig, type SimConfig } from "./config";
import { planCsiSnapshots } from "./csi-snapshots";
import { KubeClient } from "../support/kube-client";
import { planKubelet } from "./kubelet";
import { planNodeHeartbeats } from "./node-heartbeat";
import { planVirtHandlers } from "./virt-handler";
import { planVolumeHotplugs } from "./virt-handler-hotplug";
import { planHotplugs } from "./virt-handler-resize";
import { planSourceLauncherExits, planVirtHandlerMigrations } from "./virt-handler-migration";
import { Logger } from "./log";
import { planNodeNetworkPolicies } from "./nmstate";
import { planNodeNetworkStates } from "./nmstate-node-state";
import { type Nmstatectl, realNmstatectl } from "./nmstatectl";
import { planPvcBinder } from "./pvc-binder";
import { readSnapshot } from "./snapshot";
import { StateClock } from "./state-clock";
import type { NodeRuntime } from "./node-runtime";

/** The clients a node runtime writes with: the admin's, and virt-handler's ServiceAccount's for VMI status. */
export interface NodeClients {
  admin: KubeClient;
  virtHandler: KubeClient;
}

/** Makes the runtime that runs beside the simulated node agents, once the clients are connected. */
export type NodeRuntimeFactory = (clients: NodeClients, logger: Logger, cfg: SimConfig) => NodeRuntime;

async function main(nodeRuntime?: NodeRuntimeFactory): Promise<void> {
  const cfg = loadConfig();
  const logger = new Logger(cfg.verbose);
  const client = await KubeClient.fromKubeconfig({ userAgent: "wukong-vm-runtime-simulator" });
  // VMI status is written as virt-handler's ServiceAccount: virt-api's VMI mutator reverts anyone else's.
  const virtHandlerClient = cfg.virtHandlerKubeconfig
    ? await KubeClient.fromKubeconfig({ userAgent: "wukong-vm-runtime-simulator", file: cfg.virtHandlerKubeconfig })
    : client;
  const clock = new StateClock();
  const guests = nodeRuntime?.({ admin: client, virtHandler: virtHandlerClient }, logger, cfg);
  let nmstatectl: Nmstatectl | undefined;
  try {
    nmstatectl = realNmstatectl();
  } catch (err) {
    logger.info(`[sim] no nmstatectl (${(err as Error).message.trim()}): NodeNetworkConfigurationPolicies are left alone`);
  }
  logger.info(
    `[sim] wukong-vm-runtime-simulator (the node side: kubelet, virt-handler, CSI, NMState handler) against ${client.server}; ${JSON.stringify(cfg)}`,
  );

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
      await runPlans(client, planNodeHeartbeats(snap), logger);
      await runPlans(client, planKubelet(snap, clock.elapsed, cfg), logger);
      await runPlans(virtHandlerClient, planVirtHandlers(snap), logger);
      await runPlans(virtHandlerClient, planVirtHandlerMigrations(snap), logger);
      await runPlans(client, planSourceLauncherExits(snap), logger);
      await runPlans(virtHandlerClient, planVolumeHotplugs(snap), logger);
      await runPlans(virtHandlerClient, planHotplugs(snap), logger);
      await runPlans(client, planCsiSnapshots(snap, clock.elapsed, cfg), logger);
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
