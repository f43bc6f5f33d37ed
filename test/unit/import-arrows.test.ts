// The import arrows point one way: lib/ and capabilities/ build on schemas/, never the reverse; the real-guest
// runtime (test/guest) plugs into the simulator (test/simulator) through NodeRuntime, never the reverse; libraries
// are imported by their public entry, not a path inside their dist/ that changes between releases.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const repo = path.join(__dirname, "../..");

function sources(dir: string): string[] {
  return readdirSync(path.join(repo, dir), { withFileTypes: true }).flatMap(entry => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(relative);
    return /\.(ts|cts|mts|cjs|mjs)$/.test(entry.name) ? [relative] : [];
  });
}

/** Every module a file imports or re-exports (static, dynamic or require), resolved to the repository when relative. */
function importsOf(file: string): string[] {
  const text = readFileSync(path.join(repo, file), "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^import\s+)["']([^"']+)["']/gm)].map(match => match[1]);
  return specifiers.map(spec => (spec.startsWith(".") ? path.join(path.dirname(file), spec) : spec));
}

const offending = (dirs: string[], forbidden: (target: string) => boolean) =>
  dirs.flatMap(sources).flatMap(file =>
    importsOf(file)
      .filter(forbidden)
      .map(target => `${file} → ${target}`),
  );

describe("the import arrows", () => {
  it("schemas/ imports nothing from lib/, capabilities/ or test/", () => {
    expect(offending(["schemas"], target => /^(lib|capabilities|test)\//.test(target))).toEqual([]);
  });

  it("test/simulator imports nothing from test/guest (test/guest imports the simulator)", () => {
    expect(offending(["test/simulator"], target => target.startsWith("test/guest/"))).toEqual([]);
    expect(offending(["test/guest"], target => target.startsWith("test/simulator/")).length).toBeGreaterThan(0);
  });

  it("no import reaches into @kubernetes/client-node's dist/", () => {
    expect(offending(["schemas", "lib", "capabilities", "test"], target => target.startsWith("@kubernetes/client-node/"))).toEqual([]);
  });
});
