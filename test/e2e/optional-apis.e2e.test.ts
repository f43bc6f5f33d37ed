// Journey: a cluster without the optional APIs (issue 16 item 14). KubeVirt before v1.3.0 serves no
// snapshot.kubevirt.io/v1beta1 (staging/src/kubevirt.io/api/snapshot/ at each tag), and a cluster may have no
// NMState. The operator is started on such a cluster: before the fix, reconciles waited for watches that never
// list, and no Wukong ever got a phase. A plain Wukong is created, grown, stopped and deleted; a WukongSnapshot and
// a bridge on a physicalInterface say what is missing. Afterwards the CRDs come back and the operator restarts.
import {
  R,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  getJson,
  getJsonOrUndefined,
  kubectl,
  kubectlOk,
  snapshotManifest,
  tryApply,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "./support/kube";
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

  test("a plain Wukong reaches Running, with no ClusterFeatures condition (it uses none)", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "2Gi", storageClassName: "longhorn" }] }));
    const running = await waitForPhase(ns, NAME, "Running", 120_000);
    expect(condition(running, "Ready")).toMatchObject({ status: "True" });
    expect(condition(running, "ClusterFeatures")).toBeUndefined();
  });

  test("it grows: the claim requests the new size and status follows", async () => {
    await kubectlOk(["patch", "wk", NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/disks/0/size", value: "3Gi" }])]);
    await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} status.volumes[0].size 3Gi`,
      until: w => w.status?.volumes?.[0]?.size === "3Gi",
      timeoutMs: 60_000,
    });
  });

  test("a WukongSnapshot of it is admitted with a warning naming the missing API, and waits Pending saying so", async () => {
    const result = await tryApply(ns, snapshotManifest("before", NAME));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("the cluster does not serve snapshot.kubevirt.io/v1beta1");
    const pending = await waitFor(() => getJson(R.wks, "before", ns), {
      describe: "wks/before to say what it waits for",
      until: snapshot => snapshot.status?.phase === "Pending" && /snapshot\.kubevirt\.io\/v1beta1/.test(snapshot.status?.error ?? ""),
      timeoutMs: 60_000,
    });
    expect(pending.status.error).toContain("snapshots need KubeVirt v1.3.0 or newer");
    // The Wukong that has it says the same, without leaving Running.
    const withSnapshot = await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} ClusterFeatures False`,
      until: w => condition(w, "ClusterFeatures")?.status === "False",
      timeoutMs: 60_000,
    });
    expect(condition(withSnapshot, "ClusterFeatures")).toMatchObject({ reason: "SnapshotApiMissing" });
    expect(withSnapshot.status.phase).toBe("Running");
    await kubectlOk(["delete", R.wks, "before", "-n", ns, "--wait=true"]);
  });

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

  test("it stops, and is deleted with everything it made", async () => {
    await kubectlOk(["patch", "wk", NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { startStrategy: { runStrategy: "Halted" } } })]);
    await waitForPhase(ns, NAME, "Stopped", 90_000);
    await kubectlOk(["delete", "wk", NAME, "-n", ns, "--wait=true"], { timeoutMs: 120_000 });
    expect(await getJsonOrUndefined(R.wukong, NAME, ns)).toBeUndefined();
    await waitFor(() => getJsonOrUndefined(R.vm, NAME, ns), { describe: `vm/${NAME} gone`, until: vm => vm === undefined, timeoutMs: 60_000 });
  });
});
