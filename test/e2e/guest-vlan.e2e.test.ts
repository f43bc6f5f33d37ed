// VLAN proof in a node VM (test/guest/README.md): this host's kernel cannot filter bridge VLANs, so one Debian guest
// plays the node. Inside it the real CNI bridge plugin runs with every NAD shape Wukong generates for bridge
// networks (tagged on the default bridge, untagged on a named bridge, tagged on a named bridge), and endpoint
// namespaces ping each other: VLAN 100 reaches VLAN 100, VLAN 200 does not.
import { desiredChildren } from "../../lib/children";
import type { WukongSpec } from "../../schemas/spec";
import { runInNodeVm } from "../guest/node-vm/node-vm";
import { buildArtifacts, hostLayout } from "../guest/runtime/host";
import { timing } from "./support/guest";

jest.setTimeout(900_000);

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

test("the VLAN matrix holds with Wukong's bridge NADs, in a node VM whose kernel filters VLANs", async () => {
  const t0 = Date.now();
  const wukong = { apiVersion: "vm.novasphere.dev/v1alpha1", kind: "Wukong", metadata: { name: "vlan", namespace: "default", uid: "uid-vlan" }, spec };
  const nads = desiredChildren(wukong as Parameters<typeof desiredChildren>[0], {}).networkAttachmentDefinitions;
  const configs = Object.fromEntries(
    nads.map(nad => [FILES[String(nad.metadata?.name).replace(/^vlan-/, "")], String((nad.spec as { config: string }).config)]),
  );
  // Every config passes to the plugin exactly as generated: no key dropped.
  expect(Object.keys(configs).sort()).toEqual(Object.values(FILES).sort());
  expect(JSON.parse(configs["vlan100.json"])).toMatchObject({ type: "bridge", bridge: "br0", vlan: 100, ipam: {} });

  const artifacts = await buildArtifacts();
  const run = await runInNodeVm(artifacts, `${hostLayout().runDir}/node-vm`, configs);
  timing(`vlan: node VM agent up after ${run.bootSeconds.toFixed(0)} s; matrix done`, t0);
  const lines = run.output.trim().split("\n");
  process.stderr.write(
    `vlan matrix:\n  ${lines
      .filter(l => !l.startsWith("vlans "))
      .map(l => l.slice(0, 160))
      .join("\n  ")}\n`,
  );

  const adds = lines.filter(l => l.startsWith("add "));
  expect(adds.map(l => l.split(" ").slice(0, 4).join(" "))).toEqual([
    "add a vlan100.json 0",
    "add b vlan100.json 0",
    "add c vlan200.json 0",
    "add d untagged.json 0",
    "add e untagged.json 0",
    "add f custom-bridge-vlan300.json 0",
    "add g custom-bridge-vlan300.json 0",
  ]);
  expect(lines.filter(l => l.startsWith("ping "))).toEqual([
    "ping a 10.99.0.2 reached",
    "ping b 10.99.0.1 reached",
    "ping a 10.99.0.3 unreached",
    "ping c 10.99.0.1 unreached",
    "ping d 10.98.0.2 reached",
    "ping f 10.97.0.2 reached",
  ]);
  expect(lines).toContain("filtering 1");
  // The plugin put each tagged port on its VLAN as PVID, egress untagged.
  const vlans = JSON.parse(lines.find(l => l.startsWith("vlans "))!.slice(6)) as { ifname: string; vlans: { vlan: number; flags?: string[] }[] }[];
  const pvids = vlans.flatMap(port => port.vlans.filter(v => v.flags?.includes("PVID") && v.flags.includes("Egress Untagged")).map(v => v.vlan));
  expect(pvids.filter(v => v === 100)).toHaveLength(2);
  expect(pvids.filter(v => v === 200)).toHaveLength(1);
  expect(pvids.filter(v => v === 300)).toHaveLength(2);
});
