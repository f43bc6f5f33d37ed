// Admission defaulting: what withDefaults fills in, that it is idempotent, and how it follows an UPDATE.
import { DEFAULT_OS_DISK, withDefaults } from "../../../lib/defaults";
import { formatProblems } from "../../../schemas/problems";
import type { WukongSpec } from "../../../schemas/spec";
import { validateWukong } from "../../../schemas/validate";
import type { WukongSpecInput } from "../../../schemas/wukong";
import { SEED_NAME, SEED_NAMESPACE, clone, fullSpec, seedSpec } from "./fixtures";

const defaulted = (spec: WukongSpecInput, where: { namespace?: string; name?: string; oldSpec?: WukongSpec } = {}) =>
  withDefaults({ namespace: where.namespace ?? SEED_NAMESPACE, name: where.name ?? SEED_NAME, spec: spec as WukongSpec, oldSpec: where.oldSpec });

const minimal = (extra: Partial<WukongSpecInput> = {}): WukongSpecInput => ({ cpu: 1, memory: "1Gi", disks: [{ name: "os", size: "10Gi" }], ...extra });

const networksSpec = (): WukongSpecInput =>
  minimal({
    networks: [
      { name: "br", type: "bridge" },
      { name: "ovs", type: "ovs", vlanId: 20 },
      { name: "vf", type: "sriov", resourceName: "intel.com/sriov_netdevice" },
      { name: "nad", type: "bridge", nadName: "existing" },
      { name: "own", type: "bridge", bridgeName: "br-own", macAddress: "02:AB:CD:EF:00:11", ipConfig: { mode: "static", address: "10.1.0.5/24" } },
    ],
  });

