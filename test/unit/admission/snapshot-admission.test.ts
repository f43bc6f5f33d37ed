// Admission of WukongSnapshots (through Pepr's own request wrapper) and of spec.restoreFromSnapshot on a Wukong.
// The only fake is the cluster: an in-memory SnapshotLookup.
import { PeprValidateRequest } from "pepr";
import { wukongSnapshotValidator } from "../../../capabilities/admission/validate-snapshot";
import type { WukongSnapshotResource } from "../../../capabilities/kinds";
import type { FeatureLookup } from "../../../lib/admission/feature-checks";
import { restoreProblems, type SnapshotLookup } from "../../../lib/admission/snapshot-checks";
import { type ClusterFeatures, KUBEVIRT_SNAPSHOT_API, SNAPSHOT_GATE } from "../../../lib/cluster/features";
import type { WukongSpec } from "../../../schemas/spec";
import type { Wukong } from "../../../schemas/wukong";
import { SNAPSHOT_API, type WukongSnapshot } from "../../../schemas/wukongsnapshot";

type AdmissionRequest = ConstructorParameters<typeof PeprValidateRequest<WukongSnapshotResource>>[0];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Raw = any;

const NAMESPACE = "vms";

class FakeCluster implements SnapshotLookup, FeatureLookup {
  /** KubeVirt v1.3.0+ with the Snapshot gate on, unless a test says otherwise. */
  features: ClusterFeatures = {
    servedApis: new Set([KUBEVIRT_SNAPSHOT_API]),
    featureGates: new Set([SNAPSHOT_GATE]),
    kubeVirt: { namespace: "kubevirt", name: "kubevirt" },
  };
  async clusterFeatures() {
    return this.features;
  }
  wukongs: Wukong[] = [
    { metadata: { name: "web", namespace: NAMESPACE } },
    { metadata: { name: "going", namespace: NAMESPACE, deletionTimestamp: "2026-11-29T12:00:00Z" } },
  ];
  snapshots: WukongSnapshot[] = [
    { metadata: { name: "ready", namespace: NAMESPACE }, spec: { wukongName: "web" }, status: { phase: "Succeeded", readyToUse: true, disks: ["system"] } },
    { metadata: { name: "busy", namespace: NAMESPACE }, spec: { wukongName: "web" }, status: { phase: "InProgress" } },
    { metadata: { name: "broken", namespace: NAMESPACE }, spec: { wukongName: "web" }, status: { phase: "Failed", error: "no volume snapshot class" } },
  ];
  failing = false;
  async wukongSnapshot(namespace: string, name: string) {
    return this.snapshots.find(s => s.metadata?.namespace === namespace && s.metadata.name === name);
  }
  async wukong(namespace: string, name: string) {
    if (this.failing) throw new Error("connection refused");
    return this.wukongs.find(w => w.metadata?.namespace === namespace && w.metadata.name === name);
  }
}

let uid = 0;
function request(spec: unknown, oldSpec?: unknown): AdmissionRequest {
  const object = (s: unknown) => ({
    apiVersion: `${SNAPSHOT_API.group}/${SNAPSHOT_API.version}`,
    kind: SNAPSHOT_API.kind,
    metadata: { name: "snap", namespace: NAMESPACE },
    spec: s,
  });
  const gvk = { group: SNAPSHOT_API.group, version: SNAPSHOT_API.version, kind: SNAPSHOT_API.kind };
  const gvr = { group: SNAPSHOT_API.group, version: SNAPSHOT_API.version, resource: SNAPSHOT_API.plural };
  return {
    uid: `req-${++uid}`,
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: "snap",
    namespace: NAMESPACE,
    operation: (oldSpec === undefined ? "CREATE" : "UPDATE") as AdmissionRequest["operation"],
    userInfo: { username: "kubernetes-admin", groups: ["system:masters"] },
    object: object(spec),
    oldObject: oldSpec === undefined ? undefined : object(oldSpec),
    dryRun: false,
    options: {},
  } as Raw;
}

const validate = (req: AdmissionRequest, cluster = new FakeCluster()) => wukongSnapshotValidator(cluster)(new PeprValidateRequest<WukongSnapshotResource>(req));

