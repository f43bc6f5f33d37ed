// The preflight (test/preflight/check.sh) on a machine that lacks the tools: as root on Debian it installs them with
// apt-get, saying so in one line; anywhere else it stops at once with the install command for that system.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { readTools } from "../../preflight/tools";

const check = path.join(__dirname, "../../preflight/check.sh");
const startTools = readTools().filter(t => t.neededBy.includes("start"));
const startPackages = [...new Set(startTools.flatMap(t => (t.debianPackage ? [t.debianPackage] : [])))];

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "preflight-"));
  // A PATH with only what the script itself uses: every listed tool is missing (none lives in sbin).
  for (const tool of ["dirname", "tr", "tail", "uname"])
    symlinkSync(
      spawnSync("sh", ["-c", `command -v ${tool}`])
        .stdout.toString()
        .trim(),
      path.join(dir, tool),
    );
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const fake = (name: string, script: string) => {
  writeFileSync(path.join(dir, name), `#!/bin/sh\n${script}\n`);
  chmodSync(path.join(dir, name), 0o755);
};
const osRelease = (content: string) => {
  writeFileSync(path.join(dir, "os-release"), content);
  return path.join(dir, "os-release");
};
const run = (uid: number, system: string, ...runs: string[]) => {
  fake("id", `echo ${uid}`);
  const started = Date.now();
  const result = spawnSync("/bin/sh", [check, ...runs], {
    env: { PATH: dir, TMPDIR: dir, WUKONG_PREFLIGHT_OS_RELEASE: osRelease(system) },
    encoding: "utf8",
  });
  return { ...result, ms: Date.now() - started };
};

describe("the preflight", () => {
  it("as a user on Debian: stops within a second, printing the apt-get command, what to install by hand, and nothing else runs", () => {
    const { status, stderr, ms } = run(1000, "ID=debian\n", "start");
    expect(status).toBe(1);
    expect(ms).toBeLessThan(1000);
    expect(stderr).toContain(`Missing: ${startTools.map(t => t.command).join(" ")}.`);
    expect(stderr).toContain(`Install them with:  sudo apt-get install -y --no-install-recommends ${startPackages.join(" ")}\n`);
    expect(stderr).toContain("Install by hand:\n  go: ");
  });

  it("on Fedora: the dnf command with Fedora's package names", () => {
    const { status, stderr } = run(1000, 'ID=fedora\nID_LIKE=""\n', "start");
    expect(status).toBe(1);
    expect(stderr).toMatch(/Install them with: {2}sudo dnf install -y openssl util-linux iproute procps-ng curl\n/);
  });

  it("on a system it does not know: the Debian package names to look for", () => {
    const { status, stderr } = run(1000, "ID=plan9\n", "start");
    expect(status).toBe(1);
    expect(stderr).toContain(`Install them with your system's package manager (Debian's packages: ${startPackages.join(" ")}).`);
  });

  it("as root on Ubuntu: installs what is missing with apt-get, saying so in one line", () => {
    fake("go", "exit 0"); // Go has no package: with it present, apt-get can bring the rest
    fake("apt-get", `echo "$@" >> "${dir}/apt-get.calls"`);
    const { status, stderr } = run(0, "ID=ubuntu\nID_LIKE=debian\n", "start");
    expect(stderr.trim().split("\n")).toEqual([`preflight: installing with apt-get (log: ${dir}/wukong-preflight-apt.log): ${startPackages.join(" ")}`]);
    expect(readFileSync(path.join(dir, "apt-get.calls"), "utf8")).toBe(`update -qq\ninstall -y -qq --no-install-recommends ${startPackages.join(" ")}\n`);
    expect(status).toBe(0);
  });

  it("host and e2e runs need root even when every tool is there", () => {
    for (const tool of readTools()) fake(tool.command, "exit 0");
    expect(run(1000, "ID=debian\n", "host")).toMatchObject({ status: 1, stderr: expect.stringContaining("Run it as root") });
    expect(run(0, "ID=debian\n", "host", "e2e")).toMatchObject({ status: 0, stderr: "" });
    expect(run(1000, "ID=debian\n", "start")).toMatchObject({ status: 0, stderr: "" });
  });
});
