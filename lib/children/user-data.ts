// cloud-init user data: a generated cloud-config (the login user) merged with the custom spec.cloudInit.userData.
// YAML is read and written as YAML 1.1, the version cloud-init's PyYAML speaks, so `yes`, `no` and `0644`
// keep the meaning the author gave them.
import { parseDocument, stringify, type Tags } from "yaml";
import type { WukongSpec } from "../../schemas/spec";

export type CloudConfig = Record<string, unknown>;
type CloudInitUser = NonNullable<WukongSpec["cloudInitUser"]>;

/** Top-level keys whose custom lists are appended after the generated entries; every other custom key wins. */
export const APPENDED_KEYS = ["users", "ssh_authorized_keys", "packages", "runcmd"] as const;
const CLOUD_CONFIG_HEADER = "#cloud-config\n";
const YAML_VERSION = "1.1";

export class CustomUserDataError extends Error {
  constructor(message: string) {
    super(`spec.cloudInit.userData: ${message}`);
    this.name = "CustomUserDataError";
  }
}

/** Parses custom user data (a leading #cloud-config is just a YAML comment); admission calls it to validate. */
export function parseCustomUserData(text: string): { config: CloudConfig } | { error: string } {
  const document = parseDocument(text, { version: YAML_VERSION, customTags: withoutTimestamps });
  if (document.errors.length > 0) return { error: `not valid YAML: ${document.errors[0].message}` };
  const value: unknown = document.toJS();
  if (value === null || value === undefined) return { config: {} };
  if (typeof value !== "object" || Array.isArray(value)) return { error: "must be a YAML mapping of cloud-config keys" };
  const config = value as CloudConfig;
  const notList = APPENDED_KEYS.find(key => key in config && !Array.isArray(config[key]));
  if (notList) return { error: `${notList} must be a list: it is appended to the generated ${notList}` };
  return { config };
}

/** The complete user data: `#cloud-config` and the merged YAML. Throws CustomUserDataError for invalid custom data. */
export function userData(spec: WukongSpec): string {
  const merged = mergeCloudConfig(generatedCloudConfig(spec.cloudInitUser), customCloudConfig(spec));
  return CLOUD_CONFIG_HEADER + stringify(merged, { version: YAML_VERSION, lineWidth: 0 });
}

function customCloudConfig(spec: WukongSpec): CloudConfig {
  if (spec.cloudInit?.userData === undefined) return {};
  const parsed = parseCustomUserData(spec.cloudInit.userData);
  if ("error" in parsed) throw new CustomUserDataError(parsed.error);
  return parsed.config;
}

/**
 * `default` stays first in users: cloud-init gives SSH keys from the NoCloud meta-data (where KubeVirt's noCloud
 * accessCredentials put sshKeySecret) to the distro's default user only, and a users list without it removes that user.
 */
function generatedCloudConfig(user: CloudInitUser | undefined): CloudConfig {
  const config: CloudConfig = { users: user ? ["default", userEntry(user)] : ["default"] };
  // A hash wins over a plain password; the plain one goes through chpasswd, which hashes it in the guest.
  if (user?.password && !user.passwordHash) {
    config.chpasswd = { users: [{ name: user.name, password: user.password, type: "text" }], expire: false };
  }
  return config;
}

function userEntry(user: CloudInitUser): CloudConfig {
  const hasPassword = Boolean(user.passwordHash ?? user.password);
  return {
    name: user.name,
    ...(user.passwordHash && { passwd: user.passwordHash }),
    lock_passwd: user.lockPasswd ?? !hasPassword,
    ...(user.sudo && { sudo: user.sudo }),
    ...(user.shell && { shell: user.shell }),
    ...(user.groups?.length && { groups: user.groups }),
  };
}

function mergeCloudConfig(generated: CloudConfig, custom: CloudConfig): CloudConfig {
  const merged: CloudConfig = { ...generated };
  for (const [key, value] of Object.entries(custom)) {
    const appended = (APPENDED_KEYS as readonly string[]).includes(key);
    merged[key] = appended ? [...((generated[key] as unknown[] | undefined) ?? []), ...(value as unknown[])] : value;
  }
  return merged;
}

/** YAML 1.1 timestamps would become Dates and be written back reformatted; cloud-init wants the text. */
function withoutTimestamps(tags: Tags): Tags {
  return tags.filter(tag => typeof tag === "string" || tag.tag !== "tag:yaml.org,2002:timestamp");
}
