// Custom cloud-config as cloud-init reads it: YAML 1.1 (PyYAML), so `yes`, `no` and `0644` keep the meaning the
// author gave them. Admission validates with it; the user-data builder merges what it returns.
import { parseDocument, type Tags } from "yaml";

export type CloudConfig = Record<string, unknown>;

/** Top-level keys whose custom lists are appended after the generated entries; every other custom key wins. */
export const APPENDED_KEYS = ["users", "ssh_authorized_keys", "packages", "runcmd"] as const;
export const YAML_VERSION = "1.1";

/** Parses custom user data (a leading #cloud-config is just a YAML comment); admission calls it to validate. */
export function parseCustomUserData(text: string): { config: CloudConfig } | { error: string } {
  const document = parseDocument(text, { version: YAML_VERSION, customTags: withoutTimestamps });
  if (document.errors.length > 0) return { error: `must be cloud-config YAML: ${document.errors[0].message.split("\n")[0]}` };
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return { config: {} };
  if (typeof value !== "object" || Array.isArray(value)) return { error: "must be a YAML mapping of cloud-config keys" };
  const config = value as CloudConfig;
  const notList = APPENDED_KEYS.find(key => key in config && !Array.isArray(config[key]));
  if (notList) return { error: `${notList} must be a list: it is appended to the generated ${notList}` };
  return { config };
}

/** YAML 1.1 timestamps would become Dates and be written back reformatted; cloud-init wants the text. */
function withoutTimestamps(tags: Tags): Tags {
  return tags.filter(tag => typeof tag === "string" || tag.tag !== "tag:yaml.org,2002:timestamp");
}
