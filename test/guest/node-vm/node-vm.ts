// The node VM: one Debian guest booted only to be a Kubernetes node whose kernel has bridge VLAN filtering (this
// host's has not). The files it needs (the CNI bridge plugin, the NAD configs, matrix.sh) arrive on an ISO; the
// agent runs matrix.sh and returns its output.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { type Artifacts, runOk } from "../runtime/host";
import { alive, controlArgs } from "../runtime/launcher";
import { agent, agentExec, qmp } from "../runtime/qemu-socket";

export interface NodeVmRun {
  output: string;
  bootSeconds: number;
  totalSeconds: number;
}

const sleep = (ms: number) => new Promise(r => setTimeout(r, ms));

/** Boots the node VM, runs matrix.sh with these NAD configs (file name → config JSON), stops it, returns the output. */
export async function runInNodeVm(artifacts: Artifacts, workDir: string, nadConfigs: Record<string, string>, bootTimeoutMs = 480_000): Promise<NodeVmRun> {
  const started = Date.now();
  rmSync(workDir, { recursive: true, force: true });
  const files = path.join(workDir, "files");
  mkdirSync(files, { recursive: true });
  copyFileSync(path.join(artifacts.cniDir, "bridge"), path.join(files, "bridge"));
  copyFileSync(path.join(__dirname, "matrix.sh"), path.join(files, "matrix.sh"));
  for (const [name, config] of Object.entries(nadConfigs)) writeFileSync(path.join(files, name), config);
  const iso = path.join(workDir, "files.iso");
  await runOk("xorrisofs", ["-quiet", "-output", iso, "-volid", "NODEFILES", "-rock", files]);
  const disk = path.join(workDir, "root.qcow2");
  await runOk("qemu-img", ["create", "-q", "-f", "qcow2", "-b", path.join(artifacts.imageDir, "base.qcow2"), "-F", "qcow2", disk]);
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
    path.join(artifacts.imageDir, "vmlinuz"),
    "-initrd",
    path.join(artifacts.imageDir, "initrd.img"),
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
    const result = await agentExec(sockets.agent, "/bin/sh", ["-c", "mount -o ro /dev/disk/by-label/NODEFILES /mnt && sh /mnt/matrix.sh"], 180_000);
    if (result.code !== 0) throw new Error(`matrix.sh exited ${result.code}: ${result.stderr}`);
    return { output: result.stdout, bootSeconds, totalSeconds: (Date.now() - started) / 1000 };
  } finally {
    await qmp(sockets.qmp, "quit").catch(() => undefined);
    for (let i = 0; i < 50 && alive(pid); i++) await sleep(100);
    if (alive(pid)) process.kill(pid, "SIGKILL");
    rmSync(workDir, { recursive: true, force: true });
  }
}
