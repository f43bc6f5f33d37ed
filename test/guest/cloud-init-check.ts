// Runs the guest's own cloud-init (22.4, from the cached image's root filesystem, in a chroot: nothing is installed on
// the host) against generated data: `cloud-init schema` for user-data and `devel net-convert` to the networkd files
// the guest would write. Needs root (chroot) and test/guest/build-image.sh's cache (built on first use).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export function guestRootfs(): string {
  const dir = execFileSync(path.join(__dirname, "build-image.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  return path.join(dir, "rootfs");
}

export interface CloudInitVerdict {
  schema: { ok: boolean; output: string };
  networkd: Record<string, string>; // rendered file name → content
}

/** Checks one seed; `macs` maps a guest interface name to its MAC, as udev would present the NICs. */
export function checkWithCloudInit(rootfs: string, userData: string | undefined, networkConfig: string, macs: Record<string, string>): CloudInitVerdict {
  const work = mkdtempSync(path.join(rootfs, "tmp", "wukong-check-"));
  const inside = "/" + path.relative(rootfs, work);
  try {
    let schema = { ok: true, output: "no user-data" };
    if (userData !== undefined) {
      writeFileSync(path.join(work, "user-data"), userData);
      try {
        const output = execFileSync("chroot", [rootfs, "cloud-init", "schema", "--config-file", `${inside}/user-data`], {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "pipe"],
        });
        schema = { ok: true, output };
      } catch (err) {
        const e = err as { stdout?: string; stderr?: string };
        schema = { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
      }
    }
    writeFileSync(path.join(work, "network-config"), networkConfig);
    const macArgs = Object.entries(macs).flatMap(([name, mac]) => ["--mac", `${name},${mac}`]);
    execFileSync(
      "chroot",
      [
        rootfs,
        "cloud-init",
        "devel",
        "net-convert",
        "--network-data",
        `${inside}/network-config`,
        "--kind",
        "yaml",
        "--output-kind",
        "networkd",
        "-D",
        "debian",
        "--directory",
        `${inside}/out`,
        ...macArgs,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    const networkdDir = path.join(work, "out", "etc", "systemd", "network");
    const networkd = Object.fromEntries(readdirSync(networkdDir).map(file => [file, readFileSync(path.join(networkdDir, file), "utf8")]));
    return { schema, networkd };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The `key=value` lines of one section of a networkd file (repeated keys kept in order). */
export function networkdSection(text: string, section: string): [string, string][] {
  const out: [string, string][] = [];
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("[")) current = line.slice(1, -1);
    else if (current === section && line.includes("=")) {
      const i = line.indexOf("=");
      out.push([line.slice(0, i), line.slice(i + 1)]);
    }
  }
  return out;
}
