// cloud-init user data: the generated login user, the custom userData merge rule, and userDataSecretRef.
import { CustomUserDataError, desiredChildren, parseCustomUserData } from "../../../lib/children";
import type { WukongSpec } from "../../../schemas/spec";
import { secretText, secretYaml, vmTemplateSpec, wukong } from "./fixtures";

const build = (spec: Omit<WukongSpec, "cpu" | "memory">) => desiredChildren(wukong("vm", { cpu: 1, memory: "1Gi", ...spec }), {});
const userData = (spec: Omit<WukongSpec, "cpu" | "memory">) => secretYaml(build(spec).cloudInitSecret, "userdata");

const HASH = "$6$rounds=4096$salt$Zx0QBbNjyX.hash/value";

describe("generated user", () => {
  it("becomes cloud-init's default user, which receives the meta-data ssh keys; a hash goes into passwd and unlocks the password", () => {
    expect(
      userData({ cloudInitUser: { name: "ops", passwordHash: HASH, sudo: "ALL=(ALL) NOPASSWD:ALL", shell: "/bin/bash", groups: ["wheel", "adm"] } }),
    ).toEqual({
      user: { name: "ops", passwd: HASH, lock_passwd: false, sudo: "ALL=(ALL) NOPASSWD:ALL", groups: ["wheel", "adm"], shell: "/bin/bash" },
      users: ["default"],
      updates: { network: { when: ["boot"] } },
    });
  });

  it("writes no sudo rule and no groups unless asked, so the distro's default-user grants never apply", () => {
    expect(userData({ cloudInitUser: { name: "ops", passwordHash: HASH } }).user).toEqual({
      name: "ops",
      passwd: HASH,
      lock_passwd: false,
      sudo: null,
      groups: {},
    });
  });

  it("a plain password goes through chpasswd, never into users", () => {
    expect(userData({ cloudInitUser: { name: "ops", password: "yes" } })).toEqual({
      user: { name: "ops", lock_passwd: false, sudo: null, groups: {} },
      users: ["default"],
      updates: { network: { when: ["boot"] } },
      chpasswd: { users: [{ name: "ops", password: "yes", type: "text" }], expire: false },
    });
  });

  it("the hash wins when both are given", () => {
    const config = userData({ cloudInitUser: { name: "ops", password: "plain", passwordHash: HASH } });
    expect(config).not.toHaveProperty("chpasswd");
    expect(config.user).toEqual({ name: "ops", passwd: HASH, lock_passwd: false, sudo: null, groups: {} });
  });

  it("locks the password by default without one, and follows lockPasswd when given", () => {
    expect(userData({ cloudInitUser: { name: "ops" } }).user).toMatchObject({ name: "ops", lock_passwd: true });
    expect(userData({ cloudInitUser: { name: "ops", passwordHash: HASH, lockPasswd: true } }).user).toMatchObject({
      name: "ops",
      passwd: HASH,
      lock_passwd: true,
    });
  });

  it("starts with #cloud-config and keeps the distro's default user", () => {
    const text = secretText(build({}).cloudInitSecret, "userdata");
    expect(text).toBe("#cloud-config\nusers:\n  - default\nupdates:\n  network:\n    when:\n      - boot\n");
  });

  // KubeVirt's NoCloud instance-id is constant per VM (pkg/cloud-init/cloud-init.go, v1.7.4); cloud-init applies
  // network config again only for an enabled `boot` event (cloudinit/stages.py apply_network_config, and the
  // `updates` schema in cloudinit/config/schemas/schema-cloud-config-v1.json, 22.4).
  it("asks cloud-init to apply the network config on every boot, with or without a login user", () => {
    expect(userData({}).updates).toEqual({ network: { when: ["boot"] } });
    expect(userData({ cloudInitUser: { name: "ops" } }).updates).toEqual({ network: { when: ["boot"] } });
  });
});

