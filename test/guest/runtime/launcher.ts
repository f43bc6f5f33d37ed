// Does what virt-launcher and virt-handler do for one guest, with real parts: the NoCloud seed ISO, qcow2 disks, a
// network namespace for the "pod" with the real CNI bridge plugin run from the "node" namespace, a tap bridged to each
// net<N> (KubeVirt's bridge binding), and QEMU started inside the pod namespace with user networking as the pod NIC.
import { existsSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GuestNic, GuestSpec } from "./guest-spec";
import { type Artifacts, guestDir, type HostLayout, podNetns, run, runOk, volumePath } from "./host";
import { SCSI_CONTROLLER_ARGS } from "./hotplug";
import { qmp } from "./qemu-socket";

export interface Launched {
  pid: number;
  dir: string;
  netns: string;
  notes: string[]; // what differs from the real path for this guest (e.g. a VLAN the host cannot enforce)
}

const GIB = 2 ** 30;

export function guestFiles(dir: string) {
  return {
    qmp: path.join(dir, "qmp.sock"),
    agent: path.join(dir, "qga.sock"),
    pid: path.join(dir, "qemu.pid"),
    seed: path.join(dir, "seed.iso"),
    serial: path.join(dir, "serial.log"),
    info: path.join(dir, "guest.json"),
  };
}

export async function ensureNetns(name: string): Promise<void> {
  if (!existsSync(`/var/run/netns/${name}`)) await runOk("ip", ["netns", "add", name]);
  await runOk("ip", ["-n", name, "link", "set", "lo", "up"]);
}

let vlanSupport: Promise<boolean> | undefined;
/** Whether this kernel's bridges can filter VLANs (CONFIG_BRIDGE_VLAN_FILTERING): probed once in a scratch netns. */
export function hostHasBridgeVlanFiltering(layout: HostLayout): Promise<boolean> {
  vlanSupport ??= (async () => {
    const scratch = `${layout.netnsPrefix}vlanprobe`;
    await ensureNetns(scratch);
    const probe = await run("ip", ["-n", scratch, "link", "add", "probe0", "type", "bridge", "vlan_filtering", "1"]);
    await run("ip", ["netns", "del", scratch]);
    return probe.code === 0;
  })();
  return vlanSupport;
}

function cniEnv(command: "ADD" | "DEL", spec: GuestSpec, nic: Extract<GuestNic, { kind: "bridge" }>, netns: string, artifacts: Artifacts): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    CNI_COMMAND: command,
    CNI_CONTAINERID: `${spec.uid || spec.name}-${nic.podIfname}`,
    CNI_NETNS: `/var/run/netns/${netns}`,
    CNI_IFNAME: nic.podIfname,
    CNI_PATH: artifacts.cniDir,
  };
}

/** The NAD's config as the CNI plugin gets it here: unchanged, except a VLAN this kernel cannot filter (said aloud). */
export function effectiveCniConfig(config: Record<string, unknown>, vlanFiltering: boolean): { config: Record<string, unknown>; note?: string } {
  if (vlanFiltering || config.vlan === undefined) return { config };
  const { vlan, ...rest } = config;
  return { config: rest, note: `VLAN ${vlan} of ${config.name} NOT enforced: this host kernel has no bridge VLAN filtering (proven in the node VM instead)` };
}

