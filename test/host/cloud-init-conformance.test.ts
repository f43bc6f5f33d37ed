// cloud-init conformance: every sample, the schema and children fixtures, and a few user-data variants go through
// the guest's real cloud-init 22.4 (`cloud-init schema`, `devel net-convert` to networkd), and the rendered files
// carry what the spec asked for: the address on the MAC-matched interface, the routes, the DNS. Needs root and the
// cached guest image.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import { desiredChildren } from "../../lib/children";
import type { WukongSpec } from "../../schemas/spec";
import { checkWithCloudInit, guestRootfs, networkdSection } from "../guest/cloud-init-check";
import { secretText, vmTemplateSpec, wukong } from "../unit/children/fixtures";
import { fullSpec, seedSpec } from "../unit/schemas/fixtures";
import { FIXTURE_WUKONGS } from "../unit/children/fixture-wukongs";

const samplesDir = join(__dirname, "../../samples");
const samples: [string, string, WukongSpec][] = readdirSync(samplesDir)
  .filter(file => file.endsWith(".yaml"))
  .flatMap(file => parseAllDocuments(readFileSync(join(samplesDir, file), "utf8")).map(doc => doc.toJS()))
  .filter(object => object?.kind === "Wukong")
  .map(object => [`samples: ${object.metadata.name}`, object.metadata.name as string, object.spec as WukongSpec]);

const base = { cpu: 1, memory: "1Gi" } as const;
const fixtures: [string, string, WukongSpec][] = [
  ["fixture: seedSpec", "web-server-01", seedSpec() as WukongSpec],
  ["fixture: fullSpec", "full", fullSpec() as WukongSpec],
  ["plain password through chpasswd", "pw", { ...base, cloudInitUser: { name: "ops", password: "secret", groups: ["adm"] } }],
  [
    "custom userData merged (write_files, runcmd)",
    "custom",
    {
      ...base,
      cloudInitUser: { name: "ops", passwordHash: "$6$salt$hash" },
      cloudInit: { userData: "write_files:\n  - {path: /etc/wukong-proof, content: ok}\nruncmd:\n  - [touch, /run/proof]\n" },
    },
  ],
  ["DHCP only, no pod network", "dhcp", { ...base, podNetwork: false, networks: [{ name: "lan", type: "bridge", ipConfig: { mode: "dhcp" } }] }],
  [
    "two static NICs, one gateway",
    "two",
    {
      ...base,
      networks: [
        { name: "a", type: "bridge", ipConfig: { mode: "static", address: "10.1.0.5/16", gateway: "10.1.0.1", dnsServers: ["10.1.0.53", "1.1.1.1"] } },
        { name: "b", type: "bridge", vlanId: 7, ipConfig: { mode: "static", address: "192.168.7.5/24" } },
      ],
    },
  ],
];

interface Iface {
  name: string;
  macAddress: string;
}

let rootfs: string;
beforeAll(() => {
  rootfs = guestRootfs();
}, 20 * 60_000);

// The Wukongs the upstream-schema tests build children from, as stored (namespace and labels included).
const shared: [string, string, WukongSpec][] = Object.entries(FIXTURE_WUKONGS).map(([title, w]) => [
  `fixture-wukongs: ${title}`,
  w.metadata?.name ?? title,
  w.spec as WukongSpec,
]);
const storedMetadataOf = (title: string) => (title.startsWith("fixture-wukongs: ") ? FIXTURE_WUKONGS[title.slice(17)].metadata : undefined);

describe.each([...samples, ...fixtures, ...shared])("%s", (title, name, spec) => {
  const children = desiredChildren(wukong(name, spec, storedMetadataOf(title) ?? {}), {});
  const interfaces = (vmTemplateSpec(children.virtualMachine) as { domain: { devices: { interfaces: Iface[] } } }).domain.devices.interfaces;
  const data = children.cloudInitSecret.data as Record<string, string>;
  const userData = data.userdata ? secretText(children.cloudInitSecret, "userdata") : undefined;
  const verdict = () =>
    checkWithCloudInit(
      rootfs,
      userData,
      secretText(children.cloudInitSecret, "networkdata"),
      Object.fromEntries(interfaces.map((nic, i) => [`eth${i}`, nic.macAddress])),
    );

  it("passes cloud-init's schema and renders networkd with the spec's addresses, routes and DNS", () => {
    const { schema, networkd } = verdict();
    if (userData !== undefined) expect(schema).toEqual({ ok: true, output: expect.stringContaining("Valid cloud-config") });
    const files = Object.values(networkd);
    expect(files).toHaveLength(interfaces.length);
    const withDefaults = [...(spec.podNetwork === false ? [] : [{ name: "pod" }]), ...(spec.networks ?? [])] as WukongSpec["networks"] & object;
    const staticGateway = withDefaults.some(n => n.ipConfig?.mode === "static" && n.ipConfig.gateway);
    for (const nic of interfaces) {
      const file = files.find(text => networkdSection(text, "Match").some(([k, v]) => k === "MACAddress" && v === nic.macAddress));
      expect({ nic: nic.name, rendered: file !== undefined }).toEqual({ nic: nic.name, rendered: true });
      const text = file as string;
      expect(networkdSection(text, "Match")).toContainEqual(["Name", nic.name]);
      const network = withDefaults.find(n => n.name === nic.name) as NonNullable<WukongSpec["networks"]>[number] | undefined;
      const ip = network?.ipConfig;
      if (ip?.mode === "static") {
        expect(networkdSection(text, "Address")).toContainEqual(["Address", ip.address]);
        const routes = networkdSection(text, "Route");
        if (ip.gateway) expect(routes).toEqual(expect.arrayContaining([["Gateway", ip.gateway]]));
        else expect(routes).toEqual([]);
        const dns = networkdSection(text, "Network")
          .filter(([k]) => k === "DNS")
          .flatMap(([, v]) => v.split(" "));
        expect(dns).toEqual(ip.dnsServers ?? []);
        expect(networkdSection(text, "Network")).not.toContainEqual(["DHCP", "ipv4"]);
      } else if (nic.name === "pod" && staticGateway) {
        // KubeVirt masquerade's fixed guest address, without a gateway: the static network has the default route.
        expect(networkdSection(text, "Address")).toEqual([["Address", "10.0.2.2/24"]]);
        expect(networkdSection(text, "Route")).toEqual([]);
        expect(networkdSection(text, "Network")).not.toContainEqual(["DHCP", "ipv4"]);
      } else {
        expect(networkdSection(text, "Network")).toContainEqual(["DHCP", "ipv4"]);
      }
    }
  });
});
