// Journey: a user's secrets stay secret. Wukongs carry a marker in every secret field (plain password, hash,
// userData with keys, an SSH key Secret, a user-data Secret); they are created, updated, rejected and deleted.
// Afterwards the marker is in no line of any log of the stack and in no Event. (globalTeardown searches again
// after the whole suite.)
import {
  R,
  apply,
  createNamespace,
  deleteNamespace,
  getJson,
  getJsonOrUndefined,
  kubectlOk,
  tryApply,
  waitFor,
  waitForPhase,
  wukongManifest,
} from "./support/kube";
import { plantedUser, secretLeaks, secretMarker } from "./support/secrets";

const marker = secretMarker();
const base = { cpu: 1, memory: "1Gi", networks: [{ name: "lan", type: "bridge" }], disks: [{ name: "system", size: "5Gi" }] };
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("secrets");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("journey: no secret in a log line or an Event", () => {
  test("Wukongs with a plain password, a hash, userData, an SSH key Secret and a user-data Secret converge", async () => {
    await kubectlOk(["create", "secret", "generic", "keys", "-n", ns, `--from-literal=key=ssh-ed25519 AAAA${marker} e2e`]);
    await kubectlOk(["create", "secret", "generic", "custom-userdata", "-n", ns, `--from-literal=userdata=#cloud-config\npassword: ${marker}\n`]);
    const output = await apply(ns, wukongManifest("plain", { ...base, ...plantedUser(marker), sshKeySecret: "keys" }));
    expect(output).toContain("wukong.vm.novasphere.dev/plain created");
    await apply(
      ns,
      wukongManifest("hashed", {
        ...base,
        cloudInitUser: plantedUser(marker, "passwordHash").cloudInitUser,
        cloudInit: { userDataSecretRef: { name: "custom-userdata" } },
      }),
    );

    await waitForPhase(ns, "plain", "Running");
    await waitForPhase(ns, "hashed", "Running");
    // The secrets went where they belong: the generated cloud-init Secret, not the VM.
    const cloudInit = await getJson(R.secret, "plain-cloudinit", ns);
    expect(Buffer.from(cloudInit.data.userdata, "base64").toString()).toContain(marker);
    expect(JSON.stringify(await getJson(R.vm, "plain", ns))).not.toContain(marker);
  });

  test("an update, a rejected spec and a delete, each carrying the marker", async () => {
    await kubectlOk([
      "patch",
      "wk",
      "plain",
      "-n",
      ns,
      "--type",
      "merge",
      "-p",
      JSON.stringify({ spec: { cloudInitUser: { password: `${marker}-changed` } } }),
    ]);
    await waitFor(async () => Buffer.from((await getJson(R.secret, "plain-cloudinit", ns)).data.userdata, "base64").toString(), {
      describe: "the new password in secret/plain-cloudinit",
      until: userdata => userdata.includes(`${marker}-changed`),
      timeoutMs: 60_000,
    });

    const rejected = await tryApply(ns, wukongManifest("both", { ...base, cloudInitUser: { name: "ubuntu", password: marker, passwordHash: marker } }));
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toContain("set either password or passwordHash, not both");

    await kubectlOk(["delete", "wk", "hashed", "-n", ns, "--wait=false"]);
    await waitFor(() => getJsonOrUndefined(R.wukong, "hashed", ns), { describe: "wk/hashed to be gone", until: gone => gone === undefined, timeoutMs: 60_000 });
  });

  test("the marker is in no log line of the stack and in no Event", async () => {
    expect(await secretLeaks(marker)).toEqual([]);
  });
});
