// Where a guest's pieces live on this host and how commands run: one place for names, so the runtime, `inspect`
// and cleanup.sh agree. Per-guest files (sockets, seed, pid, serial log) live under /run (socket paths are limited
// to 108 bytes); disk files live under the stack's state directory, one per PVC, so they outlive a stopped VM.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import path from "node:path";

export interface HostLayout {
  runDir: string; // /run/wukong-guests-<apiserver port>
  volumeDir: string; // <state>/guests/volumes
  netnsPrefix: string; // wk<apiserver port>-
  nodeNetns: string; // the network namespace that plays the node (bridges live there)
}

export function hostLayout(env: NodeJS.ProcessEnv = process.env): HostLayout {
  const port = env.WUKONG_APISERVER_PORT || "6443";
  const repo = path.resolve(__dirname, "../../..");
  const state = env.WUKONG_STATE || path.join(repo, ".wukong");
  return {
    runDir: `/run/wukong-guests-${port}`,
    volumeDir: path.join(state, "guests", "volumes"),
    netnsPrefix: `wk${port}-`,
    nodeNetns: `wk${port}-node`,
  };
}

const shortHash = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 10);

export function guestDir(layout: HostLayout, namespace: string, name: string): string {
  return path.join(layout.runDir, shortHash(`${namespace}/${name}`));
}

export function podNetns(layout: HostLayout, namespace: string, name: string): string {
  return `${layout.netnsPrefix}p${shortHash(`${namespace}/${name}`)}`;
}

export function volumePath(layout: HostLayout, namespace: string, claim: string): string {
  return path.join(layout.volumeDir, `${namespace}_${claim}.qcow2`);
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise(resolve => {
    const child = execFile(cmd, args, { env: options.env ?? process.env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === "number" ? Number((err as NodeJS.ErrnoException).code) : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) || (err && code !== 0 ? err.message : "") });
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

export async function runOk(cmd: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(cmd, args, options);
  if (result.code !== 0) throw new Error(`${cmd} ${args.join(" ")}: exit ${result.code}: ${result.stderr.trim() || result.stdout.trim()}`);
  return result.stdout;
}

export interface Artifacts {
  imageDir: string; // base.qcow2, vmlinuz, initrd.img, rootfs/
  cniDir: string; // the CNI bridge plugin
}

/**
 * The cached guest image and CNI plugin (build-cni.sh's default version unless `cniVersion` names a release),
 * built on first use (minutes) and found at once afterwards.
 */
export async function buildArtifacts(cniVersion?: string): Promise<Artifacts> {
  const script = (name: string) => path.resolve(__dirname, "..", name);
  const [imageDir, cniDir] = await Promise.all([
    runOk(script("build-image.sh"), [], { timeoutMs: 20 * 60_000 }),
    runOk(script("build-cni.sh"), cniVersion ? [cniVersion] : [], { timeoutMs: 10 * 60_000 }),
  ]);
  return { imageDir: imageDir.trim(), cniDir: cniDir.trim() };
}
