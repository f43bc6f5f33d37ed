import { planPvc, planPvcBinder, planPvReclaim } from "./pvc-binder";
import { after, cfg, obj, snapshotWith } from "./test-helpers";

const labelled = (spec: object, status?: object) =>
  obj("PersistentVolumeClaim", "data", { metadata: { labels: { "vm.novasphere.dev/wukong": "web" } }, spec, status });
const spec = (extra: object = {}) => ({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } }, ...extra });
const snap = snapshotWith({ storageClasses: ["local-path"] });

describe("planPvc", () => {
  it("provisions a Pending claim after the bind delay, bound with capacity = request", () => {
    const pvc = labelled(spec({ storageClassName: "local-path" }), { phase: "Pending" });
    expect(planPvc(pvc, snap, after(0), cfg)).toEqual([]);
    const plan = planPvc(pvc, snap, after(1000), cfg);
    expect(plan[plan.length - 1]).toMatchObject({
      type: "patch",
      subresource: "status",
      patch: { status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "10Gi" } } },
    });
  });

  it("binds a claim without storageClassName (as if a default provisioner existed)", () => {
    expect(planPvc(labelled(spec()), snap, after(5000), cfg)[0]).toMatchObject({ type: "create" });
  });

  it("leaves a claim naming a missing StorageClass Pending", () => {
    const plan = planPvc(labelled(spec({ storageClassName: "nope" })), snap, after(5000), cfg);
    expect(plan).toEqual([expect.objectContaining({ type: "note" })]);
  });

  it("expands capacity to a grown request after a delay, and is quiet when equal", () => {
    const bound = { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "10Gi" } };
    expect(planPvc(labelled(spec(), bound), snap, after(5000), cfg)).toEqual([]);
    const grown = labelled({ ...spec(), resources: { requests: { storage: "20Gi" } } }, bound);
    expect(planPvc(grown, snap, after(10), cfg)).toEqual([]);
    expect(planPvc(grown, snap, after(1000), cfg)[0]).toMatchObject({ patch: { status: { capacity: { storage: "20Gi" } } } });
  });

  it("does not treat an equal size in another notation as growth", () => {
    const bound = { phase: "Bound", capacity: { storage: String(10 * 2 ** 30) } };
    expect(planPvc(labelled(spec(), bound), snap, after(5000), cfg)).toEqual([]);
  });
});

describe("a deleted claim", () => {
  it("is left to kube-controller-manager's pvc-protection-controller", () => {
    const deleting = labelled(spec(), { phase: "Bound" });
    deleting.metadata = { ...deleting.metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["kubernetes.io/pvc-protection"] };
    expect(planPvc(deleting, snapshotWith({}), after(0), cfg)).toEqual([]);
  });
});

describe("the simulated CSI provisioner", () => {
  const unlabelled = obj("PersistentVolumeClaim", "restore-x", {
    metadata: { uid: "claim-uid" },
    spec: spec({ storageClassName: "local-path", volumeMode: "Block" }),
    status: { phase: "Pending" },
  });

  it("provisions a PersistentVolume for any claim and binds it by spec.volumeName, which kube-scheduler follows", () => {
    const plan = planPvcBinder(snapshotWith({ pvcs: [unlabelled] }), after(1000), cfg).flat();
    expect(plan.map(a => a.type)).toEqual(["create", "patch", "patch", "patch"]);
    expect(plan[0]).toMatchObject({
      obj: {
        metadata: { name: "pvc-claim-uid" },
        spec: { capacity: { storage: "10Gi" }, volumeMode: "Block", storageClassName: "local-path", claimRef: { name: "restore-x", uid: "claim-uid" } },
      },
    });
    expect(plan[2]).toMatchObject({
      patch: { metadata: { annotations: { "pv.kubernetes.io/bind-completed": "yes" } }, spec: { volumeName: "pvc-claim-uid" } },
    });
    expect(plan[3]).toMatchObject({ subresource: "status", patch: { status: { phase: "Bound" } } });
  });

  // kubernetes-sigs/sig-storage-lib-external-provisioner controller/controller.go, shouldProvision: a claim of a
  // WaitForFirstConsumer class is provisioned only once kube-scheduler annotated it volume.kubernetes.io/selected-node.
  describe("a WaitForFirstConsumer class", () => {
    const wffc = (annotations?: Record<string, string>) =>
      obj("PersistentVolumeClaim", "data", {
        metadata: { uid: "wffc-uid", ...(annotations && { annotations }) },
        spec: spec({ storageClassName: "local-wffc" }),
        status: { phase: "Pending" },
      });
    const snap = (pvc: ReturnType<typeof wffc>) => {
      const snapshot = snapshotWith({ pvcs: [pvc], storageClasses: ["local-path", "local-wffc"] });
      snapshot.waitForFirstConsumerClasses = new Set(["local-wffc"]);
      return snapshot;
    };

    it("leaves the claim Pending, saying why, until the scheduler selected a node", () => {
      const plan = planPvcBinder(snap(wffc()), after(5000), cfg).flat();
      expect(plan).toEqual([expect.objectContaining({ type: "note", log: expect.stringContaining("waiting for first consumer") })]);
      expect(planPvcBinder(snap(wffc({ "volume.kubernetes.io/selected-node": "" })), after(5000), cfg).flat()[0]).toMatchObject({ type: "note" });
    });

    it("then provisions a volume reachable only from that node", () => {
      const plan = planPvcBinder(snap(wffc({ "volume.kubernetes.io/selected-node": "sim-node-2" })), after(5000), cfg).flat();
      expect(plan.map(a => a.type)).toEqual(["create", "patch", "patch", "patch"]);
      expect(plan[0]).toMatchObject({
        obj: {
          spec: {
            nodeAffinity: {
              required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["sim-node-2"] }] }] },
            },
          },
        },
      });
    });

    it("an Immediate class is provisioned at once, with no node affinity", () => {
      const immediate = { ...wffc(), spec: spec({ storageClassName: "local-path" }) };
      const plan = planPvcBinder(snap(immediate), after(5000), cfg).flat();
      expect(plan[0]).toMatchObject({ type: "create" });
      expect((plan[0] as { obj: { spec: object } }).obj.spec).not.toHaveProperty("nodeAffinity");
    });
  });

  it("deletes a provisioned volume once its claim is gone, not before", () => {
    const pv = obj(
      "PersistentVolume",
      "pvc-claim-uid",
      {
        metadata: { annotations: { "pv.kubernetes.io/provisioned-by": "wukong-simulator" } },
        spec: { claimRef: { namespace: "ns1", name: "restore-x", uid: "claim-uid" } },
      },
      "",
    );
    expect(planPvReclaim(pv, snapshotWith({ pvcs: [unlabelled] }))).toEqual([]);
    expect(planPvReclaim(pv, snapshotWith({}))).toEqual([expect.objectContaining({ type: "delete", name: "pvc-claim-uid" })]);
    const deleting = { ...pv, metadata: { ...pv.metadata, deletionTimestamp: "2026-01-01T00:00:00Z", finalizers: ["kubernetes.io/pv-protection"] } };
    expect(planPvReclaim(deleting, snapshotWith({}))).toEqual([]); // deleted once, not on every tick
  });
});
