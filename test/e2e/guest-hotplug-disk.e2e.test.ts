// A disk hot-plugged into a running real guest, seen inside it with its serial and size, without a reboot; then
// unplugged. The guest is the real-guest runtime's (test/guest/runtime/: Debian in QEMU under TCG, booted from a
// Wukong's own VM), and the hot-plug is the runtime's (./hotplug.ts: virt-handler's steps, QMP device_add scsi-hd).
// virt-controller's part (adding the volume and disk to the VMI, the attachment pod, AttachedToNode; kubevirt v1.7.4
// pkg/storage/hotplug/hotplug.go, pkg/virt-controller/watch/vmi/storage.go) is played here from the VM the operator
// builds for a disk added to a running Wukong; test/e2e/upstream/hotplug-disk.e2e.test.ts shows the real
// virt-controller doing it. Needs no stack, like guest-vlan (root, QEMU, the cached guest image):
//   npx jest -c test/e2e/jest.config.cjs --globalSetup <no-op> --globalTeardown <no-op> test/e2e/guest-hotplug-disk.e2e.test.ts
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { desiredChildren } from "../../lib/children";
import { hotplugContext } from "../../lib/children/hotplug";
import type { WukongSpec } from "../../schemas/spec";
import { guestSpec, type GuestSpec } from "../guest/runtime/guest-spec";
import { type Artifacts, buildArtifacts, hostLayout } from "../guest/runtime/host";
import { syncGuestHotplug } from "../guest/runtime/hotplug";
import { guestFiles, launch, type Launched, stop } from "../guest/runtime/launcher";
import { agentExec } from "../guest/runtime/qemu-socket";
import type { KubeObject } from "../simulator/resources";
import type { VolumeStatus } from "../simulator/virt-handler-hotplug";
import { sh, timing } from "./support/guest";

jest.setTimeout(900_000);

const NAMESPACE = "e2e-guest-hotplug";
const NAME = "hp";
const GIB = 2 ** 30;
// Its own host layout: a stack's clean-up (test/guest/cleanup.sh) never touches this guest, nor this guest the stack's.
const state = mkdtempSync(path.join(tmpdir(), "wukong-guest-hotplug-"));
const layout = hostLayout({ WUKONG_APISERVER_PORT: "hotplug", WUKONG_STATE: state });

const system = { name: "system", size: "2Gi", boot: true };
const data = { name: "data", size: "1Gi" };
const wukong = (disks: WukongSpec["disks"]) => ({
  apiVersion: "vm.novasphere.dev/v1alpha1",
  kind: "Wukong",
  metadata: { name: NAME, namespace: NAMESPACE, uid: "uid-hp" },
  spec: { cpu: 1, memory: "1Gi", disks } as WukongSpec,
});
/** The VMI virt-controller makes from the Wukong's VM (volumes in the VMI: `running`, or none yet). */
function vmiOf(disks: WukongSpec["disks"], running: string[] | undefined, volumeStatus: VolumeStatus[] = []): KubeObject {
  const context = hotplugContext(undefined, running && { spec: { volumes: running.map(name => ({ name })) }, status: { phase: "Running" } });
  const children = desiredChildren(wukong(disks), { hotplug: context });
  const vm = children.virtualMachine as KubeObject;
  return {
    metadata: { name: NAME, namespace: NAMESPACE, uid: "vmi-hp", resourceVersion: "1" },
    spec: vm.spec.template.spec,
    status: { phase: "Running", nodeName: "sim-node-1", volumeStatus },
  };
}
const secret = desiredChildren(wukong([system]), {}).cloudInitSecret as KubeObject;
const bound = (size: string): KubeObject => ({ metadata: {}, status: { phase: "Bound", capacity: { storage: size } } });
// What virt-controller's attachment pod and claims look like to the node.
const snap = {
  pods: new Map<string, KubeObject>([
    [`${NAMESPACE}/hp-volume-x`, { metadata: { name: "hp-volume-x", namespace: NAMESPACE, uid: "pod-uid" }, status: { phase: "Running" } }],
  ]),
  pvcs: new Map<string, KubeObject>([
    [`${NAMESPACE}/${NAME}-system`, bound("2Gi")],
    [`${NAMESPACE}/${NAME}-data`, bound("1Gi")],
  ]),
};

let spec: GuestSpec;
let artifacts: Artifacts;
let launched: Launched;
let bootId: string;
const log: string[] = [];

async function inGuest(program: string, args: string[]): Promise<string> {
  const result = await agentExec(guestFiles(launched.dir).agent, program, args, 120_000);
  if (result.code !== 0) throw new Error(`${program} ${args.join(" ")} in the guest: exit ${result.code}: ${result.stderr}`);
  return result.stdout;
}
type BlockDevice = { name: string; serial: string | null; size: number };
const guestDisks = async () =>
  (JSON.parse(await inGuest("/usr/bin/lsblk", ["-J", "-b", "-d", "-o", "NAME,SERIAL,SIZE"])) as { blockdevices: BlockDevice[] }).blockdevices;