describe("custom userData merge", () => {
  const custom = [
    "#cloud-config",
    "users:",
    "  - name: backup",
    "    shell: /bin/sh",
    "ssh_authorized_keys:",
    "  - ssh-ed25519 AAAA ops@example",
    "packages: [qemu-guest-agent, htop]",
    "runcmd:",
    "  - [systemctl, enable, --now, qemu-guest-agent]",
    "chpasswd: {expire: true}",
    "ssh_pwauth: yes",
    "write_files:",
    "  - {path: /etc/motd, content: hello, permissions: '0644'}",
    "",
  ].join("\n");

  it("custom top-level keys win, except users, ssh_authorized_keys, packages and runcmd, which are appended", () => {
    expect(userData({ cloudInitUser: { name: "ops", password: "pw" }, cloudInit: { userData: custom } })).toEqual({
      user: { name: "ops", lock_passwd: false, sudo: null, groups: {} },
      users: ["default", { name: "backup", shell: "/bin/sh" }],
      updates: { network: { when: ["boot"] } },
      chpasswd: { expire: true },
      ssh_authorized_keys: ["ssh-ed25519 AAAA ops@example"],
      packages: ["qemu-guest-agent", "htop"],
      runcmd: [["systemctl", "enable", "--now", "qemu-guest-agent"]],
      ssh_pwauth: true,
      write_files: [{ path: "/etc/motd", content: "hello", permissions: "0644" }],
    });
  });

  it("keeps YAML 1.1 meanings: an unquoted 0644 stays the same octal number for cloud-init", () => {
    const config = userData({ cloudInit: { userData: "write_files: [{path: /x, permissions: 0644}]\n" } });
    expect(config.write_files).toEqual([{ path: "/x", permissions: 0o644 }]);
  });

  it("accepts user data without the #cloud-config line, and an empty document", () => {
    expect(userData({ cloudInit: { userData: "hostname: edge\n" } })).toEqual({
      users: ["default"],
      updates: { network: { when: ["boot"] } },
      hostname: "edge",
    });
    expect(userData({ cloudInit: { userData: "#cloud-config\n" } })).toEqual({ users: ["default"], updates: { network: { when: ["boot"] } } });
  });

  it.each([
    ["invalid YAML", "users: [\n", /must be cloud-config YAML/],
    ["not a mapping", "- apt\n", /must be a YAML mapping/],
    ["a scalar", "just text\n", /must be a YAML mapping/],
    ["a duplicate key", "a: 1\na: 2\n", /must be cloud-config YAML/],
    ["an appended key that is not a list", "packages: htop\n", /packages must be a list/],
  ])("parseCustomUserData reports %s", (_title, text, message) => {
    const parsed = parseCustomUserData(text);
    expect("error" in parsed && parsed.error).toMatch(message);
    expect(() => build({ cloudInit: { userData: text } })).toThrow(CustomUserDataError);
  });

  it("parseCustomUserData returns the mapping", () => {
    expect(parseCustomUserData("#cloud-config\npackages: [vim]\n")).toEqual({ config: { packages: ["vim"] } });
  });
});

describe("userDataSecretRef", () => {
  const children = build({ cloudInitUser: { name: "ops" }, cloudInit: { userDataSecretRef: { name: "my-userdata" } } });

  it("the VM template names only our networkdata's digest: the user's Secret is not ours to version", () => {
    const template = (children.virtualMachine.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
    expect(Object.keys(template.metadata.annotations)).toEqual(["vm.novasphere.dev/networkdata-digest"]);
  });

  it("our Secret carries only networkdata", () => {
    expect(Object.keys(children.cloudInitSecret.data as object)).toEqual(["networkdata"]);
  });

  it("the VM reads user data from the user's Secret and network data from ours", () => {
    const volumes = vmTemplateSpec(children.virtualMachine).volumes as { name: string }[];
    expect(volumes.find(volume => volume.name === "cloudinitdisk")).toEqual({
      name: "cloudinitdisk",
      cloudInitNoCloud: { secretRef: { name: "my-userdata" }, networkDataSecretRef: { name: "vm-cloudinit" } },
    });
  });
});