async function plugNics(spec: GuestSpec, layout: HostLayout, artifacts: Artifacts, netns: string): Promise<{ args: string[]; notes: string[] }> {
  const args: string[] = [];
  const notes: string[] = [];
  const vlanFiltering = await hostHasBridgeVlanFiltering(layout);
  for (const [i, nic] of spec.nics.entries()) {
    const device = `virtio-net-pci,netdev=n${i},mac=${nic.mac}`;
    if (nic.kind === "pod") {
      // Masquerade stand-in: QEMU's user network (NAT) laid out as KubeVirt's (gateway 10.0.2.1, guest 10.0.2.2, which
      // cloud-init may also set statically), ssh forwarded on the pod namespace's loopback.
      const user = `user,id=n${i},restrict=on,net=10.0.2.0/24,host=10.0.2.1,dhcpstart=10.0.2.2,hostfwd=tcp:127.0.0.1:2222-:22`;
      args.push("-netdev", user, "-device", device);
      continue;
    }
    const tap = `tap${i}`;
    await runOk("ip", ["-n", netns, "tuntap", "add", tap, "mode", "tap"]);
    if (nic.kind === "bridge") {
      const { config, note } = effectiveCniConfig(nic.cniConfig, vlanFiltering);
      if (note) notes.push(note);
      await runOk("ip", ["netns", "exec", layout.nodeNetns, path.join(artifacts.cniDir, "bridge")], {
        input: JSON.stringify(config),
        env: cniEnv("ADD", spec, nic, netns, artifacts),
      });
      const bridge = `k6t-${nic.podIfname}`;
      await runOk("ip", ["-n", netns, "link", "add", bridge, "type", "bridge"]);
      for (const port of [nic.podIfname, tap]) await runOk("ip", ["-n", netns, "link", "set", port, "master", bridge, "up"]);
      await runOk("ip", ["-n", netns, "link", "set", bridge, "up"]);
    } else {
      notes.push(`NIC ${nic.name}: ${nic.reason}; the guest gets an unconnected NIC`);
      await runOk("ip", ["-n", netns, "link", "set", tap, "up"]);
    }
    args.push("-netdev", `tap,id=n${i},ifname=${tap},script=no,downscript=no`, "-device", device);
  }
  return { args, notes };
}

async function makeDisks(spec: GuestSpec, layout: HostLayout, artifacts: Artifacts): Promise<string[]> {
  await mkdir(layout.volumeDir, { recursive: true });
  const args: string[] = [];
  for (const disk of spec.disks) {
    const file = volumePath(layout, spec.namespace, disk.claim);
    if (!existsSync(file)) {
      // The base image is 2 GiB; a smaller claim still gets a bootable overlay.
      const size = String(disk.fromImage ? Math.max(disk.sizeBytes, 2 * GIB) : disk.sizeBytes);
      const base = disk.fromImage ? ["-b", path.join(artifacts.imageDir, "base.qcow2"), "-F", "qcow2"] : [];
      await runOk("qemu-img", ["create", "-q", "-f", "qcow2", ...base, file, size]);
    }
    args.push(
      "-drive",
      `file=${file},if=none,id=drive-${disk.name},format=qcow2,discard=unmap`,
      "-device",
      `virtio-blk-pci,drive=drive-${disk.name},serial=${disk.serial}`,
    );
  }
  return args;
}

/** The seed as KubeVirt builds it: an ISO9660 volume `cidata` with user-data, meta-data (JSON) and network-config. */
async function makeSeed(spec: GuestSpec, dir: string): Promise<string[]> {
  const content = path.join(dir, "seed");
  await mkdir(content, { recursive: true });
  await writeFile(path.join(content, "user-data"), spec.seed.userData, { mode: 0o600 });
  await writeFile(path.join(content, "meta-data"), JSON.stringify(spec.seed.metaData), { mode: 0o600 });
  if (spec.seed.networkConfig !== undefined) await writeFile(path.join(content, "network-config"), spec.seed.networkConfig, { mode: 0o600 });
  const iso = guestFiles(dir).seed;
  await runOk("xorrisofs", ["-quiet", "-output", iso, "-volid", "cidata", "-joliet", "-rock", "-partition_cyl_align", "on", content]);
  await rm(content, { recursive: true, force: true });
  return ["-drive", `file=${iso},if=none,id=drive-cloudinitdisk,format=raw,readonly=on`, "-device", "virtio-blk-pci,drive=drive-cloudinitdisk"];
}

export interface MachineSize {
  memory: string; // QEMU -m
  cpus: number;
  accel: string;
}

