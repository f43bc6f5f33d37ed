// Every `test/…` path the docs, the npm scripts, CI and the stack's scripts name exists, so a moved folder cannot
// leave a stale reference behind (a jest path pattern such as `test/e2e/guest-` counts when some path starts with it).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const repo = path.join(__dirname, "../../..");
const SKIPPED = new Set(["node_modules", ".git", "dist", "coverage", ".wukong"]);

/** Every file and folder, relative to the repository, without reading git (a `git archive` has none). */
function tree(dir = ""): string[] {
  return readdirSync(path.join(repo, dir), { withFileTypes: true })
    .filter(entry => !SKIPPED.has(entry.name))
    .flatMap(entry => {
      const relative = path.join(dir, entry.name);
      return entry.isDirectory() ? [relative, ...tree(relative)] : [relative];
    });
}

/** Where paths are written for people and shells: Markdown, package.json, CI, shell scripts and jest's .cjs files. */
const naming = (file: string) => /\.(md|sh|cjs|mjs)$/.test(file) || file === "package.json" || file === ".ci/run";

/** The `test/…` paths `text` names that are no path, nor the start of one. */
function stale(text: string, paths: string[]): string[] {
  return [...text.matchAll(/(?<![\w./$-])test\/[\w./-]+/g)]
    .map(match => match[0].replace(/[.,:/]+$/, ""))
    .filter(named => !paths.some(existing => existing.startsWith(named)));
}

describe("the paths the docs and scripts name", () => {
  const paths = tree();

  it("all exist", () => {
    const missing = paths.filter(naming).flatMap(file => stale(readFileSync(path.join(repo, file), "utf8"), paths).map(named => `${file}: ${named}`));
    expect(missing).toEqual([]);
  });

  it("a path that moved is caught, a path or a jest pattern that exists is not", () => {
    const text = "run `test/cluster/up.sh`, then `. test/stack/cluster/env.sh`; `npm run test:e2e -- test/e2e/guest-`.";
    expect(stale(text, paths)).toEqual(["test/cluster/up.sh"]);
  });
});
