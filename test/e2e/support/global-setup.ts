// Jest globalSetup: the stack up (reused when already running), the cluster environment for every test
// process, and namespaces left over from an earlier run (with WUKONG_KEEP_STACK=1) cleared away.
import { clusterEnv, stackUp } from "./stack";
import { SUITE_LABEL, kubectl, kubectlOk, sleep } from "./kube";
import { secretMarker } from "./secrets";

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  stackUp();
  // Test files run in workers forked after this: they inherit process.env.
  Object.assign(process.env, clusterEnv());
  secretMarker(); // one per run, in process.env for the test files and globalTeardown
  // The tests must drive the kubectl env.sh puts first on PATH, not whatever else the machine has.
  const client = JSON.parse(await kubectlOk(["version", "--client", "-o", "json"])).clientVersion.gitVersion as string;
  if (!client.startsWith("v1.36.")) throw new Error(`kubectl on PATH is ${client}, expected the v1.36 one test/stack/cluster/build.sh builds`);
  await clearLeftovers();
  process.stderr.write(`e2e: stack ready after ${((Date.now() - started) / 1000).toFixed(1)} s (kubectl ${client}, KUBECONFIG=${process.env.KUBECONFIG})\n`);
}

/** Journeys use fresh namespaces, but a leftover Wukong may still hold a static IP a journey wants. */
async function clearLeftovers(): Promise<void> {
  const names = (await kubectlOk(["get", "namespaces", "-l", SUITE_LABEL, "-o", "name"])).split("\n").filter(Boolean);
  if (names.length === 0) return;
  process.stderr.write(`e2e: deleting ${names.length} namespaces left by an earlier run\n`);
  await kubectlOk(["delete", ...names, "--wait=false", "--ignore-not-found"]);
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    const left = await kubectl(["get", "namespaces", "-l", SUITE_LABEL, "-o", "name"]);
    if (left.code === 0 && left.stdout.trim() === "") return;
    await sleep(1000);
  }
  throw new Error("namespaces from an earlier e2e run are still terminating after 120 s: kubectl get ns -l " + SUITE_LABEL);
}
