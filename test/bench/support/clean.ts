// Removes what an interrupted benchmark left behind: namespaces labelled wukong-bench=true. Their Wukongs lose our
// finalizer first (no operator may be running), then the namespace goes; the simulator, if running, releases the
// PVCs' protection. Without this, the next run's admission would find the workload's static addresses taken.
//   tsx test/bench/support/clean.ts [--timeout-seconds 600]
import { benchClient, pool, RESOURCES } from "./kube";
import { deleteNamespace, log, options } from "./phase";

async function main() {
  const timeoutMs = 1000 * Number(options()["timeout-seconds"] ?? 600);
  const kube = await benchClient();
  try {
    const namespaces = (await kube.list(RESOURCES.Namespace, undefined, "wukong-bench=true")).items.map(n => n.metadata.name ?? "");
    for (const namespace of namespaces) {
      const wukongs = (await kube.list(RESOURCES.Wukong, namespace)).items;
      log(`clean: namespace ${namespace} left by an earlier run (${wukongs.length} Wukongs)`);
      await pool(wukongs, 8, async w => {
        const path = `/apis/vm.novasphere.dev/v1alpha1/namespaces/${namespace}/wukongs/${w.metadata.name}`;
        await kube.raw("PATCH", path, { metadata: { finalizers: null } }, "application/merge-patch+json");
      });
      const took = await deleteNamespace(kube, namespace, timeoutMs);
      if (took === undefined) throw new Error(`namespace ${namespace} still there after ${timeoutMs / 1000} s`);
    }
  } finally {
    await kube.close();
  }
}

void main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
