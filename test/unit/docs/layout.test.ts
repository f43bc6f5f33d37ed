// docs/development.md's layout table has one line per folder of the source tree, and no line for a folder gone.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const repo = path.join(__dirname, "../../..");
const SKIPPED = new Set(["node_modules", ".git", "dist", "coverage", ".wukong"]);

/** Every folder holding a file, relative to the repository, without reading git (a `git archive` has none). */
function foldersWithFiles(dir = ""): string[] {
  const entries = readdirSync(path.join(repo, dir), { withFileTypes: true });
  const children = entries.filter(e => e.isDirectory() && !SKIPPED.has(e.name) && (!e.name.startsWith(".") || e.name === ".ci"));
  const nested = children.flatMap(e => foldersWithFiles(path.join(dir, e.name)));
  return dir && entries.some(e => e.isFile()) ? [dir, ...nested] : nested;
}

describe("the layout table", () => {
  const docs = readFileSync(path.join(repo, "docs/development.md"), "utf8");
  const listed = [...docs.matchAll(/^\| `([^`]+)\/` \|/gm)].map(match => match[1]);

  it("has one line for each folder, and none for a folder that does not exist", () => {
    expect([...listed].sort()).toEqual(foldersWithFiles().sort());
  });
});
