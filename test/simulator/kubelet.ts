// Stand-in for the kubelet (and Multus, and the container runtime) of the simulated nodes: kube-scheduler binds pods
// to these nodes, and this reports them running the way a kubelet would, through the pods' status. It never runs a
// container.
//   - A pod bound to a simulated node goes Running and Ready, with a pod IP and one running status per container.
//     Multus would write k8s.v1.cni.cncf.io/network-status for the networks the pod asks for; so does this.
//   - A CDI importer pod (label cdi.kubevirt.io=importer) instead exits 0 with the termination message the real
//     importer writes (containerized-data-importer v1.66.0 cmd/cdi-importer/importer.go: common.TerminationMessage
//     {preallocationApplied, message: "Import Complete"}), which cdi-controller parses
//     (pkg/controller/import-controller.go, updatePvcFromPod) to mark the claim's import Succeeded.
//     Under `sim.novasphere.dev/import: fail` (on the pod's claim, its DataVolume or their Wukong) the importer exits 1
//     instead, with the plain termination message the importer writes when its source answers 404
//     (cmd/cdi-importer/importer.go, errorCannotConnectDataSource), and the kubelet restarts it (the pod's
//     restartPolicy is OnFailure) every importMs, counting restarts; cdi-controller keeps the DataVolume importing and
//     reports the message in its Running condition (pkg/controller/util.go, setAnnotationsFromPodWithPrefix). Once
//     the fault is gone the next run completes. `slow` makes the import SIM_SLOW_IMPORT_FACTOR times slower.
//   - A virt-launcher pod whose VMI has finished (or is gone) exits: the launcher ends with its guest.
//   - A pod being deleted is removed at once: its containers are "stopped", as the kubelet confirms with a
//     zero-grace delete.
import { createHash } from "node:crypto";
import { Action, Plan, planEach } from "./plan";
import type { SimConfig } from "./config";
import { controllerChain, FAULT_IMPORT, faultValue } from "./faults";
import { mergeConditions, nowTimestamp } from "./conditions";
import { KubeObject, keyOf, POD } from "./resources";
import type { Snapshot } from "./snapshot";
import type { Elapsed } from "./state-clock";

export const IMPORT_COMPLETE_MESSAGE = JSON.stringify({ preallocationApplied: false, message: "Import Complete" });
export const IMPORT_FAILED_MESSAGE = "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found";
const MULTUS_NETWORKS = "k8s.v1.cni.cncf.io/networks";
const MULTUS_NETWORK_STATUS = "k8s.v1.cni.cncf.io/network-status";

/** A stable address in 10.244.0.0/16 for the pod (its uid decides it). */
export function podIp(pod: KubeObject): string {
  const digest = createHash("sha256")
    .update(pod.metadata.uid ?? keyOf(pod))
    .digest();
  return `10.244.${digest[0]}.${(digest[1] % 253) + 2}`;
}

type MultusRequest = { name: string; namespace?: string; interface?: string };

/** What Multus reports after attaching the networks of the pod's k8s.v1.cni.cncf.io/networks annotation. */
export function networkStatus(pod: KubeObject, ip: string): string | undefined {
  const raw = pod.metadata.annotations?.[MULTUS_NETWORKS];
  if (!raw) return undefined;
  let requests: MultusRequest[];
  try {
    requests = raw.trim().startsWith("[")
      ? (JSON.parse(raw) as MultusRequest[])
      : raw.split(",").map(entry => {
          const [ref, iface] = entry.trim().split("@");
          const [namespace, name] = ref.includes("/") ? ref.split("/") : [undefined, ref];
          return { name, namespace, interface: iface };
        });
  } catch {
    return undefined; // Multus would fail the pod's sandbox; nothing to report
  }
  const statuses = [
    { name: "k8s-pod-network", interface: "eth0", ips: [ip], default: true },
    ...requests.map((request, i) => ({
      name: `${request.namespace ?? pod.metadata.namespace}/${request.name}`,
      interface: request.interface ?? `net${i + 1}`,
      mac: macFor(`${keyOf(pod)}/${request.name}`),
      dns: {},
    })),
  ];
  return JSON.stringify(statuses);
}

function macFor(seed: string): string {
  const d = createHash("sha256").update(seed).digest();
  return ["02", ...[0, 1, 2, 3, 4].map(i => d[i].toString(16).padStart(2, "0"))].join(":");
}

const isImporter = (pod: KubeObject) => pod.metadata.labels?.["cdi.kubevirt.io"] === "importer";
const isLauncher = (pod: KubeObject) => pod.metadata.labels?.["kubevirt.io"] === "virt-launcher";

/** The VMI a virt-launcher pod serves (label kubevirt.io/created-by holds its uid), if it still exists. */
function launcherVmi(pod: KubeObject, snap: Pick<Snapshot, "vmis">): KubeObject | undefined {
  const uid = pod.metadata.labels?.["kubevirt.io/created-by"];
  return [...snap.vmis.values()].find(vmi => vmi.metadata.namespace === pod.metadata.namespace && vmi.metadata.uid === uid);
}

function containerNames(pod: KubeObject): string[] {
  const containers: { name?: string }[] = Array.isArray(pod.spec?.containers) ? pod.spec.containers : [];
  return containers.map(c => String(c.name ?? ""));
}

type PodView = Pick<Snapshot, "vmis" | "nodes" | "pvcs" | "dataVolumes" | "wukongs">;

/** The import fault for an importer pod: on the pod, its claim (and CDI's prime claim), its DataVolume or their Wukong. */
function importFault(pod: KubeObject, snap: PodView): string | undefined {
  return faultValue(FAULT_IMPORT, controllerChain(pod, [...snap.pvcs.values(), ...snap.dataVolumes.values()]), snap.wukongs);
}

