import { desiredPvc, nextDvStatus, planDataVolume } from "./cdi";
import { after, applyMergePatch, cfg, noFaults, obj, snapshotWith } from "./test-helpers";
import { KubeObject } from "./resources";

const dv = (extra: Partial<KubeObject> = {}, source: object = { http: { url: "https://img.example/disk.qcow2" } }) =>
  obj("DataVolume", "web-root", {
    metadata: { labels: { "vm.novasphere.dev/wukong": "web" }, ...(extra.metadata ?? {}) },
    spec: { source, storage: { storageClassName: "longhorn", resources: { requests: { storage: "20Gi" } } } },
    status: extra.status,
  });
const boundPvc = (owner: KubeObject) =>
  obj("PersistentVolumeClaim", "web-root", {
    metadata: {
      ownerReferences: [{ apiVersion: "cdi.kubevirt.io/v1beta1", kind: "DataVolume", name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true }],
    },
    status: { phase: "Bound" },
  });

describe("desiredPvc", () => {
  it("creates a same-name PVC owned by the DataVolume with size, class, labels and CDI annotations", () => {
    const d = dv();
    const pvc = desiredPvc(d, cfg)!;
    expect(pvc.metadata).toMatchObject({
      name: "web-root",
      namespace: "ns1",
      labels: { "vm.novasphere.dev/wukong": "web", app: "containerized-data-importer" },
      annotations: { "cdi.kubevirt.io/storage.import.endpoint": "https://img.example/disk.qcow2", "cdi.kubevirt.io/storage.import.source": "http" },
      ownerReferences: [{ kind: "DataVolume", name: "web-root", uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }],
    });
    expect(pvc.spec).toEqual({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } }, storageClassName: "longhorn" });
  });

  it("uses spec.pvc verbatim and adds filesystem overhead only for spec.storage", () => {
    const withPvc = obj("DataVolume", "d", {
      spec: { source: { blank: {} }, pvc: { accessModes: ["ReadWriteMany"], resources: { requests: { storage: "1Gi" } } } },
    });
    expect(desiredPvc(withPvc, { cdiFilesystemOverhead: 0.055 })!.spec).toMatchObject({
      accessModes: ["ReadWriteMany"],
      resources: { requests: { storage: "1Gi" } },
    });
    // CDI v1.66.0 GetRequiredSpace (pkg/util/util.go): ceil(roundUp(20Gi, 1MiB) × 1.055).
    expect(desiredPvc(dv(), { cdiFilesystemOverhead: 0.055 })!.spec.resources.requests.storage).toBe(String(Math.ceil(20 * 2 ** 30 * 1.055)));
  });

  it("returns undefined without a size", () => {
    expect(desiredPvc(obj("DataVolume", "d", { spec: { source: { blank: {} }, storage: {} } }), cfg)).toBeUndefined();
  });
});

