// The CRD installer decides by the crd-version annotation: create, upgrade an older one, never downgrade.
import { applyPatch, deepClone } from "fast-json-patch";
import { type CrdPort, type InstalledCrd, crdDecision, installCrd } from "../../../lib/crd/install";
import { CRD_VERSION_ANNOTATION, type ShippedCrd, shippedCrds } from "../../../schemas/crds";

const annotated = (version?: string, others: Record<string, string> = {}): InstalledCrd => ({
  metadata: { name: "wukongs.vm.novasphere.dev", annotations: version === undefined ? others : { ...others, [CRD_VERSION_ANNOTATION]: version } },
});

describe("crdDecision", () => {
  it.each([
    ["creates a missing CRD", undefined, { action: "create" }],
    ["upgrades an older one", annotated("0.1.0"), { action: "upgrade", from: "0.1.0" }],
    ["upgrades one without the annotation (it predates it)", annotated(undefined), { action: "upgrade" }],
    ["upgrades a prerelease of the shipped version", annotated("0.2.0-rc.1"), { action: "upgrade", from: "0.2.0-rc.1" }],
    ["leaves an equal one", annotated("0.2.0"), { action: "keep", reason: "current", installed: "0.2.0" }],
    ["never downgrades a newer one", annotated("0.10.0"), { action: "keep", reason: "newer", installed: "0.10.0" }],
    ["leaves one it cannot order", annotated("latest"), { action: "keep", reason: "unreadable", installed: "latest" }],
  ])("%s", (_, installed, expected) => {
    expect(crdDecision("0.2.0", installed)).toEqual(expected);
  });
});

type Stored = ShippedCrd & { metadata: { resourceVersion: string } };

/** The API server's part, in memory: resourceVersions, JSON patches, and 409 for a stale resourceVersion. */
class MemoryCrds implements CrdPort {
  readonly stored = new Map<string, Stored>();
  writes = 0;
  #version = 0;
  /** Runs just before the next write, as another writer between our read and our write would. */
  beforeNextWrite?: () => void;

  put(crd: ShippedCrd | InstalledCrd): void {
    const name = crd.metadata.name!;
    this.stored.set(name, { ...deepClone(crd), metadata: { ...deepClone(crd.metadata), resourceVersion: String(++this.#version) } } as Stored);
  }

  async get(name: string) {
    const found = this.stored.get(name);
    return found === undefined ? undefined : deepClone(found);
  }

  async create(crd: ShippedCrd) {
    this.#racing();
    if (this.stored.has(crd.metadata.name)) throw { status: 409, data: { kind: "Status", reason: "AlreadyExists" } };
    this.put(crd);
  }

  async patch(name: string, patch: Parameters<CrdPort["patch"]>[1]) {
    this.#racing();
    const current = this.stored.get(name);
    if (!current) throw { status: 404, data: { kind: "Status", reason: "NotFound" } };
    const patched = applyPatch(deepClone(current), patch, true).newDocument;
    // A patch that leaves a resourceVersion other than the stored one is a stale write.
    if (patched.metadata.resourceVersion !== current.metadata.resourceVersion) throw { status: 409, data: { kind: "Status", reason: "Conflict" } };
    this.put(patched);
  }

  #racing(): void {
    this.writes++;
    const race = this.beforeNextWrite;
    this.beforeNextWrite = undefined;
    race?.();
  }
}

const shipped = (version: string): ShippedCrd => shippedCrds(version)[0].crd;
const NAME = "wukongs.vm.novasphere.dev";

describe("installCrd", () => {
  it("creates a missing CRD with the shipped spec and version", async () => {
    const crds = new MemoryCrds();
    await expect(installCrd(crds, shipped("0.2.0"))).resolves.toEqual({ action: "create" });
    expect(crds.stored.get(NAME)).toMatchObject({ metadata: { annotations: { [CRD_VERSION_ANNOTATION]: "0.2.0" } }, spec: shipped("0.2.0").spec });
  });

  it("upgrades an older CRD: the whole spec is replaced, other annotations stay", async () => {
    const crds = new MemoryCrds();
    const old = shipped("0.1.0");
    crds.put({
      ...old,
      metadata: { ...old.metadata, annotations: { ...old.metadata.annotations, "kept.example/note": "x" } },
      spec: { group: "stale", leftover: true },
    });
    await expect(installCrd(crds, shipped("0.2.0"))).resolves.toEqual({ action: "upgrade", from: "0.1.0" });
    const after = crds.stored.get(NAME)!;
    expect(after.spec).toEqual(shipped("0.2.0").spec);
    expect(after.metadata.annotations).toEqual({ "kept.example/note": "x", [CRD_VERSION_ANNOTATION]: "0.2.0" });
  });

  it("stamps a CRD that had no annotations at all", async () => {
    const crds = new MemoryCrds();
    crds.put({ metadata: { name: NAME }, spec: {} } as unknown as ShippedCrd);
    await expect(installCrd(crds, shipped("0.2.0"))).resolves.toEqual({ action: "upgrade" });
    expect(crds.stored.get(NAME)!.metadata.annotations).toEqual({ [CRD_VERSION_ANNOTATION]: "0.2.0" });
  });

  it("writes nothing when the installed CRD is current or newer", async () => {
    for (const version of ["0.2.0", "1.0.0"]) {
      const crds = new MemoryCrds();
      crds.put(shipped(version));
      const before = deepClone(crds.stored.get(NAME));
      await installCrd(crds, shipped("0.2.0"));
      expect({ version, writes: crds.writes, after: crds.stored.get(NAME) }).toEqual({ version, writes: 0, after: before });
    }
  });

  it("does not downgrade a newer CRD written between its read and its write", async () => {
    const crds = new MemoryCrds();
    crds.put(shipped("0.1.0"));
    crds.beforeNextWrite = () => crds.put(shipped("0.3.0")); // a newer watcher's rollout overtakes us
    await expect(installCrd(crds, shipped("0.2.0"))).resolves.toEqual({ action: "keep", reason: "newer", installed: "0.3.0" });
    expect(crds.stored.get(NAME)!.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe("0.3.0");
  });

  it("does not overwrite a newer CRD created between its read and its create", async () => {
    const crds = new MemoryCrds();
    crds.beforeNextWrite = () => crds.put(shipped("0.3.0"));
    await expect(installCrd(crds, shipped("0.2.0"))).resolves.toEqual({ action: "keep", reason: "newer", installed: "0.3.0" });
    expect(crds.stored.get(NAME)!.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe("0.3.0");
  });

  it("gives up after three conflicts in a row, with the API server's error", async () => {
    const crds = new MemoryCrds();
    crds.put(shipped("0.1.0"));
    const conflicting: CrdPort = { get: name => crds.get(name), create: () => crds.create(shipped("0.2.0")), patch: () => Promise.reject({ status: 409 }) };
    await expect(installCrd(conflicting, shipped("0.2.0"))).rejects.toEqual({ status: 409 });
  });

  it("does not retry other failures", async () => {
    let gets = 0;
    const forbidden: CrdPort = { get: async () => (gets++, undefined), create: () => Promise.reject({ status: 403 }), patch: async () => undefined };
    await expect(installCrd(forbidden, shipped("0.2.0"))).rejects.toEqual({ status: 403 });
    expect(gets).toBe(1);
  });
});
