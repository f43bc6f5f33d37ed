// cloud-init user data: a generated cloud-config (the login user) merged with the custom spec.cloudInit.userData.
// YAML is read and written as YAML 1.1, the version cloud-init's PyYAML speaks, so `yes`, `no` and `0644`
// keep the meaning the author gave them.
import { stringify } from "yaml";
import { APPENDED_KEYS, type CloudConfig, parseCustomUserData, YAML_VERSION } from "../../schemas/cloud-config";
import type { WukongSpec } from "../../schemas/spec";

type CloudInitUser = NonNullable<WukongSpec["cloudInitUser"]>;

const CLOUD_CONFIG_HEADER = "#cloud-config\n";

export class CustomUserDataError extends Error {
  constructor(message: string) {
    super(`spec.cloudInit.userData: ${message}`);
    this.name = "CustomUserDataError";
  }
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
 * KubeVirt's NoCloud instance-id never changes for a VM, so by default (`default_update_events`, boot-new-instance
 * only) cloud-init would never apply changed network config again. NoCloud supports the `boot` event (the base
 * DataSource's `supported_update_events`, cloudinit/sources/__init__.py, 22.4–25.1), which re-reads the seed and
 * applies its network config on every boot (`apply_network_config`, cloudinit/stages.py). Read from the cached
 * user data, so it takes effect from the boot after the first one that carried it.
 */
const NETWORK_EVERY_BOOT = { network: { when: ["boot"] } };

/**
 * The login user becomes cloud-init's default user (`user:`, with `users: [default]`), not an extra entry: cloud-init
 * gives the NoCloud meta-data keys (where KubeVirt's noCloud accessCredentials put sshKeySecret) to the default user
 * only, so an extra user would never get them. sudo and groups are always written, so the distro's default-user
 * grants (Debian's: passwordless sudo, the sudo group) never fill the gaps; `sudo: null` is cloud-init's "no rule".
 */
function generatedCloudConfig(user: CloudInitUser | undefined): CloudConfig {
  if (!user) return { users: ["default"], updates: NETWORK_EVERY_BOOT };
  const config: CloudConfig = { user: userEntry(user), users: ["default"], updates: NETWORK_EVERY_BOOT };
  // A hash wins over a plain password; the plain one goes through chpasswd, which hashes it in the guest.
  if (user.password && !user.passwordHash) {
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
    sudo: user.sudo ?? null,
    // No groups: an empty mapping. cloud-init's schema rejects an empty list, and no key lets the distro's in.
    groups: user.groups?.length ? user.groups : {},
    ...(user.shell && { shell: user.shell }),
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
