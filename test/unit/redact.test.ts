// Secrets never reach a log line: the shapes Pepr and the operator actually log, with a marker planted in
// every secret field, must come out without the marker and with everything else intact.
import { REDACTED, redactLogLine, redactSecrets } from "../../lib/redact";

const MARKER = "s3cr3t-marker";
const wukong = {
  apiVersion: "vm.novasphere.dev/v1alpha1",
  kind: "Wukong",
  metadata: {
    name: "app-01",
    namespace: "apps",
    annotations: {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({
        kind: "Wukong",
        spec: { cpu: 2, cloudInitUser: { name: "ubuntu", password: MARKER }, cloudInit: { userData: `ssh_authorized_keys: [ssh-ed25519 ${MARKER}]\n` } },
      }),
    },
  },
  spec: {
    cpu: 2,
    memory: "4Gi",
    cloudInitUser: { name: "ubuntu", password: MARKER, passwordHash: `$6$${MARKER}`, lockPasswd: false },
    cloudInit: { userData: `#cloud-config\nchpasswd: {list: "root:${MARKER}"}\n` },
  },
};
const line = (fields: Record<string, unknown>) => JSON.stringify({ level: 20, time: 1, pid: 1, hostname: "h", ...fields }) + "\n";

describe("redactLogLine", () => {
  it.each([
    ["Pepr's incoming admission request body", line({ uid: "u", request: { uid: "u", object: wukong, oldObject: wukong }, msg: "Incoming request body" })],
    ["a watched object merged into the line", line({ ...wukong, msg: "Watch event ADDED received" })],
    ["a watch list dumped into the message", line({ msg: `Watch event list received. ${JSON.stringify({ items: [wukong] }, undefined, 2)}.` })],
    [
      "JSON patches that set a secret field",
      line({ patches: [{ op: "add", path: "/spec/cloudInitUser/passwordHash", value: MARKER }], msg: "Patches generated" }),
    ],
    [
      "a Secret's data and stringData",
      line({ obj: { kind: "Secret", data: { userdata: Buffer.from(MARKER).toString("base64") }, stringData: { key: MARKER } }, msg: "x" }),
    ],
    ["a JSON fragment that does not parse", line({ msg: `failed near {"password": "${MARKER}", "cpu": ` })],
    ["snake_case user data (cloud-config, KubeVirt's base64 form)", line({ obj: { user_data: MARKER, userDataBase64: MARKER }, msg: "x" })],
    [
      "a Secret embedded as escaped JSON in a message",
      line({ msg: `applied ${JSON.stringify(JSON.stringify({ kind: "Secret", data: { key: Buffer.from(MARKER).toString("base64") } }))}` }),
    ],
  ])("removes the secret from %s", (_what, input) => {
    const output = redactLogLine(input);
    expect(output).not.toContain(MARKER);
    expect(output).not.toContain(Buffer.from(MARKER).toString("base64"));
    expect(output.endsWith("\n")).toBe(true);
    expect(() => JSON.parse(output)).not.toThrow();
  });

  it("keeps everything that is not a secret", () => {
    const output = JSON.parse(redactLogLine(line({ request: { object: wukong }, msg: "Incoming request body" })));
    expect(output.msg).toBe("Incoming request body");
    expect(output.request.object.spec).toEqual({
      cpu: 2,
      memory: "4Gi",
      cloudInitUser: { name: "ubuntu", password: REDACTED, passwordHash: REDACTED, lockPasswd: false },
      cloudInit: { userData: REDACTED },
    });
    const applied = JSON.parse(output.request.object.metadata.annotations["kubectl.kubernetes.io/last-applied-configuration"]);
    expect(applied.spec).toEqual({ cpu: 2, cloudInitUser: { name: "ubuntu", password: REDACTED }, cloudInit: { userData: REDACTED } });
  });

  it("leaves lines without secrets byte for byte, including messages that merely name a secret field", () => {
    const plain = line({ wukong: "apps/app-01", msg: "reconcile failed; retrying" });
    expect(redactLogLine(plain)).toBe(plain);
    const warning = line({
      res: { warnings: ["spec.cloudInitUser.password is stored in plain text in this Wukong; prefer passwordHash"] },
      msg: "Check response",
    });
    expect(JSON.parse(redactLogLine(warning))).toEqual(JSON.parse(warning));
  });

  it("keeps the shape of a redacted map or list", () => {
    expect(redactSecrets({ ssh_authorized_keys: ["a", "b"], userDataSecretRef: { name: "ud" }, kind: "Secret", data: { one: "x", two: "y" } })).toEqual({
      ssh_authorized_keys: [REDACTED, REDACTED],
      userDataSecretRef: { name: "ud" },
      kind: "Secret",
      data: { one: REDACTED, two: REDACTED },
    });
  });
});
