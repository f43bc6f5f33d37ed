import { IMPORT_COMPLETE_MESSAGE, networkStatus, planPod, podIp } from "./kubelet";
import { KubeObject } from "./resources";
import { after, cfg, obj, snapshotWith } from "./test-helpers";

const snap = (...vmis: KubeObject[]) => {
  const s = snapshotWith({ vmis });
  for (const node of ["sim-node-1", "sim-node-2"]) s.nodes.set(`/${node}`, obj("Node", node, {}, ""));
  return s;
};
const pod = (labels: Record<string, string>, extra: Partial<KubeObject> = {}, nodeName: string | null = "sim-node-1") =>
  obj("Pod", "p", {
    metadata: { labels, ...(extra.metadata ?? {}) },
    spec: { nodeName: nodeName ?? undefined, containers: [{ name: "compute" }] },
    status: extra.status ?? { phase: "Pending" },
  });

describe("the simulated kubelet", () => {
  it("leaves pods alone until kube-scheduler binds them to a simulated node", () => {
    expect(planPod(pod({}, {}, null), snap(), after(10_000), cfg)).toEqual([]);
    expect(planPod(pod({}, {}, "a-real-node"), snap(), after(10_000), cfg)).toEqual([]);
  });

  it("runs a bound pod: Running and Ready, with its pod IP and a running container", () => {
    const [action] = planPod(pod({}), snap(), after(0), cfg);
    expect(action).toMatchObject({
      type: "patch",
      subresource: "status",
      patch: {
        status: {
          phase: "Running",
          podIP: podIp(pod({})),
          conditions: expect.arrayContaining([expect.objectContaining({ type: "Ready", status: "True" })]),
          containerStatuses: [expect.objectContaining({ name: "compute", ready: true, state: { running: expect.anything() } })],
        },
      },
    });
  });

  it("reports Multus network-status for the networks a pod asks for", () => {
    const asking = pod({}, { metadata: { annotations: { "k8s.v1.cni.cncf.io/networks": '[{"name":"mgmt","namespace":"ns1","interface":"pod1a2b"}]' } } });
    const status = JSON.parse(networkStatus(asking, "10.244.1.2")!);
    expect(status).toEqual([
      expect.objectContaining({ name: "k8s-pod-network", interface: "eth0", ips: ["10.244.1.2"], default: true }),
      expect.objectContaining({ name: "ns1/mgmt", interface: "pod1a2b" }),
    ]);
    expect(planPod(asking, snap(), after(0), cfg)[0]).toMatchObject({
      patch: { metadata: { annotations: { "k8s.v1.cni.cncf.io/network-status": expect.any(String) } } },
    });
  });

  it("finishes a CDI importer pod with the termination message cdi-controller parses (CDI v1.66.0 cmd/cdi-importer)", () => {
    const importer = pod({ "cdi.kubevirt.io": "importer" });
    expect(planPod(importer, snap(), after(cfg.importMs - 1), cfg)).toEqual([]);
    const [action] = planPod(importer, snap(), after(cfg.importMs), cfg);
    expect(action).toMatchObject({
      patch: { status: { phase: "Succeeded", containerStatuses: [{ state: { terminated: { exitCode: 0, message: IMPORT_COMPLETE_MESSAGE } } }] } },
    });
    expect(JSON.parse(IMPORT_COMPLETE_MESSAGE)).toEqual({ preallocationApplied: false, message: "Import Complete" });
  });

  it("ends a virt-launcher pod once its VMI has finished, and keeps it while the VMI runs", () => {
    const vmi = (phase: string) => obj("VirtualMachineInstance", "vm", { metadata: { uid: "vmi-uid" }, status: { phase } });
    const launcher = pod({ "kubevirt.io": "virt-launcher", "kubevirt.io/created-by": "vmi-uid" }, { status: { phase: "Running" } });
    expect(planPod(launcher, snap(vmi("Running")), after(0), cfg)).toEqual([]);
    expect(planPod(launcher, snap(vmi("Succeeded")), after(0), cfg)[0]).toMatchObject({ patch: { status: { phase: "Succeeded" } } });
    expect(planPod(launcher, snap(), after(0), cfg)[0]).toMatchObject({ patch: { status: { phase: "Succeeded" } } });
  });

  it("removes a pod being deleted with a zero-grace delete, as a kubelet confirms stopped containers", () => {
    const going = pod({}, { metadata: { deletionTimestamp: "2026-01-01T00:00:00Z" } });
    expect(planPod(going, snap(), after(0), cfg)).toEqual([expect.objectContaining({ type: "delete", force: true, uid: going.metadata.uid })]);
  });
});
