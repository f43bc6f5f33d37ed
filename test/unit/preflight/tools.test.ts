// One tool list: the preflight reads test/preflight/tools.tsv, and the README shows exactly that list.
import { readFileSync } from "node:fs";
import path from "node:path";
import { readTools, toolsTable } from "../../preflight/tools";

const readme = readFileSync(path.join(__dirname, "../../../README.md"), "utf8");
const between = (text: string, begin: string, end: string) => text.slice(text.indexOf(begin) + begin.length, text.indexOf(end)).trim();

describe("the tool list", () => {
  const tools = readTools();

  it("has every row complete, each command once, each run one the preflight knows", () => {
    for (const tool of tools) {
      expect(tool.command).toMatch(/^[a-z0-9_.-]+$/);
      expect(tool.why.length).toBeGreaterThan(5);
      expect(tool.neededBy.every(run => ["start", "host", "e2e"].includes(run))).toBe(true);
      expect(Boolean(tool.debianPackage)).toBe(Boolean(tool.fedoraPackage));
    }
    expect(new Set(tools.map(t => t.command)).size).toBe(tools.length);
  });

  it("is what the README's 'You need' shows (paste the expected table between the tools.tsv markers)", () => {
    expect(between(readme, "<!-- tools.tsv: begin -->", "<!-- tools.tsv: end -->")).toBe(toolsTable(tools));
  });

  it("the e2e run needs what `npm start` needs: the journeys bring the stack up", () => {
    const missingFromE2e = tools.filter(t => t.neededBy.includes("start") && !t.neededBy.includes("e2e"));
    expect(missingFromE2e.map(t => t.command)).toEqual([]);
  });
});
