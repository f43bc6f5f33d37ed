// Journey: snapshot a running Wukong, change it, roll back with spec.restoreFromSnapshot (the VM is stopped,
// restored and started again), see a failed snapshot say why, and see deletion clean up: the snapshot's own
// children with it, and a Wukong's deletion leaving its snapshots alone unless they opted in.
import {
  R,
  apply,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  kubectl,
  kubectlOk,
  list,
  snapshotManifest,
  tryApply,
  waitFor,
  waitForPhase,
  waitForSnapshotPhase,
  wukongManifest,
} from "./support/kube";
import { type PhaseWatch, watchPhases } from "./support/watch";

const NAME = "snappy";
const BEFORE = "snappy-before-upgrade";
const FAULT = "sim.novasphere.dev/snapshot";
let ns: string;
let watch: PhaseWatch;

beforeAll(async () => {
  ns = await createNamespace("snapshot");
  watch = watchPhases(ns);
  await watch.ready;
});
afterAll(async () => {
  watch?.stop();
  await deleteNamespace(ns);
});

const mergePatchArgs = (patch: object) => ["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify(patch)];
const patchWukong = (patch: object) => kubectlOk(mergePatchArgs(patch));
/** A merge patch that admission may refuse: the result, not a throw. */
const tryPatchWukong = (patch: object) => kubectl(mergePatchArgs(patch));
const gone = (resource: string, name: string, timeoutMs = 90_000) =>
  waitFor(() => getJsonOrUndefined(resource, name, ns), { describe: `${resource}/${name} to be gone`, until: object => object === undefined, timeoutMs });

describe("snapshots and restore", () => {
  test("a snapshot of a running Wukong reaches Succeeded, backed by a VirtualMachineSnapshot it owns", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "5Gi" }] }));
    await waitForPhase(ns, NAME, "Running");

    await apply(ns, snapshotManifest(BEFORE, NAME));
    const snapshot = await waitForSnapshotPhase(ns, BEFORE, "Succeeded");
    // KubeVirt lists the captured volumes (cloud-init's is not a disk, so it does not count as left out).
    expect(snapshot.status).toMatchObject({ readyToUse: true, snapshotName: BEFORE, disks: ["system"], includedDisks: ["system"], excludedDisks: [] });
    expect(snapshot.status.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "AllDisksIncluded", status: "True" }),
        expect.objectContaining({ type: "ContentDeletedWithSnapshot", status: "True" }),
      ]),
    );
    expect(Date.parse(snapshot.status.creationTime)).not.toBeNaN();
    expect(snapshot.metadata.labels).toMatchObject({ "vm.novasphere.dev/wukong": NAME });

    const vmSnapshot = await getJson(R.vmSnapshot, BEFORE, ns);
    expect(vmSnapshot.spec.source).toEqual({ apiGroup: "kubevirt.io", kind: "VirtualMachine", name: NAME });
    expect(vmSnapshot.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "WukongSnapshot", name: BEFORE, uid: snapshot.metadata.uid, controller: true }),
    ]);
    expect(vmSnapshot.status).toMatchObject({ phase: "Succeeded", readyToUse: true });
    expect(await getJsonOrUndefined(R.vmSnapshotContent, vmSnapshot.status.virtualMachineSnapshotContentName, ns)).toBeDefined();

    // kubectl get wks shows the printer columns; the Wukong lists its snapshot.
    const table = await kubectlOk(["get", "wks", BEFORE, "-n", ns]);
    expect(table).toMatch(/NAME\s+PHASE\s+WUKONG\s+READY\s+AGE/);
    expect(table).toMatch(new RegExp(`${BEFORE}\\s+Succeeded\\s+${NAME}\\s+true`));
    await waitFor(async () => (await getJson(R.wukong, NAME, ns)).status.snapshots, {
      describe: `wk/${NAME} status.snapshots to list ${BEFORE} as ready`,
      until: snapshots => JSON.stringify(snapshots) === JSON.stringify([{ name: BEFORE, ready: true }]),
      timeoutMs: 30_000,
    });
  });

  test("admission denies bad snapshots and restores with the field path", async () => {
    const noWukong = await tryApply(ns, snapshotManifest("orphan", "no-such-wukong"));
    expect(noWukong.code).not.toBe(0);
    expect(noWukong.stderr).toContain('spec.wukongName: Wukong "no-such-wukong" does not exist');

    const changed = await kubectl(["patch", R.wks, BEFORE, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { wukongName: "other" } })]);
    expect(changed.code).not.toBe(0);
    // The CRD's own rule answers first (schema validation runs before validating webhooks), with the field path too.
    expect(changed.stderr).toMatch(/spec\.wukongName: .*is immutable/);

    const missing = await tryPatchWukong({ spec: { restoreFromSnapshot: "no-such-snapshot" } });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('spec.restoreFromSnapshot: WukongSnapshot "no-such-snapshot" does not exist');
  });

  test("after a change, restoring stops the VM, restores it and starts it again: the Wukong is Running", async () => {
    await patchWukong({ spec: { cpu: 2 } });
    await waitFor(async () => (await getJson(R.vm, NAME, ns)).spec.template.spec.domain.cpu.sockets, {
      describe: `vm/${NAME} sockets 2`,
      until: sockets => sockets === 2,
    });
    const vmiBefore = await getJson(R.vmi, NAME, ns);

    await patchWukong({ spec: { restoreFromSnapshot: BEFORE } });
    const restoring = await waitForPhase(ns, NAME, "Restoring", 30_000);
    expect(restoring.status.restore.snapshotName).toBe(BEFORE);

    const restoreName = `${NAME}-${BEFORE}`;
    const restore = await waitFor(() => getJson(R.vmRestore, restoreName, ns), {
      describe: `vmrestore/${restoreName} complete`,
      until: r => r.status?.complete === true,
      timeoutMs: 60_000,
    });
    expect(restore.spec).toMatchObject({
      target: { kind: "VirtualMachine", name: NAME },
      virtualMachineSnapshotName: BEFORE,
      volumeRestorePolicy: "InPlace",
      volumeOwnershipPolicy: "None",
    });
    const claim = await getJson(R.pvc, `${NAME}-system`, ns);
    expect(claim.metadata.annotations["restore.kubevirt.io/name"]).toBe(restoreName);
    // KubeVirt re-created the claim with no owner (volumeOwnershipPolicy None): the operator adopts it back.
    const wukongUid = (await getJson(R.wukong, NAME, ns)).metadata.uid;
    await waitFor(async () => (await getJson(R.pvc, `${NAME}-system`, ns)).metadata.ownerReferences ?? [], {
      describe: `pvc/${NAME}-system controlled by its Wukong again`,
      until: refs => refs.length === 1 && refs[0].kind === "Wukong" && refs[0].uid === wukongUid && refs[0].controller === true,
      timeoutMs: 30_000,
    });

    const running = await waitForPhase(ns, NAME, "Running", 90_000);
    expect(running.status.restore).toMatchObject({ snapshotName: BEFORE, restoreName, phase: "Succeeded" });
    expect((await getJson(R.vm, NAME, ns)).spec.runStrategy).toBe("Always");
    const vmiAfter = await getJson(R.vmi, NAME, ns);
    expect(vmiAfter.metadata.uid).not.toBe(vmiBefore.metadata.uid); // stopped and started again
    // The path a user watching `kubectl get wk -w` saw: Running, Restoring, (Creating,) Running.
    const phases = watch.phases(NAME);
    const restoringAt = phases.lastIndexOf("Restoring");
    expect(restoringAt).toBeGreaterThan(0);
    expect(phases[phases.length - 1]).toBe("Running");
    const reasons = (await eventsFor(ns, "Wukong", NAME)).map(event => event.reason);
    expect(reasons).toEqual(expect.arrayContaining(["Restoring", "Restored"]));
  });

  test("the same restore again is a no-op: the VM keeps running", async () => {
    const vmi = await getJson(R.vmi, NAME, ns);
    await patchWukong({ metadata: { labels: { touched: "yes" } }, spec: { restoreFromSnapshot: BEFORE } });
    await new Promise(resolve => setTimeout(resolve, 5_000));
    expect((await getJson(R.vmi, NAME, ns)).metadata.uid).toBe(vmi.metadata.uid);
    expect((await getJson(R.wukong, NAME, ns)).status.phase).toBe("Running");
  });

  test("a snapshot whose volume cannot be cut says why, and cannot be restored from", async () => {
    // The simulated CSI driver refuses to cut the Wukong's volumes (test/simulator/csi-snapshots.ts). KubeVirt v1.7.4
    // copies the VolumeSnapshot's error to its VirtualMachineSnapshot and keeps it InProgress, retrying, until its
    // failure deadline (5 minutes by default; pkg/storage/snapshot/snapshot.go): the WukongSnapshot says so meanwhile.
    await kubectlOk(["annotate", R.wukong, NAME, "-n", ns, `${FAULT}=fail`]);
    await apply(ns, snapshotManifest("snappy-broken", NAME));
    const failing = await waitFor(() => getJson(R.wks, "snappy-broken", ns), {
      describe: "wks/snappy-broken to report the VolumeSnapshot's error",
      until: snapshot => String(snapshot.status?.error ?? "").includes("simulated failure"),
      timeoutMs: 60_000,
    });
    expect(failing.status).toMatchObject({ phase: "InProgress", readyToUse: false });
    expect(failing.status.error).toMatch(/^VolumeSnapshot .* error: failed to take snapshot of the volume/);

    const denied = await tryPatchWukong({ spec: { restoreFromSnapshot: "snappy-broken" } });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('spec.restoreFromSnapshot: WukongSnapshot "snappy-broken" is not ready to restore from (phase InProgress)');
    // The driver recovers: the same snapshot is cut on KubeVirt's next try.
    await kubectlOk(["annotate", R.wukong, NAME, "-n", ns, `${FAULT}-`]);
    await waitForSnapshotPhase(ns, "snappy-broken", "Succeeded", 90_000);
  });

  test("deleting a snapshot deletes its VirtualMachineSnapshot and content", async () => {
    const content = (await getJson(R.vmSnapshot, BEFORE, ns)).status.virtualMachineSnapshotContentName;
    await kubectlOk(["delete", R.wks, BEFORE, "-n", ns]);
    await gone(R.vmSnapshot, BEFORE);
    await gone(R.vmSnapshotContent, content);
    await waitFor(async () => (await getJson(R.wukong, NAME, ns)).status.snapshots ?? [], {
      describe: `wk/${NAME} status.snapshots without ${BEFORE}`,
      until: snapshots => !snapshots.some((s: { name: string }) => s.name === BEFORE),
      timeoutMs: 30_000,
    });
  });

  test("deleting the Wukong keeps its snapshots, except those annotated delete-with-wukong", async () => {
    await apply(ns, snapshotManifest("snappy-kept", NAME));
    await apply(ns, snapshotManifest("snappy-goes", NAME, { annotations: { "vm.novasphere.dev/delete-with-wukong": "true" } }));
    await waitForSnapshotPhase(ns, "snappy-kept", "Succeeded");
    await waitFor(async () => (await getJson(R.wks, "snappy-goes", ns)).metadata.ownerReferences ?? [], {
      describe: "wks/snappy-goes to carry an ownerReference to its Wukong",
      until: refs => refs.some((ref: { kind: string }) => ref.kind === "Wukong"),
      timeoutMs: 30_000,
    });

    await kubectlOk(["delete", R.wukong, NAME, "-n", ns, "--timeout=90s"]);
    await gone(R.wks, "snappy-goes");
    await gone(R.vmSnapshot, "snappy-goes");
    const kept = await getJson(R.wks, "snappy-kept", ns);
    expect(kept.status.phase).toBe("Succeeded");
    expect(await getJsonOrUndefined(R.vmSnapshot, "snappy-kept", ns)).toBeDefined();
    expect((await list(R.wks, ns)).map(s => s.metadata.name).sort()).toEqual(["snappy-broken", "snappy-kept"]);
  });

  test("a Wukong created with restoreFromSnapshot starts from the kept snapshot", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "5Gi" }], restoreFromSnapshot: "snappy-kept" }));
    const restoreName = `${NAME}-snappy-kept`;
    await waitFor(() => getJson(R.vmRestore, restoreName, ns), {
      describe: `vmrestore/${restoreName} complete`,
      until: r => r.status?.complete === true,
      timeoutMs: 60_000,
    });
    const running = await waitForPhase(ns, NAME, "Running", 90_000);
    expect(running.status.restore).toMatchObject({ snapshotName: "snappy-kept", phase: "Succeeded" });
    expect((await getJson(R.pvc, `${NAME}-system`, ns)).metadata.annotations["restore.kubevirt.io/name"]).toBe(restoreName);
  });
});