export async function launch(spec: GuestSpec, layout: HostLayout, artifacts: Artifacts, size: MachineSize): Promise<Launched> {
  const dir = guestDir(layout, spec.namespace, spec.name);
  const netns = podNetns(layout, spec.namespace, spec.name);
  await mkdir(dir, { recursive: true });
  await ensureNetns(layout.nodeNetns);
  await ensureNetns(netns);
  const files = guestFiles(dir);
  const nics = await plugNics(spec, layout, artifacts, netns);
  const args = [
    "netns",
    "exec",
    netns,
    "qemu-system-x86_64",
    "-name",
    `${spec.namespace}/${spec.name}`,
    "-accel",
    size.accel,
    "-smp",
    String(size.cpus),
    "-m",
    size.memory,
    "-nodefaults",
    "-display",
    "none",
    "-serial",
    `file:${files.serial}`,
    "-kernel",
    path.join(artifacts.imageDir, "vmlinuz"),
    "-initrd",
    path.join(artifacts.imageDir, "initrd.img"),
    "-append",
    "root=LABEL=wukong-root rw console=ttyS0",
    ...(await makeDisks(spec, layout, artifacts)),
    ...SCSI_CONTROLLER_ARGS,
    ...(await makeSeed(spec, dir)),
    ...nics.args,
    ...controlArgs(files),
  ];
  await runOk("ip", args);
  const pid = Number((await readFile(files.pid, "utf8")).trim());
  const launched: Launched = { pid, dir, netns, notes: nics.notes };
  await writeFile(files.info, JSON.stringify({ namespace: spec.namespace, name: spec.name, uid: spec.uid, ...launched, spec }, null, 2));
  return launched;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** ACPI power-down first (the guest shuts down cleanly), then QMP quit, then SIGKILL; then the pod goes away. */
export async function stop(spec: GuestSpec, layout: HostLayout, artifacts: Artifacts, pid: number, graceMs = 90_000): Promise<void> {
  const dir = guestDir(layout, spec.namespace, spec.name);
  const files = guestFiles(dir);
  if (alive(pid)) {
    await qmp(files.qmp, "system_powerdown").catch(() => undefined);
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) await sleep(500);
    if (alive(pid)) await qmp(files.qmp, "quit").catch(() => undefined);
    await sleep(1000);
    if (alive(pid)) process.kill(pid, "SIGKILL");
  }
  const netns = podNetns(layout, spec.namespace, spec.name);
  const vlanFiltering = await hostHasBridgeVlanFiltering(layout);
  for (const nic of spec.nics) {
    if (nic.kind !== "bridge" || !existsSync(`/var/run/netns/${netns}`)) continue;
    const { config } = effectiveCniConfig(nic.cniConfig, vlanFiltering);
    await run("ip", ["netns", "exec", layout.nodeNetns, path.join(artifacts.cniDir, "bridge")], {
      input: JSON.stringify(config),
      env: cniEnv("DEL", spec, nic, netns, artifacts),
    });
  }
  await run("ip", ["netns", "del", netns]);
  await rm(dir, { recursive: true, force: true });
}

/** QMP block_resize: the guest sees the new capacity at once (virtio-blk config change). */
export async function resizeDisk(dir: string, diskName: string, sizeBytes: number): Promise<void> {
  await qmp(guestFiles(dir).qmp, "block_resize", { device: `drive-${diskName}`, size: sizeBytes });
}

/** QMP and the guest agent on unix sockets, and QEMU daemonized with its pid in a file: how both kinds of guest are driven. */
export function controlArgs(files: { qmp: string; agent: string; pid: string }): string[] {
  return [
    "-qmp",
    `unix:${files.qmp},server=on,wait=off`,
    "-chardev",
    `socket,id=qga0,path=${files.agent},server=on,wait=off`,
    "-device",
    "virtio-serial-pci",
    "-device",
    "virtserialport,chardev=qga0,name=org.qemu.guest_agent.0",
    "-daemonize",
    "-pidfile",
    files.pid,
  ];
}
