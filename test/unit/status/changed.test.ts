import { statusChanges } from "../../../lib/status/changed";
import { deriveStatus } from "../../../lib/status/derive";
import type { WukongStatus } from "../../../schemas/status";
import { dv, EARLIER, NOW, observed, provisioned, running, vm, wukong } from "./fixtures";

const LATER = "2026-01-01T01:00:00Z";

/** The status patch the operator would send: none when nothing differs. */
const statusNeedsWrite = (current: WukongStatus | undefined, next: WukongStatus) => Object.keys(statusChanges(current, next)).length > 0;

describe("statusChanges: zero writes for a status that is already right", () => {
  it.each([
    ["nothing created", observed()],
    ["importing", provisioned({ dataVolumes: { system: dv("ImportInProgress", "45.3%") }, virtualMachine: vm("Provisioning") })],
    ["running", running()],
    ["error", provisioned({ virtualMachine: vm("CrashLoopBackOff") })],
  ])("%s: deriving again from the same children (our own patch re-triggering the watch) writes nothing", (_title, children) => {
    const first = deriveStatus(wukong(), children, EARLIER);
    const again = deriveStatus(wukong({}, first), children, LATER);
    expect(statusNeedsWrite(first, again)).toBe(false);
    expect(again).toEqual(first);
  });

  it("a real change needs a write", () => {
    const first = deriveStatus(wukong(), provisioned({ dataVolumes: { system: dv("ImportInProgress", "45.3%") } }), EARLIER);
    const next = deriveStatus(wukong({}, first), provisioned({ dataVolumes: { system: dv("ImportInProgress", "46.0%") } }), NOW);
    expect(statusNeedsWrite(first, next)).toBe(true);
  });

  it("a Wukong without status needs its first write", () => {
    expect(statusNeedsWrite(undefined, deriveStatus(wukong(), observed(), NOW))).toBe(true);
  });

  it("ignores key order, undefined versus absent, null versus absent and condition order", () => {
    const next = deriveStatus(wukong(), running(), NOW);
    const asStored = JSON.parse(JSON.stringify(next)) as WukongStatus & Record<string, unknown>;
    const reordered = Object.fromEntries(Object.entries(asStored).reverse()) as WukongStatus;
    reordered.conditions = [...(asStored.conditions ?? [])].reverse().map(c => Object.fromEntries(Object.entries(c).reverse()) as typeof c);
    expect(statusNeedsWrite(reordered, { ...next, nodeName: next.nodeName, message: next.message, vmName: next.vmName })).toBe(false);
    expect(statusNeedsWrite({ ...asStored, nodeName: undefined }, { ...asStored, nodeName: null as unknown as undefined })).toBe(false);
    expect(statusNeedsWrite({ ...asStored, restartRequired: undefined }, { ...asStored, restartRequired: false })).toBe(true);
  });

  it("order of networks is significant", () => {
    const next = deriveStatus(wukong(), running(), NOW);
    expect(statusNeedsWrite({ ...next, networks: [...(next.networks ?? [])].reverse() }, next)).toBe(true);
  });
});

describe("statusChanges: the merge patch the operator sends", () => {
  it("a nested field the next status no longer has is sent as null, so it does not outlive what it described", () => {
    const finished: WukongStatus = {
      phase: "Running",
      restore: { snapshotName: "before-upgrade", restoreName: "web-before-upgrade", phase: "Succeeded", restoreTime: LATER },
    };
    const next: WukongStatus = { phase: "Stopped", restore: { snapshotName: "nightly", phase: "Pending", message: "Waiting for WukongSnapshot nightly" } };
    expect(statusChanges(finished, next)).toEqual({
      phase: "Stopped",
      restore: { snapshotName: "nightly", phase: "Pending", message: "Waiting for WukongSnapshot nightly", restoreName: null, restoreTime: null },
    });
  });

  it("a removed top-level field is null, and lists are sent whole", () => {
    const before: WukongStatus = {
      phase: "Running",
      nodeName: "n1",
      conditions: [{ type: "Ready", status: "True", reason: "Running", message: "", lastTransitionTime: NOW }],
    };
    expect(statusChanges(before, { phase: "Running", conditions: [] })).toEqual({ nodeName: null, conditions: [] });
  });
});
