// A disk added to a running Wukong, through the reconciler: the VM gets it as a declarative hot-plug volume, the
// ClusterFeatures condition names a gate that keeps KubeVirt from attaching it, and status.hotpluggedDisks follows
// the VMI. KubeVirt v1.7.4: pkg/virt-controller/watch/vm/vm.go (handleDeclarativeVolumeHotplug: only with
// DeclarativeHotplugVolumes on and HotplugVolumes off), pkg/storage/hotplug/hotplug.go, pkg/storage/types/pvc.go.
import { DECLARATIVE_HOTPLUG_GATE, HOTPLUG_VOLUMES_GATE, type ClusterFeatures } from "../../../lib/cluster/features";
import { withDefaults } from "../../../lib/defaults";
import { wukongReconciler } from "../../../lib/reconcile/reconciler";
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import { API_VERSION, FINALIZER } from "../../../schemas/wukong";
import { MemoryCluster } from "./memory-cluster";

const NAMESPACE = "vms";
const NAME = "app-01";
const KEY = `${NAMESPACE}/${NAME}`;
const GATES_ON: ClusterFeatures = { featureGates: new Set([DECLARATIVE_HOTPLUG_GATE]), kubeVirt: { namespace: "kubevirt", name: "kubevirt" } };

const system = { name: "system", size: "10Gi", storageClassName: "longhorn", boot: true };
const data = { name: "data", size: "1Gi", storageClassName: "longhorn" };
const spec = (disks: WukongSpec["disks"]): WukongSpec =>
  withDefaults({ namespace: NAMESPACE, name: NAME, spec: { cpu: 1, memory: "1Gi", disks } as WukongSpec });

function setup(features: ClusterFeatures) {
  const cluster = new MemoryCluster();
  cluster.clusterFeatures = features;
  cluster.storageClasses.set("longhorn", { volumeBindingMode: "Immediate" });
  putWukong(cluster, spec([system]), 1);
  return { cluster, reconcile: wukongReconciler(cluster, { now: () => "2026-12-07T12:00:00Z", statusRefreshMs: 0 }) };
}

function putWukong(cluster: MemoryCluster, wukongSpec: WukongSpec, generation: number) {
  cluster.put("Wukong", {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "wukong-uid", generation, finalizers: [FINALIZER] },
    spec: wukongSpec as unknown as Record<string, unknown>,
  });
}

/** The VMI virt-controller made from the VM, running, with these volumes and volume statuses. */
function runVmi(cluster: MemoryCluster, volumes: Record<string, unknown>[], volumeStatus: Record<string, unknown>[] = []) {
  cluster.put("VirtualMachineInstance", {
    apiVersion: "kubevirt.io/v1",
    kind: "VirtualMachineInstance",
    metadata: { name: NAME, namespace: NAMESPACE, uid: "vmi-uid", labels: { "vm.novasphere.dev/wukong": NAME } },
    spec: { volumes },
    status: { phase: "Running", nodeName: "node-1", volumeStatus },
  });
}

const vmVolumes = (cluster: MemoryCluster) =>
  (cluster.stored("VirtualMachine", NAMESPACE, NAME)!.spec as { template: { spec: { volumes: Record<string, unknown>[] } } }).template.spec.volumes;
const vmDisks = (cluster: MemoryCluster) =>
  (cluster.stored("VirtualMachine", NAMESPACE, NAME)!.spec as { template: { spec: { domain: { devices: { disks: Record<string, unknown>[] } } } } }).template
    .spec.domain.devices.disks;
const status = (cluster: MemoryCluster) => cluster.stored("Wukong", NAMESPACE, NAME)!.status as WukongStatus;
const featuresCondition = (cluster: MemoryCluster) => status(cluster).conditions?.find(c => c.type === "ClusterFeatures");

