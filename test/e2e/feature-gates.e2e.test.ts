// Journey: KubeVirt's feature gates (issue 16 item 6), read from the KubeVirt CR the operator watches. At KubeVirt
// v1.7.4 Snapshot (Beta) and ExpandDisks (Alpha) are on only when listed (pkg/virt-config/featuregate/active.go,
// pkg/virt-config/feature-gates.go); without Snapshot, pkg/storage/admitters/vmsnapshot.go refuses every
// VirtualMachineSnapshot. With both gates off, a WukongSnapshot waits Pending naming the gate, and a grown disk is
// reported on its Wukong; turning the gates on lets the snapshot proceed and clears the condition.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
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
  sleep,
  snapshotManifest,
  tryApply,
  waitFor,
  waitForPhase,
  waitForSnapshotPhase,
  wukong,
  wukongManifest,
} from "./support/kube";
import { REPO, killOperator, stackUp } from "./support/stack";

const KUBEVIRT_CR = join(REPO, "test/stack/cluster/kubevirt-cr.yaml");
const INSTALL_STRATEGY = join(REPO, "../shared/upstream/kubevirt-v1.7.4/install-strategy.yaml");
const NAME = "gated";
let ns: string;
/** What the stack had before this journey: restored after it. */
let had: { crd: boolean; gates?: string[] };

const setGates = (gates: string[]) =>
  kubectlOk([
    "patch",
    "kubevirts.kubevirt.io",
    "kubevirt",
    "-n",
    "kubevirt",
    "--type",
    "merge",
    "-p",
    JSON.stringify({ spec: { configuration: { developerConfiguration: { featureGates: gates } } } }),
  ]);

/** The KubeVirt CRD, as virt-operator v1.7.4 installs it (the first document of its install strategy). */
function kubeVirtCrd(): string {
  const crd = parseAllDocuments(readFileSync(INSTALL_STRATEGY, "utf8"))
    .map(doc => doc.toJS())
    .find(doc => doc?.kind === "CustomResourceDefinition" && doc.metadata?.name === "kubevirts.kubevirt.io");
  if (!crd) throw new Error(`no kubevirts.kubevirt.io CRD in ${INSTALL_STRATEGY}`);
  return JSON.stringify(crd);
}

beforeAll(async () => {
  ns = await createNamespace("feature-gates");
  const crd = (await kubectl(["get", "crd", "kubevirts.kubevirt.io"])).code === 0;
  const existing = crd ? await getJsonOrUndefined("kubevirts.kubevirt.io", "kubevirt", "kubevirt") : undefined;
  had = { crd, gates: existing?.spec?.configuration?.developerConfiguration?.featureGates };
  if (!crd) {
    await kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", "-"], { stdin: kubeVirtCrd() });
    // kubectl wait fails at once on a CRD the API server has not yet given conditions: poll until it is Established.
    await waitFor(() => kubectlOk(["wait", "--for", "condition=Established", "--timeout", "5s", "crd/kubevirts.kubevirt.io"]), {
      describe: "the KubeVirt CRD Established",
    });
  }
  if (!existing) await kubectlOk(["apply", "-f", KUBEVIRT_CR]);
  // The operator discovers the kubevirts API when it starts (and every minute).
  killOperator();
  stackUp();
  // After the stack's restart: test/stack/cluster/up.sh applies the stack's KubeVirt CR again, gates and all. Then
  // admission's cached view of the cluster's features (30 s, capabilities/admission/cluster-lookup.ts) runs out.
  await setGates([]);
  await sleep(31_000);
}, 300_000);

afterAll(async () => {
  await deleteNamespace(ns);
  if (had.gates) await setGates(had.gates);
  else if (had.crd) await kubectl(["delete", "kubevirts.kubevirt.io", "kubevirt", "-n", "kubevirt", "--ignore-not-found"]);
  else await kubectl(["delete", "crd", "kubevirts.kubevirt.io", "--ignore-not-found"]);
  // The next journeys get an operator that discovered the stack as it was.
  killOperator();
  stackUp();
}, 300_000);

describe("KubeVirt's Snapshot and ExpandDisks feature gates", () => {
  test("with Snapshot off, a WukongSnapshot is admitted with a warning naming the gate and waits Pending", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "5Gi", storageClassName: "longhorn" }] }));
    await waitForPhase(ns, NAME, "Running", 120_000);
    const result = await tryApply(ns, snapshotManifest("gated-snap", NAME));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`KubeVirt's Snapshot feature gate is not enabled; enable it by adding "Snapshot"`);
    const pending = await waitFor(() => getJson(R.wks, "gated-snap", ns), {
      describe: "wks/gated-snap to name the gate",
      until: snapshot => /Snapshot feature gate/.test(snapshot.status?.error ?? ""),
      timeoutMs: 60_000,
    });
    expect(pending.status.phase).toBe("Pending");
    expect(pending.status.error).toContain("KubeVirt kubevirt/kubevirt");
    expect(await getJsonOrUndefined(R.vmSnapshot, "gated-snap", ns)).toBeUndefined();
    const withSnapshot = await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} ClusterFeatures SnapshotFeatureGateDisabled`,
      until: w => condition(w, "ClusterFeatures")?.reason === "SnapshotFeatureGateDisabled",
      timeoutMs: 60_000,
    });
    expect(condition(withSnapshot, "ClusterFeatures")).toMatchObject({ status: "False" });
  });

  test("with ExpandDisks off, growing a disk warns and the Wukong says the guest will not see it", async () => {
    const result = await kubectl([
      "patch",
      R.wukong,
      NAME,
      "-n",
      ns,
      "--type",
      "json",
      "-p",
      JSON.stringify([{ op: "replace", path: "/spec/disks/0/size", value: "6Gi" }]),
    ]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("spec.disks[0].size: disk system grew, but the guest does not see the new size");
    await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} ClusterFeatures to name ExpandDisks`,
      until: w => /ExpandDisks feature gate/.test(condition(w, "ClusterFeatures")?.message ?? ""),
      timeoutMs: 60_000,
    });
  });

  test("turning both gates on: the snapshot is taken, and the Wukong's ClusterFeatures turns True", async () => {
    await setGates(["Snapshot", "ExpandDisks"]);
    await waitForSnapshotPhase(ns, "gated-snap", "Succeeded", 90_000);
    const clear = await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} ClusterFeatures True`,
      until: w => condition(w, "ClusterFeatures")?.status === "True",
      timeoutMs: 60_000,
    });
    expect(condition(clear, "ClusterFeatures")).toMatchObject({ reason: "FeaturesAvailable" });
  });
});