describe("withDefaults", () => {
  it("sets podNetwork true unless given", () => {
    expect(defaulted(minimal()).podNetwork).toBe(true);
    expect(defaulted(minimal({ podNetwork: false })).podNetwork).toBe(false);
  });

  it("defaults ipConfig.mode to dhcp and keeps a given mode", () => {
    const networks = defaulted(networksSpec()).networks!;
    expect(networks.map(n => n.ipConfig?.mode)).toEqual(["dhcp", "dhcp", "dhcp", "dhcp", "static"]);
    expect(networks[4].ipConfig).toEqual({ mode: "static", address: "10.1.0.5/24" });
  });

  it("defaults bridgeName br0 for bridge and ovs, never for sriov or nadName networks, and keeps a given one", () => {
    const networks = defaulted(networksSpec()).networks!;
    expect(Object.fromEntries(networks.map(n => [n.name, n.bridgeName]))).toEqual({ br: "br0", ovs: "br0", vf: undefined, nad: undefined, own: "br-own" });
    expect(networks.filter(n => n.bridgeName === undefined).every(n => !("bridgeName" in n))).toBe(true);
  });

  describe("MAC addresses", () => {
    const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
    const macs = (spec: WukongSpec) => Object.fromEntries(spec.networks!.map(n => [n.name, n.macAddress]));

    it("gives every network a lower-case, locally administered, unicast MAC", () => {
      for (const mac of Object.values(macs(defaulted(networksSpec())))) {
        expect(mac).toMatch(MAC);
        const first = parseInt(mac!.slice(0, 2), 16);
        expect(first & 0b10).toBe(0b10); // locally administered
        expect(first & 0b01).toBe(0); // unicast
      }
    });

    it("lower-cases a given MAC and keeps its value", () => {
      expect(macs(defaulted(networksSpec())).own).toBe("02:ab:cd:ef:00:11");
    });

    it("is stable: the same namespace, Wukong and network give the same MAC", () => {
      expect(macs(defaulted(networksSpec()))).toEqual(macs(defaulted(networksSpec())));
      // The order of networks and the other fields do not matter.
      const reordered = networksSpec();
      reordered.networks!.reverse();
      reordered.networks![0].vlanId = 7;
      expect(macs(defaulted(reordered))).toEqual(macs(defaulted(networksSpec())));
    });

    it("differs between networks, Wukongs and namespaces", () => {
      const base = macs(defaulted(networksSpec()));
      expect(new Set(Object.values(base)).size).toBe(5);
      expect(macs(defaulted(networksSpec(), { name: "other" })).br).not.toBe(base.br);
      expect(macs(defaulted(networksSpec(), { namespace: "other" })).br).not.toBe(base.br);
    });
  });

  describe("disks", () => {
    it("marks the first disk as boot when none is, and the others boot: false", () => {
      const disks = defaulted(
        minimal({
          disks: [
            { name: "a", size: "1Gi" },
            { name: "b", size: "1Gi" },
            { name: "c", size: "1Gi" },
          ],
        }),
      ).disks!;
      expect(disks.map(d => d.boot)).toEqual([true, false, false]);
    });

    it("keeps a chosen boot disk and sets boot: false on the others", () => {
      const disks = defaulted(
        minimal({
          disks: [
            { name: "a", size: "1Gi" },
            { name: "b", size: "1Gi", boot: true },
            { name: "c", size: "1Gi", boot: false },
          ],
        }),
      ).disks!;
      expect(disks.map(d => d.boot)).toEqual([false, true, false]);
    });

    it("gives an osImage-only spec a 20Gi boot disk named system", () => {
      const spec = defaulted({ cpu: 1, memory: "1Gi", osImage: "docker://quay.io/containerdisks/fedora:40" });
      expect(spec.disks).toEqual([{ name: "system", size: "20Gi", boot: true }]);
      expect(DEFAULT_OS_DISK).toEqual({ name: "system", size: "20Gi" });
      expect(defaulted({ cpu: 1, memory: "1Gi", osImage: "docker://x/y:1", disks: [] }).disks).toEqual([{ name: "system", size: "20Gi", boot: true }]);
    });

    it("adds no disk without osImage (validation reports the missing disk instead)", () => {
      expect(defaulted({ cpu: 1, memory: "1Gi" }).disks).toBeUndefined();
    });
  });

  describe("runStrategy", () => {
    const runStrategy = (spec: WukongSpecInput, oldSpec?: WukongSpec) => defaulted(spec, { oldSpec }).startStrategy?.runStrategy;

    it.each<[string, Partial<WukongSpecInput>, string]>([
      ["nothing set", {}, "Always"],
      ["autoStart true", { startStrategy: { autoStart: true } }, "Always"],
      ["autoStart false", { startStrategy: { autoStart: false } }, "Halted"],
      ["autoStart false beats restartPolicy", { startStrategy: { autoStart: false }, highAvailability: { restartPolicy: "OnFailure" } }, "Halted"],
      ["restartPolicy Always", { highAvailability: { restartPolicy: "Always" } }, "Always"],
      ["restartPolicy OnFailure", { highAvailability: { restartPolicy: "OnFailure" } }, "RerunOnFailure"],
      ["restartPolicy Never", { highAvailability: { restartPolicy: "Never" } }, "Once"],
      ["explicit Manual", { startStrategy: { runStrategy: "Manual" } }, "Manual"],
      ["explicit Halted with restartPolicy", { startStrategy: { runStrategy: "Halted" }, highAvailability: { restartPolicy: "OnFailure" } }, "Halted"],
    ])("%s → %s", (_, extra, expected) => {
      expect(runStrategy(minimal(extra))).toBe(expected);
    });

    it("keeps autoStart next to the defaulted runStrategy", () => {
      expect(defaulted(minimal({ startStrategy: { autoStart: false } })).startStrategy).toEqual({ autoStart: false, runStrategy: "Halted" });
    });
  });

  it("does not modify its input", () => {
    const spec = networksSpec();
    const before = clone(spec);
    defaulted(spec);
    expect(spec).toEqual(before);
  });

  describe("idempotence", () => {
    const specs: [string, () => WukongSpecInput][] = [
      ["seed", seedSpec],
      ["full", fullSpec],
      ["networks", networksSpec],
      ["osImage only", () => ({ cpu: 1, memory: "1Gi", osImage: "docker://quay.io/containerdisks/fedora:40" })],
      ["autoStart false", () => minimal({ startStrategy: { autoStart: false } })],
      ["restartPolicy Never", () => minimal({ highAvailability: { restartPolicy: "Never" } })],
      [
        "no boot disk marked",
        () =>
          minimal({
            disks: [
              { name: "a", size: "1Gi" },
              { name: "b", size: "2Gi" },
            ],
          }),
      ],
    ];

    it.each(specs)("withDefaults(withDefaults(x)) equals withDefaults(x) for the %s spec", (_, make) => {
      const once = defaulted(make());
      expect(defaulted(clone(once))).toEqual(once);
      // Defaulting again on UPDATE against itself changes nothing either.
      expect(defaulted(clone(once), { oldSpec: once })).toEqual(once);
    });
  });

  describe("on UPDATE", () => {
    it("inherits a MAC missing from the new spec from the old spec, by network name", () => {
      const oldSpec = defaulted(
        minimal({
          networks: [
            { name: "a", type: "bridge", macAddress: "02:11:22:33:44:55" },
            { name: "b", type: "ovs" },
          ],
        }),
      );
      // The new spec (e.g. a kubectl replace from the original manifest) lacks the MACs, and lists the networks in another order.
      const spec = defaulted(
        minimal({
          networks: [
            { name: "c", type: "bridge" },
            { name: "b", type: "ovs" },
            { name: "a", type: "bridge" },
          ],
        }),
        { oldSpec },
      );
      const macs = Object.fromEntries(spec.networks!.map(n => [n.name, n.macAddress]));
      expect(macs.a).toBe("02:11:22:33:44:55");
      expect(macs.b).toBe(oldSpec.networks![1].macAddress);
      expect(macs.c).toBe(defaulted(minimal({ networks: [{ name: "c", type: "bridge" }] })).networks![0].macAddress);
    });

    it("inherits the old MAC even when it differs from the stable one (a Wukong recreated under another name keeps it)", () => {
      const oldSpec = defaulted(minimal({ networks: [{ name: "a", type: "bridge" }] }), { name: "before" });
      const spec = defaulted(minimal({ networks: [{ name: "a", type: "bridge" }] }), { name: "after", oldSpec });
      expect(spec.networks![0].macAddress).toBe(oldSpec.networks![0].macAddress);
    });

    it("a derived runStrategy follows a later autoStart: false", () => {
      const oldSpec = defaulted(minimal());
      expect(oldSpec.startStrategy?.runStrategy).toBe("Always");
      const edited = clone(oldSpec); // kubectl apply keeps the stored runStrategy
      edited.startStrategy = { ...edited.startStrategy, autoStart: false };
      const spec = defaulted(edited, { oldSpec });
      expect(spec.startStrategy).toEqual({ autoStart: false, runStrategy: "Halted" });
      expect(formatProblems(validateWukong({ name: SEED_NAME, spec, oldSpec }))).toBe("");
    });

    it("a derived Halted follows autoStart back to true", () => {
      const oldSpec = defaulted(minimal({ startStrategy: { autoStart: false } }));
      const edited = clone(oldSpec);
      edited.startStrategy!.autoStart = true;
      expect(defaulted(edited, { oldSpec }).startStrategy).toEqual({ autoStart: true, runStrategy: "Always" });
    });

    it("a derived runStrategy follows a later restartPolicy", () => {
      const oldSpec = defaulted(minimal());
      const edited = clone(oldSpec);
      edited.highAvailability = { restartPolicy: "Never" };
      expect(defaulted(edited, { oldSpec }).startStrategy?.runStrategy).toBe("Once");
    });

    it("an explicit runStrategy stays when autoStart changes", () => {
      const oldSpec = defaulted(minimal({ startStrategy: { runStrategy: "Manual" } }));
      const edited = clone(oldSpec);
      edited.startStrategy = { ...edited.startStrategy, autoStart: false };
      expect(defaulted(edited, { oldSpec }).startStrategy?.runStrategy).toBe("Manual");
    });

    it("a runStrategy the user changes in the same update is kept", () => {
      const oldSpec = defaulted(minimal());
      const edited = clone(oldSpec);
      edited.startStrategy = { runStrategy: "Manual", autoStart: false };
      expect(defaulted(edited, { oldSpec }).startStrategy?.runStrategy).toBe("Manual");
    });
  });

  it.each([
    ["seed", seedSpec],
    ["full", fullSpec],
  ])("the defaulted %s example passes validateWukong with zero problems", (_, make) => {
    const spec = defaulted(make());
    expect(validateWukong({ name: SEED_NAME, spec })).toEqual([]);
    expect(validateWukong({ name: SEED_NAME, spec, oldSpec: spec })).toEqual([]);
  });
});
