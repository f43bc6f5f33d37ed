// VLAN proof in a node VM (test/guest/README.md): this host's kernel cannot filter bridge VLANs, so one Debian guest
// plays the node. Inside it the real CNI bridge plugin runs with every NAD shape Wukong generates for bridge
// networks (tagged on the default bridge, untagged on a named bridge, tagged on a named bridge), and endpoint
// namespaces ping each other: VLAN 100 reaches VLAN 100, VLAN 200 does not, and the node's own untagged (VLAN 1)
// traffic does not reach VLAN 100. Once per plugin version, in one boot: v1.4.0 defaults preserveDefaultVlan to
// true (containernetworking/plugins plugins/main/bridge/bridge.go, loadNetConf, v1.3.0 to v1.7.1), v1.10.0 to false.
import { desiredChildren } from "../../lib/children";
import type { WukongSpec } from "../../schemas/spec";
import { type NodeVmRun, runInNodeVm } from "../guest/node-vm/node-vm";
import { buildArtifacts, hostLayout } from "../guest/runtime/host";
import { timing } from "./support/guest";

jest.setTimeout(900_000);

/** The oldest bridge plugin we support (its default keeps VM ports in VLAN 1) and the newest we test. */
const PLUGIN_VERSIONS = ["v1.4.0", "v1.10.0"];
/** Whether the plugin's own default leaves a tagged port in VLAN 1 (true up to v1.7.1). */
const PRESERVES_BY_DEFAULT: Record<string, boolean> = { "v1.4.0": true, "v1.10.0": false };

const spec: WukongSpec = {
  cpu: 1,
  memory: "1Gi",
  networks: [
    { name: "vlan100", type: "bridge", vlanId: 100 },
    { name: "vlan200", type: "bridge", vlanId: 200 },
    { name: "untagged", type: "bridge", bridgeName: "br-plain" },
    { name: "custom", type: "bridge", vlanId: 300, bridgeName: "br-mgmt" },
  ],
} as WukongSpec;

const FILES: Record<string, string> = { vlan100: "vlan100.json", vlan200: "vlan200.json", untagged: "untagged.json", custom: "custom-bridge-vlan300.json" };

type PortVlans = { ifname: string; vlans: { vlan: number; flags?: string[] }[] }[];

let run: NodeVmRun;

beforeAll(async () => {
  const t0 = Date.now();
  const wukong = { apiVersion: "vm.novasphere.dev/v1alpha1", kind: "Wukong", metadata: { name: "vlan", namespace: "default", uid: "uid-vlan" }, spec };
  const nads = desiredChildren(wukong as Parameters<typeof desiredChildren>[0], {}).networkAttachmentDefinitions;
  const configs = Object.fromEntries(
    nads.map(nad => [FILES[String(nad.metadata?.name).replace(/^vlan-/, "")], String((nad.spec as { config: string }).config)]),
  );
  // Every config passes to the plugin exactly as generated: no key dropped.
  expect(Object.keys(configs).sort()).toEqual(Object.values(FILES).sort());
  expect(JSON.parse(configs["vlan100.json"])).toMatchObject({ type: "bridge", bridge: "br0", vlan: 100, preserveDefaultVlan: false, ipam: {} });
  // The control endpoint: the same NAD without preserveDefaultVlan, as Wukong wrote it before, so the leak check
  // is seen to catch the leak where the plugin's default still has it.
  const { preserveDefaultVlan: _set, ...pluginDefault } = JSON.parse(configs["vlan100.json"]) as Record<string, unknown>;
  configs["vlan100-plugin-default.json"] = JSON.stringify(pluginDefault);

  const builds = await Promise.all(PLUGIN_VERSIONS.map(version => buildArtifacts(version)));
  const plugins = PLUGIN_VERSIONS.map((version, i) => ({ version, cniDir: builds[i].cniDir }));
  run = await runInNodeVm(builds[0].imageDir, plugins, `${hostLayout().runDir}/node-vm`, configs);
  timing(`vlan: node VM agent up after ${run.bootSeconds.toFixed(0)} s; matrix done for ${PLUGIN_VERSIONS.join(", ")}`, t0);
});

describe.each(PLUGIN_VERSIONS)("the VLAN matrix with Wukong's bridge NADs and the bridge plugin %s, in a node VM whose kernel filters VLANs", version => {
  const lines = () => run.outputs[version].trim().split("\n");

  it("plugs every endpoint, and VLAN 100 reaches only VLAN 100", () => {
    process.stderr.write(
      `vlan matrix ${version}:\n  ${lines()
        .filter(l => !l.startsWith("vlans "))
        .map(l => l.slice(0, 160))
        .join("\n  ")}\n`,
    );
    const adds = lines().filter(l => l.startsWith("add "));
    expect(adds.map(l => l.split(" ").slice(0, 4).join(" "))).toEqual([
      "add a vlan100.json 0",
      "add b vlan100.json 0",
      "add c vlan200.json 0",
      "add d untagged.json 0",
      "add e untagged.json 0",
      "add f custom-bridge-vlan300.json 0",
      "add g custom-bridge-vlan300.json 0",
      "add h vlan100-plugin-default.json 0",
    ]);
    expect(lines().filter(l => l.startsWith("ping "))).toEqual([
      "ping a 10.99.0.2 reached",
      "ping b 10.99.0.1 reached",
      "ping a 10.99.0.3 unreached",
      "ping c 10.99.0.1 unreached",
      "ping d 10.98.0.2 reached",
      "ping f 10.97.0.2 reached",
    ]);
    expect(lines()).toContain("filtering 1");
  });

  it("keeps the node's own untagged traffic (VLAN 1 on br0) away from the VMs on VLAN 100", () => {
    // h, the control, leaks exactly where the plugin's default keeps VLAN 1: the check can tell.
    const control = PRESERVES_BY_DEFAULT[version] ? "leaked" : "isolated";
    expect(lines().filter(l => l.startsWith("node-lan "))).toEqual(["node-lan a isolated", "node-lan b isolated", `node-lan h ${control}`]);
  });

  it("puts each tagged port on its VLAN as PVID, egress untagged, and in VLAN 1 only the control's where the default keeps it", () => {
    const vlans = JSON.parse(
      lines()
        .find(l => l.startsWith("vlans "))!
        .slice(6),
    ) as PortVlans;
    const tagged = vlans.filter(port => port.vlans.some(v => [100, 200, 300].includes(v.vlan)));
    expect(tagged).toHaveLength(6);
    const pvids = tagged.map(port => port.vlans.filter(v => v.flags?.includes("PVID") && v.flags.includes("Egress Untagged")).map(v => v.vlan));
    expect(pvids.flat().sort((x, y) => x - y)).toEqual([100, 100, 100, 200, 300, 300]);
    const inVlan1 = tagged.filter(port => port.vlans.some(v => v.vlan === 1));
    expect(inVlan1).toHaveLength(PRESERVES_BY_DEFAULT[version] ? 1 : 0);
  });
});
