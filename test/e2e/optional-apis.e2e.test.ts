// Journey: a cluster without the optional APIs (issue 16 item 14). KubeVirt before v1.3.0 serves no
// snapshot.kubevirt.io/v1beta1 (staging/src/kubevirt.io/api/snapshot/ at each tag), and a cluster may have no
// NMState. The operator is started on such a cluster: before the fix, reconciles waited for watches that never
// list, and no Wukong ever got a phase. A plain Wukong is created, grown, stopped and deleted; a WukongSnapshot and
// a bridge on a physicalInterface say what is missing. Afterwards the CRDs come back and the operator restarts.
import { condition, createNamespace, deleteNamespace, kubectl, kubectlOk, tryApply, waitForPhase, wukongManifest } from "./support/kube";
import { plainWukongJourney, snapshotSaysWhatIsMissing } from "./support/plain-journey";
import { killOperator, stackUp } from "./support/stack";

const OPTIONAL_CRDS = [
  "virtualmachinesnapshots.snapshot.kubevirt.io",
  "virtualmachinesnapshotcontents.snapshot.kubevirt.io",
  "virtualmachinerestores.snapshot.kubevirt.io",
  "nodenetworkconfigurationpolicies.nmstate.io",
  "nodenetworkstates.nmstate.io",
  "nodenetworkconfigurationenactments.nmstate.io",
];
/** test/stack/cluster/up.sh leaves these shared CRD files out. */
const OMIT = "kubevirt-virtualmachinesnapshot* kubevirt-virtualmachinerestores nmstate-*";

/** Restarts the operator (and re-applies the CRDs but the omitted ones) as test/stack/up.sh does after a crash. */
function restartOperator(omit: string): void {
  killOperator();
  process.env.WUKONG_OMIT_CRDS = omit;
  try {
    stackUp();
  } finally {
    delete process.env.WUKONG_OMIT_CRDS;
  }
}

const NAME = "plain";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("optional-apis");
  killOperator();
  await kubectlOk(["delete", "crd", ...OPTIONAL_CRDS, "--ignore-not-found", "--wait=true"], { timeoutMs: 120_000 });
  restartOperator(OMIT);
}, 300_000);

afterAll(async () => {
  await deleteNamespace(ns);
  restartOperator("");
}, 300_000);

describe("a cluster without snapshot.kubevirt.io and nmstate.io", () => {
  test("the optional APIs are gone", async () => {
    const served = await kubectl(["get", "--raw", "/apis/snapshot.kubevirt.io/v1beta1"]);
    expect(served.code).not.toBe(0);
    expect((await kubectl(["get", "--raw", "/apis/nmstate.io/v1"])).code).not.toBe(0);
  });

  plainWukongJourney({
    namespace: () => ns,
    name: NAME,
    spec: { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "2Gi", storageClassName: "longhorn" }] },
    grow: { disk: 0, to: "3Gi" },
    middle: () => {
      snapshotSaysWhatIsMissing(() => ns, NAME);

      test("a bridge on a physicalInterface is admitted with a warning naming NMState, and reported NMStateMissing", async () => {
        const spec = {
          cpu: 1,
          memory: "1Gi",
          disks: [{ name: "system", size: "1Gi", boot: true }],
          networks: [{ name: "lan", type: "bridge", bridgeName: "br-opt", physicalInterface: "eth9", vlanId: 42 }],
          // A physicalInterface needs a nodeSelector (admission): the nodes that have the NIC.
          highAvailability: { nodeSelector: { "kubernetes.io/os": "linux" } },
        };
        const result = await tryApply(ns, wukongManifest("bridged", spec));
        expect(result.code).toBe(0);
        expect(result.stderr).toContain("NMState is not installed");
        const errored = await waitForPhase(ns, "bridged", "Error", 60_000);
        expect(condition(errored, "NetworksConfigured")).toMatchObject({ status: "False", reason: "NMStateMissing" });
      });
    },
  });
});