/** Takes the runtime's hot-plug steps until the volume reaches `phase`, as the simulator's loop would. */
async function stepUntil(vmi: KubeObject, phase: string): Promise<VolumeStatus[]> {
  for (let i = 0; i < 5; i++) {
    const next = await syncGuestHotplug(vmi, guestFiles(launched.dir).qmp, layout, snap, line => log.push(line));
    if (!next) throw new Error(`no step from ${JSON.stringify(vmi.status?.volumeStatus)}`);
    vmi.status!.volumeStatus = next;
    if (next.some(status => status.phase === phase)) return next;
  }
  throw new Error(`volume never reached ${phase}`);
}

beforeAll(async () => {
  const t0 = Date.now();
  artifacts = await buildArtifacts();
  const vmi = vmiOf([system], undefined);
  spec = guestSpec(vmi, {
    secret: name => (name === secret.metadata.name ? secret : undefined),
    pvc: claim => snap.pvcs.get(`${NAMESPACE}/${claim}`),
    dataVolume: () => undefined,
    nad: () => undefined,
  });
  launched = await launch(spec, layout, artifacts, { memory: "512M", cpus: 1, accel: process.env.SIM_GUEST_ACCEL || "tcg,thread=multi,tb-size=128" });
  for (;;) {
    const answer = await agentExec(guestFiles(launched.dir).agent, "/bin/cat", ["/proc/sys/kernel/random/boot_id"], 10_000).catch(() => undefined);
    if (answer?.code === 0) {
      bootId = answer.stdout.trim();
      break;
    }
    if (Date.now() - t0 > 600_000) throw new Error("the guest agent never answered");
    await new Promise(resolve => setTimeout(resolve, 3000));
  }
  timing("hotplug: guest agent up", t0);
});

afterAll(async () => {
  if (launched) await stop(spec, layout, artifacts, launched.pid, 30_000);
  // stop() takes the guest's own pieces; the node namespace and run directory are this journey's alone.
  await sh("ip", ["netns", "del", layout.nodeNetns]);
  rmSync(layout.runDir, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

test("booted with its one disk, no scsi disk", async () => {
  const disks = await guestDisks();
  expect(disks.filter(disk => disk.name.startsWith("sd"))).toEqual([]);
  expect(disks.find(disk => disk.serial === "system")).toMatchObject({ name: "vda", size: 2 * GIB });
});

test("a 1Gi disk hot-plugged: the guest sees a scsi disk with serial data and 1Gi, without a reboot", async () => {
  const t0 = Date.now();
  const attached: VolumeStatus = { name: "data", phase: "AttachedToNode", hotplugVolume: { attachPodName: "hp-volume-x", attachPodUID: "pod-uid" } };
  // The VMI once virt-controller added the volume and disk of the VM the operator built for the running Wukong.
  const vmi = vmiOf([system, data], ["system", "cloudinitdisk"], [attached]);
  expect((vmi.spec.domain.devices.disks as object[]).find((disk: { name?: string }) => disk.name === "data")).toEqual({
    name: "data",
    disk: { bus: "scsi" },
    serial: "data",
  });
  const ready = await stepUntil(vmi, "Ready");
  expect(ready).toEqual([expect.objectContaining({ name: "data", phase: "Ready", target: "sda" })]);

  let seen: BlockDevice | undefined;
  for (let i = 0; i < 60 && !seen; i++) {
    seen = (await guestDisks()).find(disk => disk.serial === "data");
    if (!seen) await new Promise(resolve => setTimeout(resolve, 1000));
  }
  expect(seen).toEqual({ name: expect.stringMatching(/^sd[a-z]$/), serial: "data", size: GIB });
  expect(await inGuest("/bin/readlink", ["-f", "/dev/disk/by-id/scsi-0QEMU_QEMU_HARDDISK_data"])).toBe(`/dev/${seen!.name}\n`);
  expect((await inGuest("/bin/cat", ["/proc/sys/kernel/random/boot_id"])).trim()).toBe(bootId);
  timing("hotplug: disk seen in the guest", t0);
});

test("removed: unplugged from the running guest, still without a reboot", async () => {
  const t0 = Date.now();
  const mounted: VolumeStatus = { name: "data", phase: "Ready", target: "sda", hotplugVolume: { attachPodName: "hp-volume-x", attachPodUID: "pod-uid" } };
  // virt-controller took the volume out of the VMI once it left the VM.
  const vmi = vmiOf([system], ["system", "cloudinitdisk"], [mounted]);
  expect(await stepUntil(vmi, "UnMountedFromPod")).toEqual([expect.objectContaining({ name: "data", phase: "UnMountedFromPod" })]);
  let disks = await guestDisks();
  for (let i = 0; i < 30 && disks.some(disk => disk.serial === "data"); i++) {
    await new Promise(resolve => setTimeout(resolve, 1000));
    disks = await guestDisks();
  }
  expect(disks.map(disk => disk.serial)).not.toContain("data");
  expect((await inGuest("/bin/cat", ["/proc/sys/kernel/random/boot_id"])).trim()).toBe(bootId);
  expect(log).toEqual(["disk data hot-plugged (QMP device_add scsi-hd, serial data)", "disk data unplugged (QMP device_del)"]);
  timing("hotplug: disk gone from the guest", t0);
});
