// Journey: the oldest releases Wukong supports (issue 16 item 14; docs/compatibility.md). The cluster gets the CRDs
// of KubeVirt v1.1.0, CDI v1.57.0 and Multus v4.0.0 (test/fixtures/crds/oldest, generated from those tags), and no
// NMState: KubeVirt v1.1.0 serves snapshot.kubevirt.io/v1alpha1 only, so snapshots are reported as missing while a
// Wukong that uses none is created, grown, stopped and deleted. Its children must survive the older schemas whole:
// a field v1.1.0 does not know would be pruned. Afterwards the newest set comes back and the operator restarts.
// The same create/grow/stop/delete on the newest set: create, grow-disk, stop-start and delete.e2e.test.ts.
import { R, condition, createNamespace, deleteNamespace, getJson, kubectl, kubectlOk, type Obj } from "./support/kube";
import { plainWukongJourney, snapshotSaysWhatIsMissing } from "./support/plain-journey";
import { killOperator, stackUp } from "./support/stack";

/** Installed from the newest set but absent from the oldest: the CRDs must go before the oldest set can apply. */
const NEWER_CRDS = [
  // v1beta1 is their storage version there; the oldest set's serve v1alpha1 alone, which the API server refuses
  // to apply over objects stored as v1beta1.
  "virtualmachinesnapshots.snapshot.kubevirt.io",
  "virtualmachinesnapshotcontents.snapshot.kubevirt.io",
  "virtualmachinerestores.snapshot.kubevirt.io",
  "nodenetworkconfigurationpolicies.nmstate.io",
  "nodenetworkstates.nmstate.io",
  "nodenetworkconfigurationenactments.nmstate.io",
];

/** Restarts the operator on the CRD set given, applied over what is installed (test/stack/cluster/up.sh). */
function restartOperatorOn(set: "oldest" | "newest"): void {
  killOperator();
  process.env.WUKONG_CRD_SET = set;
  try {
    stackUp();
  } finally {
    delete process.env.WUKONG_CRD_SET;
  }
}

const NAME = "aged";
const SPEC = {
  cpu: 1,
  memory: "1Gi",
  sshKeySecret: "keys",
  networks: [{ name: "lan", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.20/24" } }],
  disks: [
    { name: "system", size: "2Gi", image: "docker://quay.io/containerdisks/fedora:40", boot: true },
    { name: "data", size: "1Gi", storageClassName: "longhorn" },
  ],
};
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("oldest-crds");
  await kubectlOk(["create", "secret", "generic", "keys", "-n", ns, "--from-literal=key=ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOldest e2e"]);
  killOperator();
  await kubectlOk(["delete", "crd", ...NEWER_CRDS, "--ignore-not-found", "--wait=true"], { timeoutMs: 120_000 });
  restartOperatorOn("oldest");
}, 300_000);

afterAll(async () => {
  await deleteNamespace(ns);
  // The newest set applies over the oldest: its snapshot CRDs still serve v1alpha1, the only version stored.
  restartOperatorOn("newest");
}, 300_000);

async function crd(name: string): Promise<Obj> {
  return JSON.parse(await kubectlOk(["get", "crd", name, "-o", "json"]));
}

describe("the oldest supported CRD set: KubeVirt v1.1.0, CDI v1.57.0, Multus v4.0.0, no NMState", () => {
  test("the cluster serves what those releases serve", async () => {
    expect((await kubectl(["get", "--raw", "/apis/snapshot.kubevirt.io/v1alpha1"])).code).toBe(0);
    expect((await kubectl(["get", "--raw", "/apis/snapshot.kubevirt.io/v1beta1"])).code).not.toBe(0);
    expect((await kubectl(["get", "--raw", "/apis/nmstate.io/v1"])).code).not.toBe(0);
    // The v1.1.0 schema is the one installed: updateVolumesStrategy came in v1.3.0; `nad` as a short name in Multus v4.3.0.
    const vmSpec = (await crd("virtualmachines.kubevirt.io")).spec.versions[0].schema.openAPIV3Schema.properties.spec.properties;
    expect(Object.keys(vmSpec)).toContain("runStrategy");
    expect(Object.keys(vmSpec)).not.toContain("updateVolumesStrategy");
    expect((await crd("network-attachment-definitions.k8s.cni.cncf.io")).spec.names.shortNames).toEqual(["net-attach-def"]);
  });

  plainWukongJourney({
    namespace: () => ns,
    name: NAME,
    spec: SPEC,
    grow: { disk: 1, to: "2Gi" },
    middle: () => {
      test("its children keep every field under the older schemas (nothing pruned)", async () => {
        const vm = await getJson(R.vm, NAME, ns);
        // propagationMethod.noCloud exists from KubeVirt v1.1.0 on (validations_generated.go at v1.1.0; not at v1.0.0).
        expect(vm.spec.template.spec.accessCredentials).toEqual([
          { sshPublicKey: { source: { secret: { secretName: "keys" } }, propagationMethod: { noCloud: {} } } },
        ]);
        expect(vm.spec.template.spec.networks).toContainEqual({ name: "lan", multus: { networkName: `${ns}/${NAME}-lan` } });
        const dv = await getJson(R.dv, `${NAME}-system`, ns);
        expect(dv.spec.storage).toMatchObject({ accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "2Gi" } } });
        expect(dv.spec.source).toEqual({ registry: { url: SPEC.disks[0].image } });
        const nad = await getJson(R.nad, `${NAME}-lan`, ns);
        expect(JSON.parse(nad.spec.config)).toMatchObject({ type: "bridge", vlan: 100, preserveDefaultVlan: false });
        expect(condition(await getJson(R.wukong, NAME, ns), "VolumesBound")).toMatchObject({ status: "True" });
      });

      snapshotSaysWhatIsMissing(() => ns, NAME);
    },
  });
});
