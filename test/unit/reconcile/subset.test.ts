import { containsDesired } from "../../../lib/subset";

describe("containsDesired", () => {
  const desired = { metadata: { name: "vm", labels: { a: "1" } }, spec: { runStrategy: "Always", disks: [{ name: "d", bootOrder: 1 }] } };

  it("ignores fields only the live object has (server defaults, status, other managers)", () => {
    const live = {
      metadata: { name: "vm", labels: { a: "1", b: "2" }, resourceVersion: "9" },
      spec: { runStrategy: "Always", disks: [{ name: "d", bootOrder: 1, disk: { bus: "virtio" } }] },
      status: { ready: true },
    };
    expect(containsDesired(live, desired)).toBe(true);
  });

  it.each([
    ["a changed scalar", { metadata: { name: "vm", labels: { a: "1" } }, spec: { runStrategy: "Halted", disks: [{ name: "d", bootOrder: 1 }] } }],
    ["a missing label", { metadata: { name: "vm", labels: {} }, spec: { runStrategy: "Always", disks: [{ name: "d", bootOrder: 1 }] } }],
    [
      "an extra list item",
      { metadata: { name: "vm", labels: { a: "1" } }, spec: { runStrategy: "Always", disks: [{ name: "d", bootOrder: 1 }, { name: "e" }] } },
    ],
    ["a list where an object is wanted", { metadata: [], spec: {} }],
  ])("sees drift: %s", (_case, live) => {
    expect(containsDesired(live, desired)).toBe(false);
  });
});
