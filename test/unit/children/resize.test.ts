// The VM's sizing for live resize: what virt-controller v1.7.4 can change in a running VMI
// (pkg/virt-controller/watch/vm/vm.go syncRestartRequired: domain.cpu.sockets and domain.memory.guest only) and the
// headroom virt-api checks (vms-admitter.go validateLiveUpdateCPU: sockets ≤ maxSockets).
import { desiredChildren } from "../../../lib/children";
import type { WukongSpec } from "../../../schemas/spec";
import { wukong } from "./fixtures";

type Domain = { cpu: Record<string, unknown>; memory: Record<string, unknown>; resources?: unknown };
const domainOf = (spec: Partial<WukongSpec>): Domain => {
  const vm = desiredChildren(wukong("vm", { cpu: 2, memory: "2Gi", disks: [{ name: "system", size: "1Gi" }], ...spec }), {}).virtualMachine;
  return (vm.spec as { template: { spec: { domain: Domain } } }).template.spec.domain;
};

describe("VM sizing for live resize", () => {
  it("gives each vCPU its own socket, as KubeVirt hot-plugs sockets", () => {
    expect(domainOf({ cpu: 6 }).cpu).toEqual({ sockets: 6, cores: 1, threads: 1 });
  });

  it("sets only the guest memory: a memory request in the template would turn every memory change into a restart", () => {
    const domain = domainOf({ memory: "4Gi" });
    expect(domain.memory).toEqual({ guest: "4Gi" });
    expect(domain).not.toHaveProperty("resources");
  });

  it("carries the headroom the user gave as maxSockets and maxGuest", () => {
    const domain = domainOf({ cpu: 2, memory: "2Gi", limits: { maxCpu: 8, maxMemory: "16Gi" } });
    expect(domain.cpu).toEqual({ sockets: 2, cores: 1, threads: 1, maxSockets: 8 });
    expect(domain.memory).toEqual({ guest: "2Gi", maxGuest: "16Gi" });
  });

  it("leaves the headroom to KubeVirt's defaults when none is given", () => {
    const domain = domainOf({ limits: {} });
    expect(domain.cpu).not.toHaveProperty("maxSockets");
    expect(domain.memory).not.toHaveProperty("maxGuest");
  });

  it("a cpu or memory change touches only sockets and guest, the fields KubeVirt applies live", () => {
    const before = domainOf({ cpu: 2, memory: "2Gi" });
    const after = domainOf({ cpu: 4, memory: "4Gi" });
    expect({ ...after, cpu: { ...after.cpu, sockets: 2 }, memory: { ...after.memory, guest: "2Gi" } }).toEqual(before);
  });
});
