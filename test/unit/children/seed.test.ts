// The seed example from the README, every child written out in full.
import { desiredChildren } from "../../../lib/children";
import { stableMac } from "../../../lib/networks/mac";
import { ownedMetadata, secretText, wukong } from "./fixtures";

const seed = wukong("web-server-01", {
  cpu: 4,
  memory: "8Gi",
  networks: [{ name: "mgmt", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.10/24" } }],
  disks: [{ name: "system", size: "80Gi", storageClassName: "longhorn", boot: true }],
});

// stableMac("default", "web-server-01", "pod" | "mgmt"): admission would have written the mgmt one into the spec.
const POD_MAC = "02:c4:27:4f:c4:40";
const MGMT_MAC = "02:97:45:01:af:01";

describe("seed example web-server-01", () => {
  const children = desiredChildren(seed, {});

  it("uses the stable MACs", () => {
    expect([stableMac("default", "web-server-01", "pod"), stableMac("default", "web-server-01", "mgmt")]).toEqual([POD_MAC, MGMT_MAC]);
  });

  it("generates an L2 bridge NAD on br0, VLAN 100", () => {
    expect(children.networkAttachmentDefinitions).toEqual([
      {
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: ownedMetadata("web-server-01-mgmt", "web-server-01"),
        spec: { config: '{"cniVersion":"0.3.1","name":"web-server-01-mgmt","type":"bridge","bridge":"br0","vlan":100,"preserveDefaultVlan":false,"ipam":{}}' },
      },
    ]);
  });

  it("backs the blank boot disk with a PVC and imports nothing", () => {
    expect(children.dataVolumes).toEqual([]);
    expect(children.persistentVolumeClaims).toEqual([
      {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: ownedMetadata("web-server-01-system", "web-server-01"),
        spec: { accessModes: ["ReadWriteOnce"], volumeMode: "Filesystem", resources: { requests: { storage: "80Gi" } }, storageClassName: "longhorn" },
      },
    ]);
  });

  it("writes the cloud-init Secret as base64 data", () => {
    const { data, ...rest } = children.cloudInitSecret;
    expect(rest).toEqual({ apiVersion: "v1", kind: "Secret", metadata: ownedMetadata("web-server-01-cloudinit", "web-server-01"), type: "Opaque" });
    expect(Object.keys(data as object)).toEqual(["networkdata", "userdata"]);
    expect(secretText(children.cloudInitSecret, "userdata")).toBe("#cloud-config\nusers:\n  - default\nupdates:\n  network:\n    when:\n      - boot\n");
    expect(secretText(children.cloudInitSecret, "networkdata")).toBe(
      [
        "version: 2",
        "ethernets:",
        "  pod:",
        "    match:",
        `      macaddress: "${POD_MAC}"`,
        '    set-name: "pod"',
        "    dhcp4: true",
        "  mgmt:",
        "    match:",
        `      macaddress: "${MGMT_MAC}"`,
        '    set-name: "mgmt"',
        "    addresses:",
        '      - "192.168.100.10/24"',
        "",
      ].join("\n"),
    );
  });

  it("builds the VirtualMachine", () => {
    expect(children.virtualMachine).toEqual({
      apiVersion: "kubevirt.io/v1",
      kind: "VirtualMachine",
      metadata: ownedMetadata("web-server-01", "web-server-01"),
      spec: {
        runStrategy: "Always",
        template: {
          metadata: {
            labels: { "app.kubernetes.io/managed-by": "wukong", "vm.novasphere.dev/wukong": "web-server-01" },
            annotations: {
              "vm.novasphere.dev/networkdata-digest": expect.stringMatching(/^[0-9a-f]{16}$/),
              "vm.novasphere.dev/userdata-digest": expect.stringMatching(/^[0-9a-f]{16}$/),
            },
          },
          spec: {
            domain: {
              cpu: { sockets: 4, cores: 1, threads: 1 },
              memory: { guest: "8Gi" },
              devices: {
                disks: [
                  { name: "system", disk: { bus: "virtio" }, bootOrder: 1 },
                  { name: "cloudinitdisk", disk: { bus: "virtio" } },
                ],
                interfaces: [
                  { name: "pod", masquerade: {}, macAddress: POD_MAC },
                  { name: "mgmt", bridge: {}, macAddress: MGMT_MAC },
                ],
              },
            },
            networks: [
              { name: "pod", pod: {} },
              { name: "mgmt", multus: { networkName: "default/web-server-01-mgmt" } },
            ],
            volumes: [
              { name: "system", persistentVolumeClaim: { claimName: "web-server-01-system" } },
              {
                name: "cloudinitdisk",
                cloudInitNoCloud: { secretRef: { name: "web-server-01-cloudinit" }, networkDataSecretRef: { name: "web-server-01-cloudinit" } },
              },
            ],
            // Its disk is ReadWriteOnce: a drain stops it rather than blocking (lib/children/eviction.ts).
            evictionStrategy: "None",
          },
        },
      },
    });
  });

  it("builds the same children from the same Wukong (no drift from key order)", () => {
    expect(JSON.stringify(desiredChildren(seed, {}))).toBe(JSON.stringify(children));
  });

  it("does not modify the Wukong it is given", () => {
    const before = structuredClone(seed);
    desiredChildren(seed, {});
    expect(seed).toEqual(before);
  });
});
