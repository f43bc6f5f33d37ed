import { mergeConditions } from "./conditions";
import { controllerChain, faultValue, indexWukongs } from "./faults";
import { generatedMac, multusNetworkAddress, podNetworkAddress } from "./fake-dhcp";
import { parseQuantity, quantityGreater } from "./quantity";
import { StateClock } from "./state-clock";
import { deepEqual, replacePatch } from "./status-diff";
import { loadConfig } from "./config";
import { obj } from "./test-helpers";

describe("quantity", () => {
  it("parses binary, decimal and exponent notations", () => {
    expect(parseQuantity("10Gi")).toBe(10 * 2 ** 30);
    expect(parseQuantity("500M")).toBe(5e8);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity(1024)).toBe(1024);
    expect(parseQuantity("ten")).toBeUndefined();
  });
  it("compares across notations", () => {
    expect(quantityGreater("20Gi", "10Gi")).toBe(true);
    expect(quantityGreater("10Gi", String(10 * 2 ** 30))).toBe(false);
    expect(quantityGreater("11G", "10Gi")).toBe(true);
    expect(quantityGreater("10Gi", undefined)).toBe(true);
    expect(quantityGreater(undefined, "10Gi")).toBe(false);
  });
});

describe("status-diff", () => {
  it("treats absent and undefined alike", () => {
    expect(deepEqual({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
  });
  it("produces nulls for removed fields and nothing when equal", () => {
    expect(replacePatch({ a: 1, b: 2 }, { a: 1, b: 2 })).toBeUndefined();
    expect(replacePatch({ a: 1, b: 2, c: { d: 1, e: 2 } }, { a: 1, c: { d: 1 } })).toEqual({ b: null, c: { e: null } });
    expect(replacePatch(undefined, { a: [1] })).toEqual({ a: [1] });
  });
});

describe("conditions", () => {
  it("keeps lastTransitionTime while the status is unchanged", () => {
    const first = mergeConditions(undefined, [{ type: "Ready", status: "False", reason: "A" }], { now: "T1", heartbeat: true });
    const same = mergeConditions(first, [{ type: "Ready", status: "False", reason: "A" }], { now: "T2", heartbeat: true });
    expect(same).toEqual(first);
    const reason = mergeConditions(first, [{ type: "Ready", status: "False", reason: "B" }], { now: "T3", heartbeat: true });
    expect(reason[0]).toMatchObject({ lastTransitionTime: "T1", lastHeartbeatTime: "T3" });
    const flipped = mergeConditions(first, [{ type: "Ready", status: "True" }], { now: "T4" });
    expect(flipped[0]).toEqual({ type: "Ready", status: "True", lastTransitionTime: "T4" });
  });
});

describe("faults", () => {
  const wukong = obj("Wukong", "web", { metadata: { annotations: { "sim.novasphere.dev/import": "fail" } } });
  const wukongs = indexWukongs([wukong]);
  const child = (annotations?: Record<string, string>) =>
    obj("DataVolume", "web-root", { metadata: { labels: { "vm.novasphere.dev/wukong": "web" }, annotations } });
  const importFault = (objects: Parameters<typeof faultValue>[1], index = wukongs) => faultValue("sim.novasphere.dev/import", objects, index);

  it("reads faults from the owning Wukong through the child's label", () => {
    expect(importFault([child()])).toBe("fail");
  });
  it("lets the child's own annotation win, including ok", () => {
    expect(importFault([child({ "sim.novasphere.dev/import": "ok" })])).toBe("ok");
    expect(importFault([child({ "sim.novasphere.dev/import": " Slow " })])).toBe("slow");
  });
  it("ignores a Wukong in another namespace or a missing Wukong CRD", () => {
    const other = obj("DataVolume", "x", { metadata: { labels: { "vm.novasphere.dev/wukong": "web" } } }, "ns2");
    expect(importFault([other])).toBeUndefined();
    expect(importFault([child()], indexWukongs(undefined))).toBeUndefined();
  });
  it("follows controller ownerReferences by uid, nearest first, within the namespace", () => {
    const ref = (o: ReturnType<typeof obj>) => [
      { apiVersion: "v1", kind: o.kind ?? "", name: o.metadata.name ?? "", uid: o.metadata.uid ?? "", controller: true },
    ];
    const dv = child();
    const claim = obj("PersistentVolumeClaim", "web-root", { metadata: { ownerReferences: ref(dv) } });
    const pod = obj("Pod", "importer", { metadata: { ownerReferences: ref(claim) } });
    const elsewhere = obj("DataVolume", "web-root", { metadata: { uid: dv.metadata.uid } }, "ns2");
    expect(controllerChain(pod, [elsewhere, claim, dv]).map(o => o.kind)).toEqual(["Pod", "PersistentVolumeClaim", "DataVolume"]);
    expect(importFault(controllerChain(pod, [claim, dv]))).toBe("fail");
  });
});

describe("fake DHCP", () => {
  it("is deterministic per VMI and per network", () => {
    expect(podNetworkAddress("ns1/web")).toBe(podNetworkAddress("ns1/web"));
    expect(podNetworkAddress("ns1/web")).toMatch(/^10\.244\.0\.\d+$/);
    const a = multusNetworkAddress("ns1/web", "ns1/mgmt");
    expect(a).toMatch(/^172\.30\.\d+\.\d+$/);
    expect(a.split(".").slice(0, 3)).toEqual(multusNetworkAddress("ns1/db", "ns1/mgmt").split(".").slice(0, 3));
    expect(generatedMac("ns1/web", "default")).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
  });
});

describe("state clock", () => {
  it("measures time in the current state and restarts on change", () => {
    let t = 0;
    const clock = new StateClock(() => t);
    expect(clock.elapsed("a", "Pending")).toBe(0);
    t = 700;
    expect(clock.elapsed("a", "Pending")).toBe(700);
    expect(clock.elapsed("a", "Bound")).toBe(0);
    t = 100_000;
    clock.sweep(60_000);
    expect(clock.elapsed("a", "Bound")).toBe(0); // forgotten, starts over
  });
});

describe("config", () => {
  it("derives step delays from SIM_STEP_MS and validates numbers", () => {
    const c = loadConfig({ SIM_STEP_MS: "200", SIM_ENACTMENT_MS: "50" });
    expect(c).toMatchObject({ pvcBindMs: 200, importMs: 400, enactmentMs: 50, snapshotMs: 200 });
    expect(() => loadConfig({ SIM_TICK_MS: "fast" })).toThrow(/SIM_TICK_MS/);
  });
});
