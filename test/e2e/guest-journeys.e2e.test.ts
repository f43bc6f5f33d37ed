// Real-guest journeys (test/guest/README.md): Wukongs labelled sim.novasphere.dev/runtime=qemu boot a Debian guest in
// QEMU with the NoCloud seed, disks and NICs Wukong generated. Everything is checked inside the guest. One guest at a
// time; timings are printed.
import { execFileSync } from "node:child_process";
import { inspectGuest } from "../guest/inspect-guest";
import { hostHasBridgeVlanFiltering } from "../guest/runtime/launcher";
import { GUEST_LABELS, layout, plugRouter, removeNetns, sh, ssh, sshKeyPair, startDnsmasq, timing } from "./support/guest";
import { R, apply, createNamespace, deleteNamespace, getJson, kubectlOk, waitFor, waitForPhase, wukong, wukongManifest } from "./support/kube";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SIMULATOR_LOG } from "./support/stack";

jest.setTimeout(600_000);
const BOOT_MS = 420_000; // TCG on a loaded 2-core machine: the agent answers in about 60-120 s

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const agentIp = (namespace: string, name: string, nic: string, ip: string) =>
  waitFor(() => wukong(namespace, name), {
    describe: `wk/${name} status.networks ${nic} = ${ip}, reported by the guest agent`,
    until: w => w.status?.networks?.find((n: Obj) => n.name === nic)?.ipAddress === ip,
    timeoutMs: BOOT_MS,
    intervalMs: 2000,
  });

async function waitForGone(namespace: string, name: string): Promise<void> {
  await waitFor(async () => (await sh("kubectl", ["get", R.wukong, name, "-n", namespace, "--ignore-not-found", "-o", "name"])).stdout.trim(), {
    describe: `wk/${name} deleted`,
    until: out => out === "",
    timeoutMs: 180_000,
  });
}

describe("guest journey: the seed example boots with its static IP", () => {
  const NAME = "web-server-01";
  let ns: string;
  let router: string | undefined;
  const seed = parse(readFileSync(join(__dirname, "../../samples/seed.yaml"), "utf8"));

  beforeAll(async () => {
    ns = await createNamespace("guest-seed");
  });
  afterAll(async () => {
    await removeNetns(router);
    await deleteNamespace(ns);
  });

  test("the guest holds 192.168.100.10/24 on the NIC with our MAC, a router pings it, status shows it from the agent", async () => {
    const t0 = Date.now();
    await apply(ns, wukongManifest(NAME, seed.spec, { labels: GUEST_LABELS }));
    const running = await waitForPhase(ns, NAME, "Running", BOOT_MS);
    timing("seed: Wukong Running (QEMU started)", t0);
    const mac = running.status.networks.find((n: Obj) => n.name === "mgmt").macAddress;

    const vlan = await hostHasBridgeVlanFiltering(layout);
    process.stderr.write(
      vlan
        ? "guest: the host kernel filters bridge VLANs: the seed journey runs with vlan 100 in place\n"
        : "guest: the host kernel has NO bridge VLAN filtering: vlan 100 is dropped here (the simulator logs it) and proven in the node VM journey\n",
    );
    if (!vlan) expect(readFileSync(SIMULATOR_LOG, "utf8")).toContain(`VLAN 100 of ${NAME}-mgmt NOT enforced`);

    const seen = await agentIp(ns, NAME, "mgmt", "192.168.100.10");
    timing("seed: agent reports 192.168.100.10", t0);
    const vmi = await getJson(R.vmi, NAME, ns);
    expect(vmi.status.conditions).toContainEqual(expect.objectContaining({ type: "AgentConnected", status: "True" }));
    const mgmt = vmi.status.interfaces.find((i: Obj) => i.name === "mgmt");
    expect(mgmt).toMatchObject({ mac, ipAddress: "192.168.100.10" });
    // virt-handler reports the domain's and the agent's view; virt-controller adds Multus's from the launcher pod's
    // network-status (kubevirt v1.7.4 pkg/network/vmispec/infosource.go).
    expect(String(mgmt.infoSource).split(", ").sort()).toEqual(["domain", "guest-agent", "multus-status"]);
    expect(vmi.status.guestOSInfo).toMatchObject({ id: "debian" });
    expect(seen.status.networks.find((n: Obj) => n.name === "mgmt")).toMatchObject({ ipAddress: "192.168.100.10", macAddress: mac });

    // The CLI a user runs, not just the function behind it.
    const inside = JSON.parse(execFileSync(join(__dirname, "../guest/inspect"), [ns, NAME], { encoding: "utf8", env: process.env })) as Obj;
    const nic = inside.interfaces.find((i: Obj) => i.mac === mac);
    expect(nic).toMatchObject({ name: "mgmt", addresses: expect.arrayContaining(["192.168.100.10/24"]) });
    expect(inside.hostname).toBe(NAME);

    router = await plugRouter(`rt${process.pid % 10000}`, "br0", "192.168.100.1/24");
    const ping = await sh("ip", ["netns", "exec", router, "ping", "-c", "3", "-W", "2", "192.168.100.10"]);
    expect({ code: ping.code, out: ping.stdout.split("\n").find(l => l.includes("packets")) }).toEqual({
      code: 0,
      out: expect.stringContaining(" 0% packet loss"),
    });
    timing("seed: router pinged the guest", t0);
  });

  test("deleting the Wukong stops QEMU and removes its pod namespace", async () => {
    const t0 = Date.now();
    await kubectlOk(["delete", R.wukong, NAME, "-n", ns, "--wait=false"]);
    await waitForGone(ns, NAME);
    await waitFor(async () => (await sh("ip", ["netns", "list"])).stdout, {
      describe: "the guest's pod netns gone",
      until: out => !out.split("\n").some(l => l.startsWith(`${layout.netnsPrefix}p`)),
      timeoutMs: 180_000,
    });
    timing("seed: QEMU stopped and cleaned up", t0);
  });
});

