// A blank disk hot-plugged into a running Wukong and unplugged again, on the real virt-controller (KubeVirt v1.7.4,
// DeclarativeHotplugVolumes on in test/stack/cluster/kubevirt-cr.yaml). The operator declares the new disk
// `hotpluggable` on the scsi bus (lib/children/hotplug.ts); virt-controller adds it to the running VMI
// (pkg/storage/hotplug/hotplug.go) without RestartRequired (pkg/virt-controller/watch/vm/vm.go,
// validLiveUpdateVolumes), makes the attachment pod hp-volume-* owned by the launcher pod
// (pkg/virt-controller/services/template.go, RenderHotplugAttachmentPodTemplate) and gives the volume its status up to
// AttachedToNode (pkg/virt-controller/watch/vmi/storage.go). The simulator plays the kubelet running that pod and
// virt-handler's MountedToPod → Ready (test/simulator/virt-handler-hotplug.ts). Removing the disk: virt-controller
// takes it out of the VMI, the handler unmounts it, virt-controller deletes the attachment pod and drops its status.
import {
  type Obj,
  R,
  apply,
  condition,
  createNamespace,
  deleteNamespace,
  getJson,
  kubectlOk,
  list,
  waitFor,
  waitForPhase,
  wukongManifest,
} from "../support/kube";

const NAME = "hotplug";
let ns: string;
let vmiUid: string;

beforeAll(async () => {
  ns = await createNamespace("up-hotplug");
});
afterAll(() => deleteNamespace(ns));

const volumeStatus = (vmi: Obj, name: string) => (vmi.status?.volumeStatus ?? []).find((status: Obj) => status.name === name);
const hotplugged = (wukong: Obj, name: string) => (wukong.status?.hotpluggedDisks ?? []).find((disk: Obj) => disk.name === name);
const attachmentPods = async (launcherUid: string) =>
  (await list("pods", ns)).filter(pod => (pod.metadata.ownerReferences ?? []).some((ref: Obj) => ref.kind === "Pod" && ref.uid === launcherUid));

test("a Running Wukong with one blank disk", async () => {
  await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "1Gi", storageClassName: "local-path", boot: true }] }));
  await waitForPhase(ns, NAME, "Running", 120_000);
  vmiUid = (await getJson(R.vmi, NAME, ns)).metadata.uid;
});

test("a disk added to it is hot-plugged: the VMI gets the volume, status says Plugged, no restart", async () => {
  await kubectlOk([
    "patch",
    R.wukong,
    NAME,
    "-n",
    ns,
    "--type",
    "json",
    "-p",
    JSON.stringify([{ op: "add", path: "/spec/disks/-", value: { name: "data", size: "1Gi", storageClassName: "local-path" } }]),
  ]);

  const vm = await waitFor(() => getJson(R.vm, NAME, ns), {
    describe: `vm/${NAME} with the hot-pluggable volume data`,
    until: vm => (vm.spec.template.spec.volumes as Obj[]).some(volume => volume.name === "data"),
    timeoutMs: 30_000,
  });
  expect((vm.spec.template.spec.volumes as Obj[]).find(volume => volume.name === "data")).toEqual({
    name: "data",
    persistentVolumeClaim: { claimName: `${NAME}-data`, hotpluggable: true },
  });
  expect((vm.spec.template.spec.domain.devices.disks as Obj[]).find(disk => disk.name === "data")).toEqual({
    name: "data",
    disk: { bus: "scsi" },
    serial: "data",
  });

  const wukong = await waitFor(() => getJson(R.wukong, NAME, ns), {
    describe: `wk/${NAME} status.hotpluggedDisks data Plugged`,
    until: w => hotplugged(w, "data")?.state === "Plugged",
    timeoutMs: 120_000,
  });
  expect(hotplugged(wukong, "data")).toEqual({
    name: "data",
    state: "Plugged",
    phase: "Ready",
    target: "sda",
    message: "Disk data is attached to the running VM as sda.",
  });
  expect(wukong.status.phase).toBe("Running");
  expect(wukong.status.restartRequired).toBe(false);
  expect(condition(wukong, "RestartRequired")).toBeUndefined();

  // The same VMI, now with the volume, its disk and virt-controller's attachment pod beside the launcher pod.
  const vmi = await getJson(R.vmi, NAME, ns);
  expect(vmi.metadata.uid).toBe(vmiUid);
  expect((vmi.spec.volumes as Obj[]).find(volume => volume.name === "data")).toEqual({
    name: "data",
    persistentVolumeClaim: { claimName: `${NAME}-data`, hotpluggable: true },
  });
  expect((vmi.spec.domain.devices.disks as Obj[]).find(disk => disk.name === "data")).toEqual({ name: "data", disk: { bus: "scsi" }, serial: "data" });
  expect(volumeStatus(vmi, "data")).toMatchObject({ phase: "Ready", target: "sda", hotplugVolume: { attachPodName: expect.stringMatching(/^hp-volume-/) } });
  const [launcher] = await list("pods", ns, `kubevirt.io=virt-launcher,kubevirt.io/created-by=${vmiUid}`);
  const pods = await attachmentPods(launcher.metadata.uid);
  expect(pods.map(pod => pod.metadata.name)).toEqual([volumeStatus(vmi, "data").hotplugVolume.attachPodName]);
  expect(pods[0].spec.volumes).toContainEqual({ name: "data", persistentVolumeClaim: { claimName: `${NAME}-data` } });
  expect(pods[0].spec.nodeName).toBe(vmi.status.nodeName);
  expect(condition(await getJson(R.vm, NAME, ns), "RestartRequired")).toBeUndefined();
});

test("removing the disk unplugs it: gone from the VMI, its attachment pod deleted, no restart", async () => {
  const wukong = await getJson(R.wukong, NAME, ns);
  const index = (wukong.spec.disks as Obj[]).findIndex(disk => disk.name === "data");
  await kubectlOk(["annotate", R.wukong, NAME, "-n", ns, "vm.novasphere.dev/allow-disk-removal=data"]);
  await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "remove", path: `/spec/disks/${index}` }])]);

  const vmi = await waitFor(() => getJson(R.vmi, NAME, ns), {
    describe: `vmi/${NAME} without the volume data and its status`,
    until: vmi => !(vmi.spec.volumes as Obj[]).some(volume => volume.name === "data") && !volumeStatus(vmi, "data"),
    timeoutMs: 120_000,
  });
  expect(vmi.metadata.uid).toBe(vmiUid);
  expect(vmi.status.phase).toBe("Running");
  const [launcher] = await list("pods", ns, `kubevirt.io=virt-launcher,kubevirt.io/created-by=${vmiUid}`);
  await waitFor(() => attachmentPods(launcher.metadata.uid), {
    describe: "the attachment pod deleted",
    until: pods => pods.length === 0,
    timeoutMs: 30_000,
  });
  const after = await waitFor(() => getJson(R.wukong, NAME, ns), {
    describe: `wk/${NAME} with no hot-plugged disk left`,
    until: w => !w.status?.hotpluggedDisks,
    timeoutMs: 30_000,
  });
  expect(after.status.phase).toBe("Running");
  expect(condition(after, "RestartRequired")).toBeUndefined();
});