describe("WukongSnapshot admission", () => {
  // KubeVirt v1.7.4 pkg/storage/admitters/vmsnapshot.go refuses a VirtualMachineSnapshot while the Snapshot gate is
  // off ("snapshot feature gate not enabled"); snapshot.kubevirt.io/v1beta1 exists only from KubeVirt v1.3.0.
  it("admits a snapshot while KubeVirt's Snapshot feature gate is off, warning how to enable it", async () => {
    const cluster = new FakeCluster();
    cluster.features = { ...cluster.features, featureGates: new Set() };
    const response = await validate(request({ wukongName: "web" }), cluster);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      'KubeVirt refuses every VirtualMachineSnapshot and VirtualMachineRestore: KubeVirt\'s Snapshot feature gate is not enabled; enable it by adding "Snapshot" to spec.configuration.developerConfiguration.featureGates of KubeVirt kubevirt/kubevirt; the WukongSnapshot stays Pending until then',
    ]);
  });

  it("warns when the cluster does not serve snapshot.kubevirt.io/v1beta1 (KubeVirt before v1.3.0)", async () => {
    const cluster = new FakeCluster();
    cluster.features = { servedApis: new Set() };
    const response = await validate(request({ wukongName: "web" }), cluster);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringContaining("the cluster does not serve snapshot.kubevirt.io/v1beta1")]);
  });

  it("warns about nothing when the snapshot API is served and the gate is on", async () => {
    const response = await validate(request({ wukongName: "web" }));
    expect(response.warnings ?? []).toEqual([]);
  });

  it("admits a snapshot of an existing Wukong", async () => {
    const response = await validate(request({ wukongName: "web" }));
    expect(response.allowed).toBe(true);
  });

  it.each([
    ["a Wukong that does not exist", { wukongName: "nope" }, 'spec.wukongName: Wukong "nope" does not exist in namespace vms'],
    ["a Wukong being deleted", { wukongName: "going" }, 'spec.wukongName: Wukong "going" is being deleted'],
    ["no wukongName", {}, "spec.wukongName: is required"],
    ["an unknown field", { wukongName: "web", vm: "x" }, 'spec: unknown field "vm"'],
    ["a name that is not a DNS subdomain", { wukongName: "Web_1" }, "spec.wukongName: wukongName must be a DNS-1123 subdomain"],
  ])("denies %s with 422 and the field path", async (_, spec, message) => {
    const response = await validate(request(spec));
    expect(response).toMatchObject({ allowed: false, statusCode: 422 });
    expect(response.statusMessage).toContain(message);
  });

  it("denies any change of the spec, naming the old value", async () => {
    const response = await validate(request({ wukongName: "other" }, { wukongName: "web" }));
    expect(response).toMatchObject({ allowed: false, statusCode: 422 });
    expect(response.statusMessage).toBe('spec.wukongName: is immutable (was "web"): create a new WukongSnapshot instead');
  });

  it("admits metadata-only updates without asking the cluster, even for a Wukong gone since", async () => {
    const cluster = new FakeCluster();
    cluster.failing = true;
    expect((await validate(request({ wukongName: "deleted-since" }, { wukongName: "deleted-since" }), cluster)).allowed).toBe(true);
  });

  it("admits with a warning when the Wukong cannot be looked up (the controller reports it in status)", async () => {
    const cluster = new FakeCluster();
    cluster.failing = true;
    const response = await validate(request({ wukongName: "web" }), cluster);
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([expect.stringContaining("could not look up Wukongs (connection refused)")]);
  });

  it("never answers 5xx, whatever the spec", async () => {
    for (const spec of [null, "x", 42, [], { wukongName: 7 }]) {
      const response = await validate(request(spec));
      expect(response.allowed).toBe(false);
      expect(response.statusCode).toBe(422);
      expect(response.statusMessage).toMatch(/^spec/);
    }
  });
});

describe("spec.restoreFromSnapshot admission", () => {
  const spec = (restoreFromSnapshot?: string, disks = ["system"]) =>
    ({ cpu: 1, memory: "1Gi", disks: disks.map(name => ({ name, size: "1Gi" })), restoreFromSnapshot }) as WukongSpec;
  const check = (name: string, next: WukongSpec, old?: WukongSpec) =>
    restoreProblems({ namespace: NAMESPACE, name, spec: next, oldSpec: old }, new FakeCluster());

  it("admits a ready snapshot of the Wukong itself", async () => {
    expect(await check("web", spec("ready"))).toEqual([]);
  });

  it("admits a ready snapshot of another Wukong with the same disks", async () => {
    expect(await check("web-copy", spec("ready"))).toEqual([]);
  });

  it.each([
    ["a missing snapshot", "web", spec("nope"), 'WukongSnapshot "nope" does not exist in namespace vms'],
    ["a snapshot in progress", "web", spec("busy"), 'WukongSnapshot "busy" is not ready to restore from (phase InProgress): wait for phase Succeeded'],
    ["a failed snapshot", "web", spec("broken"), 'WukongSnapshot "broken" failed (no volume snapshot class): take a new snapshot'],
    ["another Wukong's snapshot with other disks", "db", spec("ready", ["root"]), "whose disks [system] do not match this Wukong's [root]"],
  ])("denies %s on spec.restoreFromSnapshot", async (_, name, next, message) => {
    const problems = await check(name, next);
    expect(problems).toEqual([{ path: "spec.restoreFromSnapshot", message: expect.stringContaining(message) }]);
  });

  it("does not judge an unchanged value again (the snapshot may have gone since the restore)", async () => {
    expect(await check("web", spec("nope"), spec("nope"))).toEqual([]);
  });
});