describe("guest journeys: users, custom user data, DHCP, disk growth, stop and start", () => {
  const NAME = "ops-box";
  let ns: string;
  let router: string | undefined;
  let dnsmasq: ReturnType<typeof startDnsmasq> | undefined;
  const keys = sshKeyPair();
  const hash = execFileSync("openssl", ["passwd", "-6", "-salt", "wukongE2E", "correct horse"], { encoding: "utf8" }).trim();
  let macs: Record<string, string> = {};

  beforeAll(async () => {
    ns = await createNamespace("guest-ops");
  });
  afterAll(async () => {
    if (dnsmasq?.pid) process.kill(dnsmasq.pid, "SIGTERM");
    await removeNetns(router);
    await deleteNamespace(ns);
  });

  test("boots with the users, keys, user data, a DHCP NIC and a blank disk", async () => {
    const t0 = Date.now();
    await kubectlOk(["create", "secret", "generic", "ops-keys", "-n", ns, `--from-literal=key1=${keys.publicKey}`]);
    await apply(
      ns,
      wukongManifest(
        NAME,
        {
          cpu: 1,
          memory: "1Gi",
          sshKeySecret: "ops-keys",
          cloudInitUser: { name: "ops", passwordHash: hash, sudo: "ALL=(ALL) NOPASSWD:ALL", groups: ["adm", "sudo"], shell: "/bin/bash" },
          cloudInit: {
            userData: "write_files:\n  - {path: /etc/wukong-proof, content: written-by-user-data}\nruncmd:\n  - [sh, -c, 'echo ran > /var/tmp/runcmd-proof']\n",
          },
          networks: [{ name: "lab", type: "bridge", bridgeName: "br-lab", ipConfig: { mode: "dhcp" } }],
          disks: [
            { name: "system", size: "4Gi", storageClassName: "longhorn", boot: true },
            { name: "data", size: "1Gi", storageClassName: "longhorn" },
          ],
        },
        { labels: GUEST_LABELS },
      ),
    );
    const running = await waitForPhase(ns, NAME, "Running", BOOT_MS);
    macs = Object.fromEntries(running.status.networks.map((n: Obj) => [n.name, n.macAddress]));
    // DHCP on the lab bridge as soon as the CNI plugin made it: the guest asks while it boots.
    router = await plugRouter(`dh${process.pid % 10000}`, "br-lab", "10.77.0.1/24");
    dnsmasq = startDnsmasq(router, "10.77.0.50,10.77.0.60,255.255.255.0,1h");
    timing("ops: Running, router with dnsmasq on br-lab", t0);
    await waitFor(() => getJson(R.vmi, NAME, ns), {
      describe: "AgentConnected",
      until: v => v.status?.conditions?.some((c: Obj) => c.type === "AgentConnected" && c.status === "True"),
      timeoutMs: BOOT_MS,
      intervalMs: 2000,
    });
    await waitFor(() => inspectGuest(ns, NAME), {
      describe: "cloud-init done in the guest",
      until: g => g.cloudInit === "done",
      timeoutMs: BOOT_MS,
      intervalMs: 3000,
    });
    timing("ops: cloud-init done", t0);
  }, 1_200_000);

  test("users: ssh with the test's key as ops works, sudo -n obeys the rule, the hash and groups match", async () => {
    const inside = await inspectGuest(ns, NAME);
    const ops = (inside.users as Obj[]).find(u => u.name === "ops");
    expect(ops).toMatchObject({ sudo: true, passwordHashPrefix: "$6$", authorizedKeys: 1, groups: expect.arrayContaining(["adm", "sudo"]) });
    const login = await ssh(ns, NAME, "ops", keys.privateKey, "id -un && sudo -n true && echo sudo-ok && sudo -n getent shadow ops | cut -d: -f2");
    expect({ code: login.code, stderr: login.stderr }).toEqual({ code: 0, stderr: "" });
    expect(login.stdout.trim().split("\n")).toEqual(["ops", "sudo-ok", hash]);
  });

  test("custom userData took effect: write_files and runcmd", async () => {
    const proof = await ssh(ns, NAME, "ops", keys.privateKey, "cat /etc/wukong-proof && echo && cat /var/tmp/runcmd-proof");
    expect(proof.stdout.trim().split("\n")).toEqual(["written-by-user-data", "ran"]);
  });

  test("DHCP: the guest leases an address on the lab NIC and status reports it", async () => {
    const t0 = Date.now();
    const w = await waitFor(() => wukong(ns, NAME), {
      describe: "status.networks lab has a 10.77.0.x lease",
      until: x => /^10\.77\.0\.(5\d|60)$/.test(x.status?.networks?.find((n: Obj) => n.name === "lab")?.ipAddress ?? ""),
      timeoutMs: 180_000,
      intervalMs: 2000,
    });
    const ip = w.status.networks.find((n: Obj) => n.name === "lab").ipAddress;
    const inside = await inspectGuest(ns, NAME);
    expect((inside.interfaces as Obj[]).find(i => i.mac === macs.lab)).toMatchObject({ name: "lab", addresses: expect.arrayContaining([`${ip}/24`]) });
    timing(`ops: DHCP lease ${ip} reported`, t0);
  });

  test("disks: growing the blank disk 1Gi → 2Gi is seen by the running guest without a reboot", async () => {
    const t0 = Date.now();
    const before = await inspectGuest(ns, NAME);
    expect((before.disks as Obj[]).find(d => d.serial === "data")).toMatchObject({ sizeBytes: 2 ** 30 });
    await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/disks/1/size", value: "2Gi" }])]);
    await waitFor(() => inspectGuest(ns, NAME), {
      describe: "the guest sees data at 2Gi",
      until: g => (g.disks as Obj[]).find(d => d.serial === "data")?.sizeBytes === 2 * 2 ** 30,
      timeoutMs: 120_000,
      intervalMs: 2000,
    });
    const uptime = await ssh(ns, NAME, "ops", keys.privateKey, "cat /proc/uptime");
    expect(Number(uptime.stdout.split(" ")[0])).toBeGreaterThan((Date.now() - t0) / 1000);
    timing("ops: disk grown online", t0);
  });

  test("stop and start: QEMU stops, and start brings back the same MACs and addresses", async () => {
    const t0 = Date.now();
    const before = await wukong(ns, NAME);
    const patchRunStrategy = (runStrategy: string) =>
      kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { startStrategy: { runStrategy } } })]);
    await patchRunStrategy("Halted");
    await waitForPhase(ns, NAME, "Stopped", 180_000);
    await waitFor(async () => (await sh("ip", ["netns", "list"])).stdout, {
      describe: "QEMU stopped (pod netns gone)",
      until: out => !out.split("\n").some(l => l.startsWith(`${layout.netnsPrefix}p`)),
      timeoutMs: 180_000,
    });
    timing("ops: stopped", t0);
    await patchRunStrategy("Always");
    const lab = before.status.networks.find((n: Obj) => n.name === "lab");
    const again = await agentIp(ns, NAME, "lab", lab.ipAddress);
    expect(again.status.networks.map((n: Obj) => n.macAddress)).toEqual(before.status.networks.map((n: Obj) => n.macAddress));
    const login = await waitFor(() => ssh(ns, NAME, "ops", keys.privateKey, "cat /etc/wukong-proof"), {
      describe: "ssh after restart",
      until: r => r.code === 0,
      timeoutMs: 120_000,
      intervalMs: 3000,
    });
    expect(login.stdout.trim()).toBe("written-by-user-data");
    timing("ops: started again with the same MACs and addresses", t0);
  });
});