export function planPod(pod: KubeObject, snap: PodView, elapsed: Elapsed, cfg: SimConfig): Plan {
  const node = pod.spec?.nodeName;
  if (!node || !snap.nodes.has(`/${node}`)) return []; // not on a node this simulator plays
  const key = keyOf(pod);
  const ns = pod.metadata.namespace ?? "";
  const name = pod.metadata.name ?? "";
  if (pod.metadata.deletionTimestamp)
    return [{ type: "delete", res: POD, namespace: ns, name, uid: pod.metadata.uid, force: true, log: `[kubelet] ${key} stopped and removed` }];

  const status = pod.status ?? {};
  const phase: string = status.phase ?? "Pending";
  if (phase === "Succeeded" || phase === "Failed") return [];
  const now = nowTimestamp();
  const ip = status.podIP ?? podIp(pod);
  const exit = (message: string | undefined, log: string): Action => ({
    type: "patch",
    res: POD,
    namespace: ns,
    name,
    subresource: "status",
    patch: {
      status: {
        phase: "Succeeded",
        conditions: mergeConditions(status.conditions, [
          { type: "PodScheduled", status: "True" },
          { type: "Initialized", status: "True" },
          { type: "ContainersReady", status: "False", reason: "PodCompleted" },
          { type: "Ready", status: "False", reason: "PodCompleted" },
        ]),
        containerStatuses: containerNames(pod).map(c => ({
          name: c,
          ready: false,
          restartCount: 0,
          image: "simulated",
          imageID: "simulated",
          state: { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now, ...(message && { message }) } },
        })),
      },
    },
    log,
  });

  if (isImporter(pod)) return planImporter(pod, snap, elapsed, cfg, exit);
  if (isLauncher(pod) && phase === "Running") {
    const vmi = launcherVmi(pod, snap);
    if (!vmi || ["Succeeded", "Failed"].includes(vmi.status?.phase)) return [exit(undefined, `[kubelet] ${key} virt-launcher exited: its VMI ended`)];
    return [];
  }
  if (phase !== "Pending") return [];

  const plan: Plan = [];
  const networks = networkStatus(pod, ip);
  if (networks && pod.metadata.annotations?.[MULTUS_NETWORK_STATUS] !== networks)
    plan.push({
      type: "patch",
      res: POD,
      namespace: ns,
      name,
      patch: { metadata: { annotations: { [MULTUS_NETWORK_STATUS]: networks } } },
      log: `[multus] ${key} networks attached`,
    });
  plan.push({
    type: "patch",
    res: POD,
    namespace: ns,
    name,
    subresource: "status",
    patch: {
      status: {
        phase: "Running",
        hostIP: "127.0.0.1",
        podIP: ip,
        podIPs: [{ ip }],
        startTime: status.startTime ?? now,
        conditions: mergeConditions(status.conditions, [
          { type: "PodScheduled", status: "True" },
          { type: "Initialized", status: "True" },
          { type: "ContainersReady", status: "True" },
          { type: "Ready", status: "True" },
        ]),
        containerStatuses: containerNames(pod).map(c => ({
          name: c,
          ready: true,
          started: true,
          restartCount: 0,
          image: "simulated",
          imageID: "simulated",
          state: { running: { startedAt: now } },
        })),
      },
    },
    log: `[kubelet] ${key} Running on ${node} (${ip})`,
  });
  return plan;
}

/** CDI's importer: exits 0 with Import Complete, or fails and is restarted while the import fault holds. */
function planImporter(pod: KubeObject, snap: PodView, elapsed: Elapsed, cfg: SimConfig, exit: (message: string | undefined, log: string) => Action): Plan {
  const key = keyOf(pod);
  const fault = importFault(pod, snap);
  const container = (pod.status?.containerStatuses ?? [])[0];
  const restarts: number = container?.restartCount ?? 0;
  const failedRun = container?.state?.terminated?.exitCode === 1;
  const since = elapsed(`pod:${pod.metadata.uid ?? key}`, `importer:${fault === "fail" ? "failing" : "importing"}:${restarts}:${failedRun}`);
  const runMs = fault === "slow" ? cfg.importMs * cfg.slowImportFactor : cfg.importMs;
  if (since < runMs) return [];
  if (fault !== "fail") return [exit(IMPORT_COMPLETE_MESSAGE, `[kubelet] ${key} importer exited 0: Import Complete`)];
  const now = nowTimestamp();
  const restartCount = failedRun ? restarts + 1 : restarts;
  const status = {
    phase: "Running",
    conditions: mergeConditions(pod.status?.conditions, [
      { type: "PodScheduled", status: "True" },
      { type: "Initialized", status: "True" },
      { type: "ContainersReady", status: "False", reason: "ContainersNotReady" },
      { type: "Ready", status: "False", reason: "ContainersNotReady" },
    ]),
    containerStatuses: containerNames(pod).map(name => ({
      name,
      ready: false,
      started: false,
      restartCount,
      image: "simulated",
      imageID: "simulated",
      state: { terminated: { exitCode: 1, reason: "Error", startedAt: now, finishedAt: now, message: IMPORT_FAILED_MESSAGE } },
    })),
  };
  return [
    {
      type: "patch",
      res: POD,
      namespace: pod.metadata.namespace ?? "",
      name: pod.metadata.name ?? "",
      subresource: "status",
      patch: { status },
      log: `[kubelet] ${key} importer exited 1 (restart ${restartCount}): ${IMPORT_FAILED_MESSAGE}`,
    },
  ];
}

/** Every pod bound to one of the simulated nodes. */
export function planKubelet(snap: Snapshot, elapsed: Elapsed, cfg: SimConfig): Plan[] {
  return planEach(snap.pods.values(), "pods", pod => planPod(pod, snap, elapsed, cfg));
}
