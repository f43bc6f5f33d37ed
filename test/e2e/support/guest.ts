// Helpers for the real-guest journeys: the netns names the runtime uses, a router namespace plugged into a node
// bridge, ssh into a guest through its pod namespace, and timings printed as the journeys go.
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hostLayout, podNetns } from "../../guest/runtime/host";

export const GUEST_LABELS = { "sim.novasphere.dev/runtime": "qemu" };
export const layout = hostLayout();

export function sh(cmd: string, args: string[], timeoutMs = 60_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise(resolve => {
    execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

export async function shOk(cmd: string, args: string[], timeoutMs?: number): Promise<string> {
  const r = await sh(cmd, args, timeoutMs);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${r.code}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

const started = Date.now();
/** One timing line per milestone, on stderr so CI shows it. */
export function timing(what: string, since: number): void {
  process.stderr.write(`guest timing: ${what}: ${((Date.now() - since) / 1000).toFixed(1)} s (suite at ${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
}

/** A router namespace with one leg on a bridge of the node namespace, holding `address` (CIDR). */
export async function plugRouter(name: string, bridge: string, address: string): Promise<string> {
  const netns = `${layout.netnsPrefix}${name}`;
  const hostLeg = `${name.slice(0, 8)}-n`;
  await shOk("ip", ["netns", "add", netns]);
  await shOk("ip", ["-n", netns, "link", "set", "lo", "up"]);
  await shOk("ip", ["-n", layout.nodeNetns, "link", "add", hostLeg, "type", "veth", "peer", "name", "r0", "netns", netns]);
  await shOk("ip", ["-n", layout.nodeNetns, "link", "set", hostLeg, "master", bridge, "up"]);
  await shOk("ip", ["-n", netns, "addr", "add", address, "dev", "r0"]);
  await shOk("ip", ["-n", netns, "link", "set", "r0", "up"]);
  return netns;
}

export async function removeNetns(netns: string | undefined): Promise<void> {
  if (netns) await sh("ip", ["netns", "del", netns]);
}

/** dnsmasq serving DHCP on the router's leg, in the foreground as our child (stopped by pid). */
export function startDnsmasq(netns: string, range: string): ChildProcess {
  return spawn(
    "ip",
    [
      "netns",
      "exec",
      netns,
      "dnsmasq",
      "--no-daemon",
      "--port=0",
      "--interface=r0",
      "--bind-interfaces",
      `--dhcp-range=${range}`,
      "--leasefile-ro",
      "--log-dhcp",
    ],
    { stdio: "ignore" },
  );
}

export function sshKeyPair(): { privateKey: string; publicKey: string } {
  const dir = mkdtempSync(join(tmpdir(), "wukong-guest-key-"));
  const privateKey = join(dir, "id_ed25519");
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "wukong-e2e", "-f", privateKey]);
  return { privateKey, publicKey: readFileSync(`${privateKey}.pub`, "utf8").trim() };
}

/** ssh as `user` into the guest through its pod namespace's loopback (QEMU's hostfwd plays the port-forward). */
export function ssh(namespace: string, vm: string, user: string, privateKey: string, command: string) {
  return sh(
    "ip",
    [
      "netns",
      "exec",
      podNetns(layout, namespace, vm),
      "ssh",
      "-p",
      "2222",
      "-i",
      privateKey,
      "-o",
      "BatchMode=yes",
      "-o",
      "StrictHostKeyChecking=no",
      "-o",
      "UserKnownHostsFile=/dev/null",
      "-o",
      "ConnectTimeout=10",
      "-o",
      "LogLevel=ERROR",
      `${user}@127.0.0.1`,
      command,
    ],
    60_000,
  );
}
