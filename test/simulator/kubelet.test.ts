import { IMPORT_COMPLETE_MESSAGE, IMPORT_FAILED_MESSAGE, networkStatus, planPod, podIp } from "./kubelet";
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

  describe("an importer whose source fails (sim.novasphere.dev/import: fail on the Wukong)", () => {
    // CDI v1.66.0: the importer pod is owned by a claim (the populator's prime claim, owned by the DataVolume's claim,
    // owned by the DataVolume); cmd/cdi-importer/importer.go exits 1 with a plain termination message on a 404.
    const wukong = (fault?: string) => obj("Wukong", "web", { metadata: { annotations: fault ? { "sim.novasphere.dev/import": fault } : {} } });
    const dv = obj("DataVolume", "web-system", { metadata: { labels: { "vm.novasphere.dev/wukong": "web" } } });
    const owned = (kind: string, name: string, owner: KubeObject) =>
      obj(kind, name, {
        metadata: {
          ownerReferences: [{ apiVersion: "v1", kind: owner.kind ?? "", name: owner.metadata.name ?? "", uid: owner.metadata.uid ?? "", controller: true }],
        },
      });
    const claim = owned("PersistentVolumeClaim", "web-system", dv);
    const prime = owned("PersistentVolumeClaim", "prime-1", claim);
    const importerOf = (status: object = { phase: "Pending" }) => {
      const p = pod({ "cdi.kubevirt.io": "importer" }, { status });
      p.metadata.ownerReferences = owned("Pod", "p", prime).metadata.ownerReferences;
      return p;
    };
    const view = (fault?: string) =>
      Object.assign(snapshotWith({ pvcs: [claim, prime], dataVolumes: [dv], wukongs: [wukong(fault)] }), { nodes: snap().nodes });

    it("exits 1 with the importer's 404 message, the pod Running for its restart, and counts each failed run", () => {
      const [first] = planPod(importerOf(), view("fail"), after(cfg.importMs), cfg);
      expect(first).toMatchObject({
        subresource: "status",
        patch: {
          status: {
            phase: "Running",
            containerStatuses: [{ restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error", message: IMPORT_FAILED_MESSAGE } } }],
          },
        },
      });
      const failedOnce = importerOf((first as { patch: { status: object } }).patch.status);
      expect(planPod(failedOnce, view("fail"), after(cfg.importMs), cfg)[0]).toMatchObject({
        patch: { status: { containerStatuses: [{ restartCount: 1 }] } },
      });
    });

    it("completes on the next run once the fault is gone, and is slower under import: slow", () => {
      const failedOnce = importerOf({ phase: "Running", containerStatuses: [{ name: "compute", restartCount: 0, state: { terminated: { exitCode: 1 } } }] });
      expect(planPod(failedOnce, view(), after(cfg.importMs), cfg)[0]).toMatchObject({ patch: { status: { phase: "Succeeded" } } });
      expect(planPod(importerOf(), view("slow"), after(cfg.importMs), cfg)).toEqual([]);
      expect(planPod(importerOf(), view("slow"), after(cfg.importMs * cfg.slowImportFactor), cfg)[0]).toMatchObject({
        patch: { status: { phase: "Succeeded" } },
      });
    });
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
