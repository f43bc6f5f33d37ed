// The status patch helper both reconcilers write status with (cluster-api's util/patch/patch.go is the model): the
// status is copied when the reconcile starts, and the one merge patch at its end carries only what changed.
import type { LiveObject } from "../../../lib/cluster/live";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import { snapshotReconciler } from "../../../lib/reconcile/snapshot";
import { statusPatchHelper } from "../../../lib/reconcile/status-patch";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION } from "../../../schemas/wukong";
import type { WukongSnapshotStatus } from "../../../schemas/wukongsnapshot";
import { MemoryCluster } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";

const ready = (status: "True" | "False", reason = "Running") => ({ type: "Ready", status, reason, message: "", lastTransitionTime: "2026-01-01T00:00:00Z" });
const synced = { type: "ChildrenSynced", status: "True", reason: "Synced", message: "", lastTransitionTime: "2026-01-01T00:00:00Z" };

const STORED: WukongStatus = {
  phase: "Running",
  message: "VM is running",
  nodeName: "node-a",
  observedGeneration: 1,
  conditions: [ready("True"), synced],
} as WukongStatus;

/** A MemoryCluster holding one Wukong with `status`, and every merge patch sent to its status subresource. */
function setup(status: WukongStatus | null = STORED) {
  const cluster = new MemoryCluster();
  const wukong = cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation: 1 },
    spec: {},
    ...(status && { status }),
  });
  const patches: Record<string, unknown>[] = [];
  const patchStatus = cluster.patchStatus.bind(cluster);
  cluster.patchStatus = async (namespace, name, body, kind) => {
    patches.push(structuredClone(body));
    return patchStatus(namespace, name, body, kind);
  };
  return { cluster, wukong, patches, stored: () => cluster.stored("Wukong", NAMESPACE, NAME)?.status as WukongStatus | undefined };
}

describe("statusPatchHelper", () => {
  it("writes nothing when the status is the same: conditions in another order, null for absent", async () => {
    const { cluster, wukong, patches } = setup();
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", wukong as LiveObject & { status?: WukongStatus });
    const same = { ...STORED, conditions: [...STORED.conditions!].reverse(), vmName: null } as unknown as WukongStatus;
    expect(helper.changes(same)).toEqual({});
    expect(await helper.patch(same)).toBe(false);
    expect(patches).toEqual([]);
    expect(cluster.writes).toEqual([]);
  });

  it("patches only the fields that changed, and nulls the ones that went away", async () => {
    const { cluster, wukong, patches, stored } = setup();
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", wukong as LiveObject & { status?: WukongStatus });
    const stopped = { ...STORED, phase: "Stopped", message: "VM is stopped", nodeName: undefined } as WukongStatus;
    expect(await helper.patch(stopped)).toBe(true);
    expect(patches).toEqual([{ phase: "Stopped", message: "VM is stopped", nodeName: null }]);
    expect(stored()).toEqual({ phase: "Stopped", message: "VM is stopped", observedGeneration: 1, conditions: STORED.conditions });
  });

  it("nulls the keys a nested object no longer has: a merge patch merges objects (status.migration losing its request)", async () => {
    const { cluster, wukong, patches } = setup();
    const requested = { phase: "Succeeded", request: "1", migrationName: "web-migrate-1", message: "Migrated." };
    const before = { ...STORED, migration: requested } as WukongStatus;
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", { ...wukong, status: before } as LiveObject & { status?: WukongStatus });
    expect(await helper.patch({ ...before, migration: { phase: "Running", message: "Migrating." } })).toBe(true);
    expect(patches).toEqual([{ migration: { phase: "Running", message: "Migrating.", request: null, migrationName: null } }]);
  });

  it("sends the conditions only when a condition changed, then the whole list (a merge patch replaces lists)", async () => {
    const { cluster, wukong, patches, stored } = setup();
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", wukong as LiveObject & { status?: WukongStatus });
    const failing = { ...STORED, conditions: [synced, ready("False", "CrashLoopBackOff")] } as WukongStatus;
    await helper.patch(failing);
    expect(patches).toEqual([{ conditions: [synced, ready("False", "CrashLoopBackOff")] }]);
    expect(stored()?.conditions).toEqual([synced, ready("False", "CrashLoopBackOff")]);
  });

  it("diffs against the status as it was when the helper was made, not as the object is later", async () => {
    const { cluster, wukong, patches } = setup();
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", wukong as LiveObject & { status?: WukongStatus });
    (wukong.status as WukongStatus).phase = "Error";
    expect(helper.before?.phase).toBe("Running");
    await helper.patch({ ...STORED });
    expect(patches).toEqual([]);
  });

  it("writes the whole status of an object that had none", async () => {
    const { cluster, wukong, patches } = setup(null);
    const helper = statusPatchHelper<WukongStatus>(cluster, "Wukong", wukong as LiveObject & { status?: WukongStatus });
    await helper.patch(STORED);
    expect(patches).toEqual([STORED]);
  });
});

describe("both reconcilers write status through it", () => {
  it("the Wukong reconciler: a second reconcile of an unchanged Wukong writes no status; a new generation patches only what it changed", async () => {
    const { cluster, patches } = setup(null);
    const reconcile = wukongReconciler(cluster);
    await reconcile(`${NAMESPACE}/${NAME}`);
    const first = patches.length;
    expect(first).toBeGreaterThan(0);
    await reconcile(`${NAMESPACE}/${NAME}`);
    expect(patches).toHaveLength(first);

    // A new generation of the spec that builds the same children: only observedGeneration moves (also on each condition).
    const stored = cluster.stored("Wukong", NAMESPACE, NAME)!;
    cluster.put("Wukong", { ...stored, metadata: { ...stored.metadata, generation: 2 } });
    await reconcile(`${NAMESPACE}/${NAME}`);
    expect(patches.slice(first).map(patch => Object.keys(patch).sort())).toEqual([["conditions", "observedGeneration"]]);
    expect(patches.at(-1)?.observedGeneration).toBe(2);
  });

  it("the WukongSnapshot reconciler: a changed status patches only what changed", async () => {
    const cluster = new MemoryCluster();
    const status: WukongSnapshotStatus = { phase: "Pending", message: "waiting", snapshotName: "gone", disks: ["system"] } as WukongSnapshotStatus;
    cluster.put("WukongSnapshot", {
      apiVersion: API_VERSION,
      kind: "WukongSnapshot",
      metadata: { name: "snap", namespace: NAMESPACE, uid: "snapshot-uid", generation: 1, labels: { "vm.novasphere.dev/wukong": NAME } },
      spec: { wukongName: NAME },
      status,
    });
    const patches: Record<string, unknown>[] = [];
    const patchStatus = cluster.patchStatus.bind(cluster);
    cluster.patchStatus = async (namespace, name, body, kind) => {
      patches.push(structuredClone(body));
      return patchStatus(namespace, name, body, kind);
    };
    await snapshotReconciler(cluster, { waitingMs: 1_000 })(`${NAMESPACE}/snap`);
    expect(patches).toHaveLength(1);
    // The VirtualMachineSnapshot it recorded is gone: Failed. The disks it lists did not change, so are not sent.
    expect(patches[0]).toEqual({
      phase: "Failed",
      message: null,
      snapshotName: null,
      readyToUse: false,
      error: "VirtualMachineSnapshot gone was deleted",
      observedGeneration: 1,
    });
    expect(cluster.stored("WukongSnapshot", NAMESPACE, "snap")?.status).toEqual({
      ...patches[0],
      message: undefined,
      snapshotName: undefined,
      disks: ["system"],
    });
  });
});
