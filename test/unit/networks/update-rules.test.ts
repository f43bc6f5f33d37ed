// UPDATE rules of the networks: a network's identity fields stay; a network may be added or removed.
import type { WukongSpec } from "../../../schemas/spec";
import { expectProblem, update } from "../schemas/updates";

describe("network update rules", () => {
  it.each([
    ["type", (spec: WukongSpec) => (spec.networks![0].type = "ovs"), "spec.networks[0].type", 'was "bridge"'],
    ["bridgeName", (spec: WukongSpec) => (spec.networks![0].bridgeName = "br1"), "spec.networks[0].bridgeName", 'was "br0"'],
    ["vlanId", (spec: WukongSpec) => (spec.networks![0].vlanId = 101), "spec.networks[0].vlanId", "was 100"],
    ["vlanId (removed)", (spec: WukongSpec) => delete spec.networks![0].vlanId, "spec.networks[0].vlanId", "was 100"],
    ["nadName", (spec: WukongSpec) => (spec.networks![1].nadName = "other-net"), "spec.networks[1].nadName", 'was "existing-net"'],
    ["macAddress", (spec: WukongSpec) => (spec.networks![0].macAddress = "02:00:00:00:00:99"), "spec.networks[0].macAddress", "immutable"],
  ])("denies changing network %s", (_, change, path, phrase) => {
    expectProblem(update(change), path, phrase);
  });

  it("treats an upper-case spelling of the same MAC as no change", () => {
    expect(update(spec => (spec.networks![0].macAddress = spec.networks![0].macAddress!.toUpperCase()))).toEqual([]);
  });

  it("lets ipConfig change (it is not part of the NIC's identity)", () => {
    expect(update(spec => (spec.networks![0].ipConfig = { mode: "static", address: "192.168.100.20/24", gateway: "192.168.100.1" }))).toEqual([]);
  });

  it("admits removing a network (its NIC goes away; nothing stored is lost)", () => {
    expect(update(spec => spec.networks!.pop())).toEqual([]);
  });
});