describe("nextDvStatus", () => {
  const d = dv();
  const pvc = boundPvc(d);
  const at = (phase: string, progress?: string, restartCount?: number) => dv({ status: { phase, progress, restartCount } });

  it("waits in Pending while the PVC is missing or unbound", () => {
    expect(nextDvStatus(d, undefined, noFaults, 0, cfg)).toMatchObject({ phase: "Pending", claimName: undefined });
    const unbound = { ...pvc, status: { phase: "Pending" } };
    const s = nextDvStatus(d, unbound, noFaults, 0, cfg);
    expect(s.phase).toBe("Pending");
    expect(s.conditions[0]).toEqual({ type: "Bound", status: "False", reason: "Pending", message: "PVC web-root Pending" });
  });

  it("walks ImportScheduled -> ImportInProgress (progress) -> Succeeded", () => {
    expect(nextDvStatus(at("Pending"), pvc, noFaults, 0, cfg)).toMatchObject({ phase: "ImportScheduled", claimName: "web-root" });
    expect(nextDvStatus(at("ImportScheduled"), pvc, noFaults, 500, cfg).phase).toBe("ImportScheduled");
    expect(nextDvStatus(at("ImportScheduled"), pvc, noFaults, 1000, cfg)).toMatchObject({ phase: "ImportInProgress", progress: "0.0%" });
    expect(nextDvStatus(at("ImportInProgress", "0.0%"), pvc, noFaults, 1000, cfg)).toMatchObject({ phase: "ImportInProgress", progress: "50.0%" });
    const done = nextDvStatus(at("ImportInProgress", "50.0%"), pvc, noFaults, 2000, cfg);
    expect(done).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
    expect(done.conditions.map(c => [c.type, c.status])).toEqual([
      ["Bound", "True"],
      ["Ready", "True"],
      ["Running", "False"],
    ]);
  });

  it("imports 10x slower with the slow fault, and never moves progress backwards", () => {
    const slow = { ...noFaults, importSlow: true };
    expect(nextDvStatus(at("ImportInProgress", "0.0%"), pvc, slow, 2000, cfg).progress).toBe("10.0%");
    expect(nextDvStatus(at("ImportInProgress", "40.0%"), pvc, noFaults, 0, cfg).progress).toBe("40.0%");
  });

  it("goes straight to Succeeded for a blank disk once bound", () => {
    const blank = dv({}, { blank: {} });
    expect(nextDvStatus(blank, boundPvc(blank), noFaults, 0, cfg)).toMatchObject({ phase: "Succeeded", progress: "100.0%" });
  });

  it("fails with a CDI-like message, and re-imports once the fault is gone", () => {
    const fail = { ...noFaults, importFails: true };
    const failed = nextDvStatus(at("ImportScheduled"), pvc, fail, 1000, cfg);
    expect(failed).toMatchObject({ phase: "Failed", restartCount: 1 });
    expect(failed.conditions.find(c => c.type === "Running")).toMatchObject({
      status: "False",
      reason: "Error",
      message: expect.stringContaining("Unable to connect to http data source"),
    });
    expect(nextDvStatus(at("ImportInProgress", "30.0%"), pvc, fail, 0, cfg).phase).toBe("Failed");
    expect(nextDvStatus(at("Failed", "N/A", 1), pvc, fail, 5000, cfg)).toMatchObject({ phase: "Failed", restartCount: 1 });
    expect(nextDvStatus(at("Failed", "N/A", 1), pvc, noFaults, 0, cfg)).toMatchObject({ phase: "ImportScheduled", restartCount: 1 });
  });

  it("keeps a finished import Succeeded even if a fault appears later", () => {
    expect(nextDvStatus(at("Succeeded", "100.0%"), pvc, { ...noFaults, importFails: true }, 0, cfg).phase).toBe("Succeeded");
  });
});

describe("planDataVolume", () => {
  it("creates the PVC and reports Pending on first sight", () => {
    const d = dv();
    const plan = planDataVolume(d, snapshotWith({ dataVolumes: [d] }), after(0), cfg);
    expect(plan.map(a => a.type)).toEqual(["create", "patch"]);
    expect(plan[1]).toMatchObject({ subresource: "status", patch: { status: { phase: "Pending", progress: "N/A" } } });
  });

  it("writes nothing when the status is already what it should be", () => {
    const d = dv();
    const pvc = boundPvc(d);
    const before = dv({ status: { phase: "Succeeded", progress: "100.0%" } });
    const [patch] = planDataVolume(before, snapshotWith({ pvcs: [pvc] }), after(0), cfg);
    const settled = dv({ status: applyMergePatch(before.status, (patch as { patch: { status: object } }).patch.status) as object });
    expect(settled.status).toMatchObject({ phase: "Succeeded", claimName: "web-root", restartCount: 0 });
    expect(planDataVolume(settled, snapshotWith({ pvcs: [pvc] }), after(0), cfg)).toEqual([]);
  });

  it("does not take over a PVC it does not own", () => {
    const foreign = obj("PersistentVolumeClaim", "web-root", { status: { phase: "Bound" } });
    expect(planDataVolume(dv(), snapshotWith({ pvcs: [foreign] }), after(0), cfg)).toEqual([expect.objectContaining({ type: "note" })]);
  });

  it("reads the import fault from the owning Wukong", () => {
    const d = dv({ status: { phase: "ImportInProgress", progress: "10.0%" } });
    const wukong = obj("Wukong", "web", { metadata: { annotations: { "sim.novasphere.dev/import": "fail" } } });
    const [patch] = planDataVolume(d, snapshotWith({ pvcs: [boundPvc(d)], wukongs: [wukong] }), after(0), cfg);
    expect(patch).toMatchObject({ patch: { status: { phase: "Failed" } } });
  });
});