describe("a disk added to a running Wukong", () => {
  async function addDiskWhileRunning(features: ClusterFeatures) {
    const context = setup(features);
    await context.reconcile(KEY);
    runVmi(context.cluster, vmVolumes(context.cluster));
    putWukong(context.cluster, spec([system, data]), 2);
    await context.reconcile(KEY);
    return context;
  }

  it("becomes a hot-pluggable scsi disk of the VM, reported Pending until the VMI has it", async () => {
    const { cluster } = await addDiskWhileRunning(GATES_ON);
    expect(vmVolumes(cluster)).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "app-01-data", hotpluggable: true } });
    expect(vmDisks(cluster)).toContainEqual({ name: "data", disk: { bus: "scsi" }, serial: "data" });
    expect(vmVolumes(cluster)).toContainEqual({ name: "system", persistentVolumeClaim: { claimName: "app-01-system" } });
    expect(status(cluster).hotpluggedDisks).toEqual([{ name: "data", state: "Pending", message: "Waiting for KubeVirt to add disk data to the running VM." }]);
    expect(featuresCondition(cluster)).toMatchObject({ status: "True", reason: "FeaturesAvailable" });
  });

  it("is Plugged once the VMI reports it Ready, and the status entry goes once it is removed and unplugged", async () => {
    const { cluster, reconcile } = await addDiskWhileRunning(GATES_ON);
    runVmi(cluster, vmVolumes(cluster), [{ name: "data", phase: "Ready", target: "sda", hotplugVolume: { attachPodName: "hp-volume-abcde" } }]);
    await reconcile(KEY);
    expect(status(cluster).hotpluggedDisks).toEqual([
      { name: "data", state: "Plugged", phase: "Ready", target: "sda", message: "Disk data is attached to the running VM as sda." },
    ]);
    putWukong(cluster, spec([system]), 3);
    await reconcile(KEY);
    expect(vmVolumes(cluster).map(volume => volume.name)).not.toContain("data");
    expect(status(cluster).hotpluggedDisks).toEqual([expect.objectContaining({ name: "data", state: "Unplugging" })]);
    runVmi(
      cluster,
      vmVolumes(cluster).filter(volume => volume.name !== "data"),
      [],
    );
    await reconcile(KEY);
    expect(status(cluster).hotpluggedDisks).toBeUndefined();
  });

  it("names the DeclarativeHotplugVolumes gate when it is off, in the condition and the disk's entry", async () => {
    const { cluster } = await addDiskWhileRunning({ ...GATES_ON, featureGates: new Set() });
    expect(featuresCondition(cluster)).toMatchObject({ status: "False", reason: "HotplugFeatureGateDisabled" });
    expect(featuresCondition(cluster)?.message).toBe(
      'spec.disks: disk data waits to be hot-plugged into the running VM, which KubeVirt does not do: KubeVirt\'s DeclarativeHotplugVolumes feature gate is not enabled; enable it by adding "DeclarativeHotplugVolumes" to spec.configuration.developerConfiguration.featureGates of KubeVirt kubevirt/kubevirt',
    );
    expect(status(cluster).hotpluggedDisks?.[0].message).toContain("DeclarativeHotplugVolumes feature gate is not enabled");
  });

  it("names HotplugVolumes when that older gate is on too: it turns declarative hot-plug off", async () => {
    const { cluster } = await addDiskWhileRunning({ ...GATES_ON, featureGates: new Set([DECLARATIVE_HOTPLUG_GATE, HOTPLUG_VOLUMES_GATE]) });
    expect(featuresCondition(cluster)).toMatchObject({ status: "False", reason: "HotplugFeatureGateDisabled" });
    expect(featuresCondition(cluster)?.message).toContain(
      'HotplugVolumes feature gate is enabled, which turns DeclarativeHotplugVolumes off; remove "HotplugVolumes"',
    );
  });

  it("a disk added to a stopped Wukong is a plain disk, and no gate is asked for", async () => {
    const { cluster, reconcile } = setup({ ...GATES_ON, featureGates: new Set() });
    await reconcile(KEY);
    putWukong(cluster, spec([system, data]), 2);
    await reconcile(KEY);
    expect(vmVolumes(cluster)).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: "app-01-data" } });
    expect(featuresCondition(cluster)).toBeUndefined();
    expect(status(cluster).hotpluggedDisks).toBeUndefined();
  });
});
