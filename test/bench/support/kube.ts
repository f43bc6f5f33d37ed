// The benchmarks' side of the test tools' one API client (test/support/kube-client.ts): where each kind they touch is
// served, and a client that counts every request it sends by the classes of apiserver_request_total, so that the
// driver's own traffic can be subtracted from the server's totals.
import { KubeClient, type Resource } from "../../support/kube-client";
import { classify, keyOf } from "./classify.cjs";

export type Counts = Record<string, number>;

const core = (plural: string, kind: string, namespaced = true): Resource => ({ group: "", version: "v1", plural, kind, namespaced });

/** Where each kind the benchmark touches is served. */
export const RESOURCES = {
  Namespace: core("namespaces", "Namespace", false),
  Wukong: { group: "vm.novasphere.dev", version: "v1alpha1", plural: "wukongs", kind: "Wukong", namespaced: true },
  NetworkAttachmentDefinition: {
    group: "k8s.cni.cncf.io",
    version: "v1",
    plural: "network-attachment-definitions",
    kind: "NetworkAttachmentDefinition",
    namespaced: true,
  },
  DataVolume: { group: "cdi.kubevirt.io", version: "v1beta1", plural: "datavolumes", kind: "DataVolume", namespaced: true },
  PersistentVolumeClaim: core("persistentvolumeclaims", "PersistentVolumeClaim"),
  Secret: core("secrets", "Secret"),
  VirtualMachine: { group: "kubevirt.io", version: "v1", plural: "virtualmachines", kind: "VirtualMachine", namespaced: true },
  VirtualMachineInstance: { group: "kubevirt.io", version: "v1", plural: "virtualmachineinstances", kind: "VirtualMachineInstance", namespaced: true },
} satisfies Record<string, Resource>;
export type KindName = keyof typeof RESOURCES;

/** The admin kubeconfig's client, counting what it sends in `sent`; generous timeouts, as a loaded server needs. */
export function benchClient(): Promise<KubeClient> {
  return KubeClient.fromKubeconfig({
    userAgent: "wukong-bench",
    timeoutMs: 120_000,
    countAs: (method, path, contentType) => {
      const c = classify(method, path, contentType);
      return c ? keyOf(c) : undefined;
    },
  });
}

/**
 * Retries what a user would retry: throttling, server errors, network failures, and admission's own "retry"
 * (a webhook whose cluster lookup timed out under load). Counts the retries in `retries`.
 */
export async function retrying<T>(work: () => Promise<T>, retries: { count: number }, attempts = 8): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const status = (error as { status?: number }).status;
      const message = String((error as { message?: string }).message ?? "");
      const transient = status === undefined || status === 429 || status >= 500 || (status === 422 && /\bretry\b/.test(message));
      if (!transient || attempt >= attempts) throw error;
      retries.count++;
      await sleep(Math.min(500 * 2 ** (attempt - 1), 8000));
    }
  }
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms));
