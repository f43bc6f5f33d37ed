// The real-guest runtime's hot-plug against a real QEMU (paused, no guest OS needed for the device model): a VMI
// volume virt-controller moved to AttachedToNode is mounted (its disk file made), attached with QMP blockdev-add +
// device_add scsi-hd (serial and size as QEMU then reports them) and reported Ready as sda; removed from the VMI, it is
// detached (device_del, blockdev-del) and reported UnMountedFromPod. The steps are kubevirt v1.7.4
// pkg/virt-handler/vm.go's (updateHotplugVolumeStatus); the guest journey shows the disk inside a booted guest.
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { desiredChildren } from "../../lib/children";
import { hotplugContext } from "../../lib/children/hotplug";
import type { HostLayout } from "../guest/runtime/host";
import { pluggedDisks, SCSI_CONTROLLER_ARGS, syncGuestHotplug } from "../guest/runtime/hotplug";
import { qmp } from "../guest/runtime/qemu-socket";
import type { KubeObject } from "../simulator/resources";
import type { VolumeStatus } from "../simulator/virt-handler-hotplug";
import { wukong } from "../unit/children/fixtures";

const exec = promisify(execFile);
const GIB = 2 ** 30;
const dir = mkdtempSync(path.join(tmpdir(), "wukong-hotplug-"));
const sock = path.join(dir, "qmp.sock");
const layout: HostLayout = { runDir: dir, volumeDir: path.join(dir, "volumes"), netnsPrefix: "unused-", nodeNetns: "unused" };

const vm = desiredChildren(
  wukong("box", {
    cpu: 1,
    memory: "1Gi",
    disks: [
      { name: "system", size: "4Gi", boot: true },
      { name: "data", size: "1Gi" },
    ],
  }),
  {
    hotplug: hotplugContext(undefined, { spec: { volumes: [{ name: "system" }] }, status: { phase: "Running" } }),
  },
).virtualMachine as KubeObject;
const snap = {
  pods: new Map<string, KubeObject>([
    ["default/hp-volume-x", { metadata: { name: "hp-volume-x", namespace: "default", uid: "pod-uid" }, status: { phase: "Running" } }],
  ]),
  pvcs: new Map<string, KubeObject>([["default/box-data", { metadata: { name: "box-data" }, status: { phase: "Bound", capacity: { storage: "1Gi" } } }]]),
};
const vmi = (volumeStatus: VolumeStatus[], volumes = vm.spec.template.spec.volumes): KubeObject => ({
  metadata: { name: "box", namespace: "default", uid: "vmi-1", resourceVersion: "1" },
  spec: { ...vm.spec.template.spec, volumes },
  status: { phase: "Running", nodeName: "sim-node-1", volumeStatus },
});
const log: string[] = [];
const sync = (object: KubeObject) => syncGuestHotplug(object, sock, layout, snap, line => log.push(line));

beforeAll(async () => {
  await exec("qemu-system-x86_64", [
    "-S",
    "-nodefaults",
    "-display",
    "none",
    "-accel",
    "tcg",
    "-m",
    "64M",
    ...SCSI_CONTROLLER_ARGS,
    "-qmp",
    `unix:${sock},server=on,wait=off`,
    "-daemonize",
    "-pidfile",
    path.join(dir, "qemu.pid"),
  ]);
});
afterAll(async () => {
  const pid = Number(readFileSync(path.join(dir, "qemu.pid"), "utf8"));
  await qmp(sock, "quit").catch(() => undefined);
  for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await new Promise(r => setTimeout(r, 100));
  rmSync(dir, { recursive: true, force: true });
});

test("AttachedToNode → MountedToPod → Ready (device_add) → removed → UnMountedFromPod (device_del)", async () => {
  const attached: VolumeStatus = { name: "data", phase: "AttachedToNode", hotplugVolume: { attachPodName: "hp-volume-x", attachPodUID: "pod-uid" } };
  const mounted = await sync(vmi([attached]));
  expect(mounted).toEqual([expect.objectContaining({ name: "data", phase: "MountedToPod", reason: "VolumeMountedToPod" })]);
  const file = path.join(layout.volumeDir, "default_box-data.qcow2");
  const info = JSON.parse((await exec("qemu-img", ["info", "--output=json", file])).stdout) as { "virtual-size": number; format: string };
  expect(info).toMatchObject({ "virtual-size": GIB, format: "qcow2" });
  expect(await pluggedDisks(sock)).toEqual(new Set());

  const ready = await sync(vmi(mounted!));
  expect(ready).toEqual([expect.objectContaining({ name: "data", phase: "Ready", target: "sda", reason: "VolumeReady" })]);
  expect(await pluggedDisks(sock)).toEqual(new Set(["data"]));
  expect(await qmp(sock, "qom-get", { path: "/machine/peripheral/hotplug-data", property: "serial" })).toBe("data");
  expect(await qmp(sock, "qom-get", { path: "/machine/peripheral/hotplug-data", property: "drive" })).toBe("drive-hotplug-data");
  const nodes = (await qmp(sock, "query-named-block-nodes")) as { "node-name": string; image: { "virtual-size": number } }[];
  expect(nodes.find(node => node["node-name"] === "drive-hotplug-data")?.image["virtual-size"]).toBe(GIB);
  // Nothing more to do while it stays wanted.
  expect(await sync(vmi(ready!))).toBeUndefined();

  const unmounted = await sync(
    vmi(
      ready!,
      vm.spec.template.spec.volumes.filter((volume: { name: string }) => volume.name !== "data"),
    ),
  );
  expect(unmounted).toEqual([expect.objectContaining({ name: "data", phase: "UnMountedFromPod", reason: "VolumeUnMountedFromPod" })]);
  expect(unmounted![0].target).toBe("");
  expect(await pluggedDisks(sock)).toEqual(new Set());
  const after = (await qmp(sock, "query-named-block-nodes")) as { "node-name": string }[];
  expect(after.map(node => node["node-name"])).not.toContain("drive-hotplug-data");
  expect(log).toEqual(["disk data hot-plugged (QMP device_add scsi-hd, serial data)", "disk data unplugged (QMP device_del)"]);
}, 60_000);
