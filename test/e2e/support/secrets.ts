// A marker planted in every secret field a Wukong can carry (plain password, hash, userData, SSH keys and
// user-data Secrets), and the search for it in every log of the stack and every Event. globalSetup picks one
// marker per run; journeys plant it; the journey that plants it and globalTeardown both search.
import { randomBytes } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { kubectlOk } from "./kube";
import { STATE } from "./stack";

const MARKER_ENV = "WUKONG_E2E_SECRET_MARKER";

/** The run's marker; globalSetup calls this first, so test files (forked after it) inherit it. */
export function secretMarker(): string {
  return (process.env[MARKER_ENV] ??= `planted-secret-${randomBytes(8).toString("hex")}`);
}

/** Spec fields that carry the marker: password or hash, userData with keys, and an SSH key Secret. */
export function plantedUser(marker: string, use: "password" | "passwordHash" = "password") {
  return {
    cloudInitUser: { name: "ubuntu", ...(use === "password" ? { password: marker } : { passwordHash: `$6$${marker}$${marker}` }) },
    cloudInit: { userData: `#cloud-config\nbootcmd: [echo ${marker}]\nssh_authorized_keys: [ssh-ed25519 AAAA${marker} e2e]\n` },
  };
}

/** The marker as it reads in clear text and inside base64 (a Secret's data) at any byte offset. */
function markerForms(marker: string): string[] {
  const base64 = [0, 1, 2].map(offset => {
    const encoded = Buffer.from("x".repeat(offset) + marker).toString("base64");
    return encoded.slice(4, -4); // the blocks that hold only marker bytes
  });
  return [marker, ...base64];
}

/** Every *.log (and *.log.prev) file under the state root: operator, simulator, deployed processes, control plane. */
export function stackLogFiles(dir: string = STATE): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap(entry => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "etcd" ? [] : stackLogFiles(path); // etcd's data, not a log
    return entry.isFile() && /\.log(\.prev)?$/.test(entry.name) ? [path] : []; // start.sh keeps the last run as .log.prev
  });
}

/** Each log line or Event that shows the marker, as "<file>:<line>: <text>" or "Event <ns>/<name>: <message>". */
export async function secretLeaks(marker: string): Promise<string[]> {
  const forms = markerForms(marker);
  const shows = (text: string) => forms.some(form => text.includes(form));
  const leaks: string[] = [];
  for (const file of stackLogFiles()) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, index) => shows(line) && leaks.push(`${file}:${index + 1}: ${line.slice(0, 300)}`));
  }
  const events = JSON.parse(await kubectlOk(["get", "events", "--all-namespaces", "-o", "json"])).items as Record<
    string,
    { namespace?: string; name?: string }
  >[];
  for (const event of events) {
    if (shows(JSON.stringify(event))) leaks.push(`Event ${event.metadata.namespace}/${event.metadata.name}: ${JSON.stringify(event).slice(0, 300)}`);
  }
  return leaks;
}
