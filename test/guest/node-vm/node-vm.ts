// The node VM: one Debian guest booted only to be a Kubernetes node whose kernel has bridge VLAN filtering (this
// host's has not). The files it needs (one CNI bridge plugin per version, the NAD configs, matrix.sh) arrive on an
// ISO; the agent runs matrix.sh once per plugin version in the same boot and returns each output.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runOk } from "../runtime/host";
import { alive, controlArgs } from "../runtime/launcher";
import { agent, agentExec, qmp } from "../runtime/qemu-socket";

/** One build of the CNI bridge plugin: its release and the directory build-cni.sh put it in. */
export interface BridgePlugin {
  version: string;
  cniDir: string;
}

export interface NodeVmRun {
  /** matrix.sh's output, by plugin version. */
  outputs: Record<string, string>;
  bootSeconds: number;
  totalSeconds: number;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));
const pluginFile = (plugin: BridgePlugin) => `bridge-${plugin.version}`;

/** Boots the node VM, runs matrix.sh with these NAD configs (file name → config JSON) under each plugin, stops it. */
export async function runInNodeVm(
  imageDir: string,
  plugins: BridgePlugin[],
  workDir: string,
  nadConfigs: Record<string, string>,
  bootTimeoutMs = 480_000,
): Promise<NodeVmRun> {
  const started = Date.now();
  rmSync(workDir, { recursive: true, force: true });
  const files = path.join(workDir, "files");
  mkdirSync(files, { recursive: true });
  for (const plugin of plugins) copyFileSync(path.join(plugin.cniDir, "bridge"), path.join(files, pluginFile(plugin)));
  copyFileSync(path.join(__dirname, "matrix.sh"), path.join(files, "matrix.sh"));
  for (const [name, config] of Object.entries(nadConfigs)) writeFileSync(path.join(files, name), config);
  const iso = path.join(workDir, "files.iso");
  await runOk("xorrisofs", ["-quiet", "-output", iso, "-volid", "NODEFILES", "-rock", files]);
  const disk = path.join(workDir, "root.qcow2");
  await runOk("qemu-img", ["create", "-q", "-f", "qcow2", "-b", path.join(imageDir, "base.qcow2"), "-F", "qcow2", disk]);
  const sockets = { qmp: path.join(workDir, "qmp.sock"), agent: path.join(workDir, "qga.sock"), pid: path.join(workDir, "qemu.pid") };
  await runOk("qemu-system-x86_64", [
    "-name",
    "wukong-node-vm",
    "-accel",
    process.env.SIM_GUEST_ACCEL || "tcg,thread=multi,tb-size=128",
    "-smp",
    "1",
    "-m",
    "512",
    "-nodefaults",
    "-display",
    "none",
    "-serial",
    `file:${path.join(workDir, "serial.log")}`,
    "-nic",
    "none",
    "-kernel",
    path.join(imageDir, "vmlinuz"),
    "-initrd",
    path.join(imageDir, "initrd.img"),
    "-append",
    "root=LABEL=wukong-root rw console=ttyS0",
    "-drive",
    `file=${disk},if=none,id=root,format=qcow2`,
    "-device",
    "virtio-blk-pci,drive=root",
    "-drive",
    `file=${iso},if=none,id=files,format=raw,readonly=on`,
    "-device",
    "virtio-blk-pci,drive=files,serial=nodefiles",
    ...controlArgs(sockets),
  ]);
  const pid = Number(readFileSync(sockets.pid, "utf8").trim());
  try {
    const deadline = Date.now() + bootTimeoutMs;
    for (;;) {
      try {
        await agent(sockets.agent, "guest-ping", undefined, 2000);
        break;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`node VM agent silent after ${bootTimeoutMs} ms: ${(err as Error).message}`);
        await sleep(2000);
      }
    }
    const bootSeconds = (Date.now() - started) / 1000;
    const mounted = await agentExec(sockets.agent, "/bin/mount", ["-o", "ro", "/dev/disk/by-label/NODEFILES", "/mnt"], 30_000);
    if (mounted.code !== 0) throw new Error(`mounting the node files failed: ${mounted.stderr}`);
    const outputs: Record<string, string> = {};
    for (const plugin of plugins) {
      const result = await agentExec(sockets.agent, "/bin/sh", ["/mnt/matrix.sh", pluginFile(plugin)], 180_000);
      if (result.code !== 0) throw new Error(`matrix.sh with the bridge plugin ${plugin.version} exited ${result.code}: ${result.stderr}`);
      outputs[plugin.version] = result.stdout;
    }
    return { outputs, bootSeconds, totalSeconds: (Date.now() - started) / 1000 };
  } finally {
    await qmp(sockets.qmp, "quit").catch(() => undefined);
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  }
}
