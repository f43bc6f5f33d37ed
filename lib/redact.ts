// Scrubs passwords, password hashes, user data, keys and Secret data from a log line. Pepr logs whole
// admission requests, watched objects and watch lists at debug level; this keeps every such line printable.
export const REDACTED = "**redacted**";

/** Field names whose value is a secret: cloudInitUser.password/passwordHash, userData, cloud-config's passwd keys, SSH keys. */
const SECRET_KEY = /passw|^user_?data(_?base64)?$|authorized_?keys|^ssh_?keys$|private_?key/i;
/** A JSON member naming such a field, in text that did not parse as JSON. */
const SECRET_MEMBER = /"[^"]*(passw|user_?data|authorized_?keys|ssh_?keys|private_?key)[^"]*"\s*:/i;
/** A Secret object, also escaped inside a JSON string, in text that did not parse as JSON: any key may be secret. */
const SECRET_OBJECT = /"kind\\*"\s*:\s*\\*"Secret\\*"/;
/** Cheap test before parsing: a line with none of these cannot carry a secret this module knows of. */
const MAY_CARRY_SECRET = /passw|user_?data|authorized_?keys|ssh_?keys|private_?key|"Secret\\*"/i;

/** One serialised pino line (JSON and a newline) in, the same line with every secret replaced out. */
export function redactLogLine(line: string): string {
  if (!MAY_CARRY_SECRET.test(line)) return line;
  const newline = line.endsWith("\n") ? "\n" : "";
  try {
    return JSON.stringify(redactSecrets(JSON.parse(line))) + newline;
  } catch {
    return JSON.stringify({ msg: "a log line that may carry a secret was withheld" }) + newline;
  }
}

/** A copy of `value` with secrets replaced, also inside JSON embedded in strings (annotations, messages). */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return redactText(value);
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const isSecret = object.kind === "Secret";
  // A JSON patch operation whose path ends in a secret field carries the secret as a bare value.
  const patchesSecret = typeof object.path === "string" && SECRET_KEY.test(object.path.split("/").pop() ?? "");
  const copy: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(object)) {
    const secret =
      (SECRET_KEY.test(key) && typeof field !== "boolean") || (isSecret && (key === "data" || key === "stringData")) || (patchesSecret && key === "value");
    copy[key] = secret ? redactValue(field) : redactSecrets(field);
  }
  return copy;
}

/** Keeps the shape (map keys, list length) so a log still says what was there. */
function redactValue(value: unknown): unknown {
  if (value === undefined || value === null) return value;
  if (Array.isArray(value)) return value.map(() => REDACTED);
  if (typeof value === "object") return Object.fromEntries(Object.keys(value).map(key => [key, REDACTED]));
  return REDACTED;
}

/** Text that holds JSON (kubectl's last-applied annotation, Pepr's "Watch event list received. {…}."). */
function redactText(text: string): string {
  if (!MAY_CARRY_SECRET.test(text)) return text;
  const start = text.search(/[[{]/);
  const end = Math.max(text.lastIndexOf("}"), text.lastIndexOf("]"));
  if (start >= 0 && end > start) {
    try {
      const embedded = JSON.parse(text.slice(start, end + 1));
      return text.slice(0, start) + JSON.stringify(redactSecrets(embedded)) + text.slice(end + 1);
    } catch {
      // not JSON: judged below
    }
  }
  return SECRET_MEMBER.test(text) || SECRET_OBJECT.test(text) ? REDACTED : text;
}
