// test/guest/inspect <namespace> <wukong>: one JSON object gathered inside the running guest through qemu-guest-agent
// (guest-exec of a small Python program: cloud-init's Python is in every guest that runs cloud-init).
import { virtualMachineName } from "../../schemas/child-names";
import { guestDir, hostLayout } from "./runtime/host";
import { guestFiles } from "./runtime/launcher";
import { agentExec } from "./runtime/qemu-socket";

const PROGRAM = String.raw`
import json, os, pwd, grp, socket, subprocess
def sh(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout
links = json.loads(sh("ip", "-j", "addr") or "[]")
interfaces = [{"name": l["ifname"], "mac": l.get("address", ""),
               "addresses": [a["local"] + "/" + str(a["prefixlen"]) for a in l.get("addr_info", [])]} for l in links]
routes = json.loads(sh("ip", "-j", "route") or "[]") + json.loads(sh("ip", "-j", "-6", "route") or "[]")
shadow = {}
for line in open("/etc/shadow"):
    f = line.split(":")
    shadow[f[0]] = f[1]
def hash_prefix(h):
    if h.startswith("$"):
        return "$" + h.split("$")[1] + "$"
    return h[:1]
def key_count(home):
    try:
        return sum(1 for l in open(os.path.join(home, ".ssh", "authorized_keys")) if l.strip() and not l.startswith("#"))
    except OSError:
        return 0
users = []
for p in pwd.getpwall():
    if p.pw_uid != 0 and not (1000 <= p.pw_uid < 65534):
        continue
    groups = sorted(g.gr_name for g in grp.getgrall() if p.pw_name in g.gr_mem)
    sudo = "may run the following" in sh("sudo", "-n", "-l", "-U", p.pw_name)
    users.append({"name": p.pw_name, "uid": p.pw_uid, "groups": groups, "sudo": sudo,
                  "passwordHashPrefix": hash_prefix(shadow.get(p.pw_name, "")), "authorizedKeys": key_count(p.pw_dir)})
blk = json.loads(sh("lsblk", "-J", "-b", "-d", "-o", "NAME,SERIAL,SIZE") or '{"blockdevices": []}')
disks = [{"name": d["name"], "serial": d.get("serial") or "", "sizeBytes": int(d["size"])} for d in blk["blockdevices"]]
# What cloud-init status reports, read from the files it reads (importing cloud-init takes seconds under TCG).
try:
    result = json.load(open("/run/cloud-init/result.json"))["v1"]
    status = "error" if result.get("errors") else "done"
except OSError:
    status = "running" if os.path.exists("/run/cloud-init/status.json") else "not started"
print(json.dumps({"hostname": socket.gethostname(), "interfaces": interfaces, "routes": routes, "users": users,
                  "disks": disks, "cloudInit": status}))
`;

export async function inspectGuest(namespace: string, wukong: string): Promise<Record<string, unknown>> {
  const dir = guestDir(hostLayout(), namespace, virtualMachineName(wukong));
  const result = await agentExec(guestFiles(dir).agent, "/usr/bin/python3", ["-c", PROGRAM], 180_000);
  if (result.code !== 0) throw new Error(`inspection failed in the guest (exit ${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

if (require.main === module) {
  const [namespace, wukong] = process.argv.slice(2);
  if (!namespace || !wukong) {
    process.stderr.write("usage: test/guest/inspect <namespace> <wukong>\n");
    process.exit(2);
  }
  inspectGuest(namespace, wukong).then(
    info => process.stdout.write(JSON.stringify(info, null, 2) + "\n"),
    err => {
      process.stderr.write(
        `inspect ${namespace}/${wukong}: ${(err as Error).message} (is it labelled sim.novasphere.dev/runtime=qemu, running on this stack?)\n`,
      );
      process.exit(1);
    },
  );
}
