// What the real-guest runtime reads from a VMI: disks, NICs and the NoCloud seed, as virt-launcher would.
import { desiredChildren } from "../../../lib/children";
import { guestSpec, type Lookup, NotReady } from "../../guest/runtime/guest-spec";
import { effectiveCniConfig } from "../../guest/runtime/launcher";
import { vmiInterfaces } from "../../guest/runtime/vmi-status";
import type { KubeObject } from "../../simulator/resources";
import { wukong } from "../children/fixtures";

const b64 = (text: string) => Buffer.from(text).toString("base64");
const children = desiredChildren(
  wukong("box", {
    cpu: 1,
    memory: "1Gi",
    sshKeySecret: "keys",
    cloudInitUser: { name: "ops", passwordHash: "$6$s$h" },
    networks: [
      { name: "mgmt", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.10/24" } },
      { name: "fast", type: "sriov", resourceName: "intel.com/sriov" },
    ],
    disks: [
      { name: "system", size: "4Gi", boot: true, image: "https://example.org/os.qcow2" },
      { name: "data", size: "1Gi" },
    ],
  }),
  {},
);
const vm = children.virtualMachine as KubeObject;
const vmi: KubeObject = { metadata: { name: "box", namespace: "default", uid: "vmi-1" }, spec: vm.spec.template.spec };
const bound = (size: string): KubeObject => ({ metadata: {}, status: { phase: "Bound", capacity: { storage: size } } });
const objects: Record<string, KubeObject> = {
  "secret:box-cloudinit": children.cloudInitSecret as KubeObject,
  "secret:keys": { metadata: { name: "keys" }, data: { a: b64("ssh-ed25519 AAAA one\n"), b: b64("ssh-ed25519 BBBB two\nssh-ed25519 CCCC three") } },
  "pvc:box-system": bound("4Gi"),
  "pvc:box-data": bound("1Gi"),
  "dv:box-system": { metadata: {}, spec: { source: { http: { url: "https://example.org/os.qcow2" } } } },
};
for (const nad of children.networkAttachmentDefinitions) objects[`nad:default/${nad.metadata?.name}`] = nad as KubeObject;
const lookup = (over: Record<string, KubeObject | undefined> = {}): Lookup => {
  const all = { ...objects, ...over };
  return { secret: n => all[`secret:${n}`], pvc: n => all[`pvc:${n}`], dataVolume: n => all[`dv:${n}`], nad: n => all[`nad:${n}`] };
};

describe("guestSpec", () => {
  const spec = guestSpec(vmi, lookup());

  it("gives the boot disk an image overlay and a blank disk a sparse disk, sized to the PVC, serial = disk name", () => {
    expect(spec.disks).toEqual([
      { name: "system", serial: "system", claim: expect.any(String), sizeBytes: 4 * 2 ** 30, fromImage: true, boot: true },
      { name: "data", serial: "data", claim: expect.any(String), sizeBytes: 2 ** 30, fromImage: false, boot: false },
    ]);
  });

  it("plugs the pod NIC, a bridge NIC with the NAD's config as net1, and says why an SR-IOV NIC is not run", () => {
    expect(spec.nics.map(n => [n.name, n.kind])).toEqual([
      ["pod", "pod"],
      ["mgmt", "bridge"],
      ["fast", "unsupported"],
    ]);
    expect(spec.nics[1]).toMatchObject({ podIfname: "net1", cniConfig: { type: "bridge", bridge: "br0", vlan: 100, ipam: {} } });
  });

  it("seeds user-data and network-config from the Secret, and every key line as a meta-data public key", () => {
    expect(spec.seed.userData).toContain("#cloud-config");
    expect(spec.seed.networkConfig).toContain("192.168.100.10/24");
    expect(spec.seed.metaData).toEqual({
      "instance-id": "box.default",
      "local-hostname": "box",
      "public-keys": { "keys-a-0": "ssh-ed25519 AAAA one", "keys-b-0": "ssh-ed25519 BBBB two", "keys-b-1": "ssh-ed25519 CCCC three" },
    });
  });

  it("waits for an unbound PVC, a missing Secret or a missing NAD", () => {
    expect(() => guestSpec(vmi, lookup({ "pvc:box-data": { metadata: {}, status: { phase: "Pending" } } }))).toThrow(NotReady);
    expect(() => guestSpec(vmi, lookup({ "secret:keys": undefined }))).toThrow(NotReady);
    expect(() => guestSpec(vmi, lookup({ "nad:default/box-mgmt": undefined }))).toThrow(NotReady);
  });
});

describe("effectiveCniConfig", () => {
  const config = { cniVersion: "0.3.1", name: "box-mgmt", type: "bridge", bridge: "br0", vlan: 100, ipam: {} };
  it("passes the config unchanged where the kernel filters VLANs", () => {
    expect(effectiveCniConfig(config, true)).toEqual({ config });
  });
  it("drops only the vlan where it cannot, and says so", () => {
    const { vlan: _vlan, ...rest } = config;
    expect(effectiveCniConfig(config, false)).toEqual({ config: rest, note: expect.stringContaining("VLAN 100 of box-mgmt NOT enforced") });
  });
});

describe("vmiInterfaces", () => {
  it("matches the agent's interfaces by MAC, without IPv6 link-local addresses", () => {
    const nics = [
      { name: "mgmt", mac: "02:aa:00:00:00:01", kind: "pod" as const },
      { name: "lab", mac: "02:aa:00:00:00:02", kind: "pod" as const },
    ];
    const agent = [
      {
        name: "mgmt",
        "hardware-address": "02:AA:00:00:00:01",
        "ip-addresses": [
          { "ip-address-type": "ipv4" as const, "ip-address": "192.168.100.10", prefix: 24 },
          { "ip-address-type": "ipv6" as const, "ip-address": "fe80::1", prefix: 64 },
        ],
      },
    ];
    expect(vmiInterfaces(nics, agent)).toEqual([
      {
        name: "mgmt",
        mac: "02:aa:00:00:00:01",
        interfaceName: "mgmt",
        ipAddress: "192.168.100.10",
        ipAddresses: ["192.168.100.10"],
        infoSource: "domain, guest-agent",
      },
      { name: "lab", mac: "02:aa:00:00:00:02", infoSource: "domain" },
    ]);
  });
});