// Debian's cloud-init 22.4 renders ENI here, where dhcp4-overrides use-routes is dropped (cloudinit/net/network_state.py
// `_v2_to_v1_ipcfg`): the pod NIC takes masquerade's 10.0.2.2/24 statically. KubeVirt's NoCloud instance-id never
// changes, so a new address needs `updates: network: when: [boot]` (cloudinit/stages.py) and a restart.
describe("guest journey: a static gateway is the one default route; a changed address arrives at restart", () => {
  const NAME = "gw-box";
  let ns: string;
  const keys = sshKeyPair();
  const lanAt = (address: string) => [{ name: "lan", type: "bridge", bridgeName: "br-gw", ipConfig: { mode: "static", address, gateway: "10.88.0.1" } }];
  const ipv4Defaults = (inside: Obj) => (inside.routes as Obj[]).filter(r => r.dst === "default" && !String(r.gateway ?? "").includes(":"));
  const restartCondition = (w: Obj) => (w.status?.conditions as Obj[] | undefined)?.find(c => c.type === "RestartRequired");

  beforeAll(async () => {
    ns = await createNamespace("guest-gw");
  });
  afterAll(async () => {
    await deleteNamespace(ns);
  });

  test("one default route, via the static gateway; the pod NIC holds 10.0.2.2/24 and ssh through it works", async () => {
    const t0 = Date.now();
    await kubectlOk(["create", "secret", "generic", "gw-keys", "-n", ns, `--from-literal=key1=${keys.publicKey}`]);
    const spec = { cpu: 1, memory: "1Gi", sshKeySecret: "gw-keys", cloudInitUser: { name: "ops" }, networks: lanAt("10.88.0.10/24") };
    await apply(
      ns,
      wukongManifest(NAME, { ...spec, disks: [{ name: "system", size: "4Gi", storageClassName: "longhorn", boot: true }] }, { labels: GUEST_LABELS }),
    );
    await agentIp(ns, NAME, "lan", "10.88.0.10");
    const inside = await waitFor(() => inspectGuest(ns, NAME), {
      describe: "cloud-init done in the guest",
      until: g => g.cloudInit === "done",
      timeoutMs: BOOT_MS,
      intervalMs: 3000,
    });
    timing("gw: 10.88.0.10 reported, cloud-init done", t0);
    expect(ipv4Defaults(inside)).toEqual([expect.objectContaining({ gateway: "10.88.0.1", dev: "lan" })]);
    expect((inside.interfaces as Obj[]).find(i => i.name === "pod")).toMatchObject({ addresses: expect.arrayContaining(["10.0.2.2/24"]) });
    const login = await ssh(ns, NAME, "ops", keys.privateKey, "ip -4 -o addr show dev pod");
    expect({ code: login.code, pod: login.stdout.includes("10.0.2.2/24") }).toEqual({ code: 0, pod: true });
  }, 1_200_000);

  test("a new address: RestartRequired (CloudInitChanged) while it runs; after stop and start the guest holds it", async () => {
    const t0 = Date.now();
    await kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { networks: lanAt("10.88.0.11/24") } })]);
    await waitFor(() => wukong(ns, NAME), {
      describe: "RestartRequired True, reason CloudInitChanged",
      until: w => restartCondition(w)?.status === "True" && restartCondition(w)?.reason === "CloudInitChanged",
      timeoutMs: 60_000,
      intervalMs: 1000,
    });
    const patchRunStrategy = (runStrategy: string) =>
      kubectlOk(["patch", R.wukong, NAME, "-n", ns, "--type", "merge", "-p", JSON.stringify({ spec: { startStrategy: { runStrategy } } })]);
    await patchRunStrategy("Halted");
    await waitForPhase(ns, NAME, "Stopped", 180_000);
    // Phase Stopped comes with runStrategy Halted; the old instance must really be gone before the next one starts.
    await waitFor(async () => (await sh("kubectl", ["get", R.vmi, NAME, "-n", ns, "--ignore-not-found", "-o", "name"])).stdout.trim(), {
      describe: "the old VMI gone",
      until: out => out === "",
      timeoutMs: 180_000,
      intervalMs: 1000,
    });
    await patchRunStrategy("Always");
    const moved = await agentIp(ns, NAME, "lan", "10.88.0.11");
    expect(restartCondition(moved)).toBeUndefined();
    const inside = await inspectGuest(ns, NAME);
    expect((inside.interfaces as Obj[]).find(i => i.name === "lan")?.addresses).not.toContain("10.88.0.10/24");
    expect(ipv4Defaults(inside)).toEqual([expect.objectContaining({ gateway: "10.88.0.1", dev: "lan" })]);
    timing("gw: restarted with 10.88.0.11", t0);
  }, 1_200_000);
});
