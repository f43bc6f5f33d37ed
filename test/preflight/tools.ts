// test/preflight/tools.tsv read as rows, and the README's table of it (the README's "You need" is held to it).
import { readFileSync } from "node:fs";
import path from "node:path";

export type Run = "start" | "host" | "e2e";

export interface Tool {
  command: string;
  /** undefined: no distribution package we can use; `why` says where to get it. */
  debianPackage?: string;
  fedoraPackage?: string;
  neededBy: Run[];
  why: string;
}

export const TOOLS_FILE = path.join(__dirname, "tools.tsv");

export function readTools(text = readFileSync(TOOLS_FILE, "utf8")): Tool[] {
  return text
    .split("\n")
    .filter(line => line.trim() && !line.startsWith("#"))
    .map(line => {
      const [command, debian, fedora, neededBy, why] = line.split("\t");
      return {
        command,
        debianPackage: debian === "-" ? undefined : debian,
        fedoraPackage: fedora === "-" ? undefined : fedora,
        neededBy: neededBy.split(",") as Run[],
        why,
      };
    });
}

/** The Markdown table the README shows between its `tools.tsv` markers. */
export function toolsTable(tools: Tool[]): string {
  const rows = tools.map(t => `| \`${t.command}\` | ${t.debianPackage ?? "—"} | ${t.neededBy.join(", ")} | ${t.why} |`);
  return ["| command | Debian/Ubuntu package | needed by | for |", "| --- | --- | --- | --- |", ...rows].join("\n");
}
