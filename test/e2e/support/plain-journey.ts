// The create → grow → stop → delete journey of one Wukong that uses no optional API, as jest tests: the journeys
// that change which APIs the cluster serves (optional-apis, oldest-crds) each run it on their cluster (issue 16
// item 14). `middle` adds tests that run while the Wukong is up, between the grow and the stop.
import {
  R,
  apply,
  condition,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  snapshotManifest,
  tryApply,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
  type Obj,
} from "./kube";

export interface PlainJourney {
  /** The journey's namespace, known once its beforeAll ran. */
  namespace: () => string;
  name: string;
  spec: Obj;
  /** The disk to grow, by its index in spec.disks, and its new size. */
  grow: { disk: number; to: string };
  middle?: () => void;
}

export function plainWukongJourney({ namespace, name, spec, grow, middle }: PlainJourney): void {
  test("a Wukong using no optional API reaches Running, with no ClusterFeatures condition", async () => {
    await apply(namespace(), wukongManifest(name, spec));
    const running = await waitForPhase(namespace(), name, "Running", 120_000);
    expect(condition(running, "Ready")).toMatchObject({ status: "True" });
    expect(condition(running, "ClusterFeatures")).toBeUndefined();
  });

  test("it grows: the claim requests the new size and status follows", async () => {
    const patch = [{ op: "replace", path: `/spec/disks/${grow.disk}/size`, value: grow.to }];
    await kubectlOk(["patch", R.wukong, name, "-n", namespace(), "--type", "json", "-p", JSON.stringify(patch)]);
    const diskName = spec.disks[grow.disk].name;
    await waitFor(() => wukong(namespace(), name), {
      describe: `wk/${name} status.volumes ${diskName} ${grow.to}`,
      until: w => w.status?.volumes?.find((volume: Obj) => volume.name === diskName)?.size === grow.to,
      timeoutMs: 60_000,
    });
  });

  middle?.();

  test("it stops, and is deleted with everything it made", async () => {
    const halted = { spec: { startStrategy: { runStrategy: "Halted" } } };
    await kubectlOk(["patch", R.wukong, name, "-n", namespace(), "--type", "merge", "-p", JSON.stringify(halted)]);
    await waitForPhase(namespace(), name, "Stopped", 90_000);
    await kubectlOk(["delete", R.wukong, name, "-n", namespace(), "--wait=true"], { timeoutMs: 120_000 });
    expect(await getJsonOrUndefined(R.wukong, name, namespace())).toBeUndefined();
    await waitFor(() => getJsonOrUndefined(R.vm, name, namespace()), { describe: `vm/${name} gone`, until: vm => vm === undefined, timeoutMs: 60_000 });
  });
}

/**
 * A WukongSnapshot of the running Wukong `name` on a cluster without snapshot.kubevirt.io/v1beta1 (KubeVirt before
 * v1.3.0): admitted with a warning naming the API, it waits Pending saying why, and the Wukong reports it in
 * ClusterFeatures without leaving Running.
 */
export function snapshotSaysWhatIsMissing(namespace: () => string, name: string): void {
  test("a WukongSnapshot of it is admitted with a warning naming the missing API, and waits Pending saying so", async () => {
    const result = await tryApply(namespace(), snapshotManifest("before", name));
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("the cluster does not serve snapshot.kubevirt.io/v1beta1");
    const pending = await waitFor(() => getJson(R.wks, "before", namespace()), {
      describe: "wks/before to say what it waits for",
      until: snapshot => snapshot.status?.phase === "Pending" && /snapshot\.kubevirt\.io\/v1beta1/.test(snapshot.status?.error ?? ""),
      timeoutMs: 60_000,
    });
    expect(pending.status.error).toContain("snapshots need KubeVirt v1.3.0 or newer");
    const withSnapshot = await waitFor(() => wukong(namespace(), name), {
      describe: `wk/${name} ClusterFeatures False`,
      until: w => condition(w, "ClusterFeatures")?.status === "False",
      timeoutMs: 60_000,
    });
    expect(condition(withSnapshot, "ClusterFeatures")).toMatchObject({ status: "False", reason: "SnapshotApiMissing" });
    expect(condition(withSnapshot, "ClusterFeatures")?.message).toContain("snapshot.kubevirt.io/v1beta1");
    expect(withSnapshot.status.phase).toBe("Running");
    await kubectlOk(["delete", R.wks, "before", "-n", namespace(), "--wait=true"]);
  });
}
