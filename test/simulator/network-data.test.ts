import { networkDataSecretNames, parseNetworkConfig, resolveNetworkData, staticAddressesFor } from "./network-data";
import { obj } from "./test-helpers";

const netplan = `
version: 2
ethernets:
  pod0:
    match: {macaddress: "02:aa:bb:00:00:01"}
    set-name: pod0
    dhcp4: true
  mgmt:
    match: {macaddress: "02:AA:BB:00:00:02"}
    set-name: mgmt
    addresses: [192.168.100.10/24, "fd00::10/64"]
    routes: [{to: default, via: 192.168.100.1}]
  eth2:
    addresses: [10.9.0.5/16]
`;

describe("parseNetworkConfig", () => {
  it("reads static addresses per MAC without prefix length, case-insensitively", () => {
    const cfg = parseNetworkConfig(netplan);
    expect(staticAddressesFor(cfg, "02:aa:bb:00:00:02", "eth1")).toEqual(["192.168.100.10", "fd00::10"]);
    expect(staticAddressesFor(cfg, "02:AA:BB:00:00:01", "eth0")).toEqual([]); // dhcp only
  });

  it("accepts a top-level network: key", () => {
    const cfg = parseNetworkConfig(`network:\n${netplan.replace(/^/gm, "  ")}`);
    expect(staticAddressesFor(cfg, "02:aa:bb:00:00:02", "eth1")).toEqual(["192.168.100.10", "fd00::10"]);
  });

  it("matches an entry without `match` by guest interface name only", () => {
    const cfg = parseNetworkConfig(netplan);
    expect(staticAddressesFor(cfg, "52:54:00:00:00:09", "eth2")).toEqual(["10.9.0.5"]);
    // an id used together with match is a label, not an interface name
    expect(staticAddressesFor(cfg, "52:54:00:00:00:09", "mgmt")).toEqual([]);
  });

  it("reads cloud-init v1 config", () => {
    const cfg = parseNetworkConfig(
      `version: 1\nconfig:\n  - type: physical\n    name: eth0\n    mac_address: "02:00:00:00:00:01"\n    subnets:\n      - type: static\n        address: 10.1.2.3/24\n`,
    );
    expect(staticAddressesFor(cfg, "02:00:00:00:00:01", "eth9")).toEqual(["10.1.2.3"]);
  });

  it("survives garbage", () => {
    expect(parseNetworkConfig("{{{ not yaml").byMac.size).toBe(0);
    expect(parseNetworkConfig("42").byMac.size).toBe(0);
    expect(parseNetworkConfig(undefined).byMac.size).toBe(0);
    expect(parseNetworkConfig("ethernets: [1, 2]\n").byMac.size).toBe(0);
  });
});

describe("resolveNetworkData", () => {
  const secret = (name: string, data: Record<string, string>) =>
    obj("Secret", name, { data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) });
  const lookup =
    (...secrets: ReturnType<typeof secret>[]) =>
    (name: string) =>
      secrets.find(s => s.metadata.name === name);

  it("reads inline networkData", () => {
    expect(resolveNetworkData([{ name: "ci", cloudInitNoCloud: { networkData: "x: 1" } }], lookup())).toBe("x: 1");
  });

  it("decodes networkDataBase64", () => {
    expect(resolveNetworkData([{ name: "ci", cloudInitNoCloud: { networkDataBase64: Buffer.from("y: 2").toString("base64") } }], lookup())).toBe("y: 2");
  });

  it("reads networkDataSecretRef's networkdata key", () => {
    const vols = [
      { name: "disk", dataVolume: { name: "d" } },
      { name: "ci", cloudInitNoCloud: { userData: "#cloud-config", networkDataSecretRef: { name: "nd" } } },
    ];
    expect(resolveNetworkData(vols, lookup(secret("nd", { networkdata: "z: 3" })))).toBe("z: 3");
    expect(networkDataSecretNames(vols)).toEqual(["nd"]);
  });

  it("falls back to the user-data secretRef's networkdata key", () => {
    const vols = [{ name: "ci", cloudInitNoCloud: { secretRef: { name: "ud" } } }];
    expect(resolveNetworkData(vols, lookup(secret("ud", { userdata: "#cloud-config", networkdata: "w: 4" })))).toBe("w: 4");
  });

  it("returns undefined when the Secret is missing or there is no cloud-init volume", () => {
    expect(resolveNetworkData([{ name: "ci", cloudInitNoCloud: { networkDataSecretRef: { name: "gone" } } }], lookup())).toBeUndefined();
    expect(resolveNetworkData([{ name: "disk", dataVolume: { name: "d" } }], lookup())).toBeUndefined();
    expect(resolveNetworkData(undefined, lookup())).toBeUndefined();
  });
});
