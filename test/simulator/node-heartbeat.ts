// The kubelet's heartbeats for the simulated nodes, which kube-controller-manager's
// node-lifecycle-controller reads (k8s.io/kubernetes v1.36.3 pkg/controller/nodelifecycle/node_lifecycle_controller.go):
//   - A Node is created with the taint node.kubernetes.io/not-ready:NoSchedule (kube-apiserver's TaintNodesByCondition
//     admission, plugin/pkg/admission/nodetaint). The controller removes it once the node's Ready condition is True
//     (doNoScheduleTaintingPass); until then kube-scheduler places no pod there. So the kubelet posts Ready and no
//     pressure, as pkg/kubelet/nodestatus/setters.go does, whenever the node does not say so.
//   - The controller marks a node Unknown (and taints it unreachable) when neither its Ready heartbeat nor its Lease
//     in kube-node-lease was renewed within --node-monitor-grace-period (tryUpdateNodeHealth). So the kubelet keeps a
//     Lease per node, owned by its Node, renewed every 10 s of its 40 s duration (pkg/kubelet/nodelease,
//     pkg/kubelet/kubelet.go: renewIntervalFraction 0.25 of nodeLeaseDurationSeconds).
import type { Action, Plan } from "./plan";
import { Condition, ConditionSpec, mergeConditions, nowTimestamp } from "./conditions";
import { KubeObject, LEASE, NODE, NODE_LEASE_NAMESPACE } from "./resources";
import type { Snapshot } from "./snapshot";

export const LEASE_DURATION_SECONDS = 40;
export const LEASE_RENEW_MS = 10_000;

const KUBELET_CONDITIONS: ConditionSpec[] = [
  { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
  { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
  { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  { type: "Ready", status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" },
];

/** A Lease's spec.renewTime is a MicroTime: RFC 3339 with six fractional digits. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

function postStatus(node: KubeObject, now: Date): Action[] {
  const current: Condition[] = Array.isArray(node.status?.conditions) ? node.status.conditions : [];
  if (KUBELET_CONDITIONS.every(want => current.some(c => c?.type === want.type && c.status === want.status))) return [];
  const others = current.filter(c => !KUBELET_CONDITIONS.some(want => want.type === c?.type));
  const conditions = [...others, ...mergeConditions(current, KUBELET_CONDITIONS, { heartbeat: true, now: nowTimestamp(now) })];
  const name = node.metadata.name ?? "";
  return [
    {
      type: "patch",
      res: NODE,
      namespace: "",
      name,
      subresource: "status",
      patch: { status: { conditions } },
      log: `[kubelet] node ${name} posted Ready`,
    },
  ];
}

function renewLease(node: KubeObject, lease: KubeObject | undefined, now: Date): Action[] {
  const name = node.metadata.name ?? "";
  const renewTime = microTime(now);
  if (!lease)
    return [
      {
        type: "create",
        res: LEASE,
        obj: {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: {
            name,
            namespace: NODE_LEASE_NAMESPACE,
            ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata.uid ?? "" }],
          },
          spec: { holderIdentity: name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime },
        },
        log: `[kubelet] node ${name} holds its Lease`,
      },
    ];
  const renewed = Date.parse(lease.spec?.renewTime ?? "");
  if (Number.isFinite(renewed) && now.getTime() - renewed < LEASE_RENEW_MS) return [];
  // Every 10 s per node: not worth a log line.
  return [{ type: "patch", res: LEASE, namespace: NODE_LEASE_NAMESPACE, name, patch: { spec: { renewTime } }, log: "" }];
}

/** Each simulated node's status and Lease, as its kubelet keeps them. */
export function planNodeHeartbeats(snap: Pick<Snapshot, "nodes" | "nodeLeases">, now: Date = new Date()): Plan[] {
  return [...snap.nodes.values()].map(node => [
    ...postStatus(node, now),
    ...renewLease(node, snap.nodeLeases.get(`${NODE_LEASE_NAMESPACE}/${node.metadata.name}`), now),
  ]);
}
