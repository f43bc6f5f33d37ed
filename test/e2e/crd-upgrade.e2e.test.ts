// The deployed watcher judges the Wukong CRD by its crd-version annotation when it starts: it upgrades an older
// CRD to the one it ships and never downgrades a newer one. Its module process is killed, so the supervisor
// restarts the container as a kubelet would, without start.sh re-applying the manifest's CRD first.
// Deployed runtime only (test/e2e/jest.config.cjs): `pepr dev` has no watcher container to restart.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CRD_VERSION_ANNOTATION } from "../../schemas/crds";
import { type Obj, R, kubectlOk, waitFor } from "./support/kube";
import { waitForWatcher } from "./support/watcher";
import { REPO, STATE } from "./support/stack";

const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const WATCHER = join(STATE, "deployed", "wukong", "watcher");
const WATCHER_LOG = `${WATCHER}.log`;

const crd = async (): Promise<Obj> => JSON.parse(await kubectlOk(["get", "crd", R.wukong, "-o", "json"]));
const annotate = (value: string) => kubectlOk(["annotate", "--overwrite", "crd", R.wukong, `${CRD_VERSION_ANNOTATION}=${value}`]);
const logLines = (): string[] => readFileSync(WATCHER_LOG, "utf8").split("\n");

/** Kills the watcher's module (controller.js's fork); the container exits and its supervisor starts it again. */
function restartWatcher(): void {
  const pod = readFileSync(join(WATCHER, "pod.pid"), "utf8").trim();
  const controller = execFileSync("pgrep", ["-P", pod], { encoding: "utf8" }).trim().split("\n")[0];
  const module = execFileSync("pgrep", ["-P", controller], { encoding: "utf8" }).trim().split("\n")[0];
  process.kill(Number(module), "SIGKILL");
}

/** Restarts the watcher and returns its first CRD log record after the restart. */
async function crdRecordAfterRestart(): Promise<Obj | undefined> {
  const seen = logLines().length;
  restartWatcher();
  return waitFor(
    async () =>
      logLines()
        .slice(seen)
        .filter(line => line.startsWith("{"))
        .map(line => JSON.parse(line) as Obj)
        .find(record => record.crd === R.wukong),
    { describe: `the restarted watcher's CRD record in ${WATCHER_LOG}`, timeoutMs: 90_000 },
  );
}

afterAll(async () => {
  await annotate(version); // the spec is the shipped one again after each test
  await waitForWatcher(); // the next journey finds the watcher as it found it: serving, its watches started
});

describe("the deployed watcher and the Wukong CRD", () => {
  test("upgrades an older CRD: the shipped spec and version are back", async () => {
    await annotate("0.0.1");
    await kubectlOk([
      "patch",
      "crd",
      R.wukong,
      "--type",
      "json",
      "-p",
      '[{"op":"replace","path":"/spec/versions/0/additionalPrinterColumns/0/name","value":"Stale"}]',
    ]);
    const record = await crdRecordAfterRestart();
    expect(record).toMatchObject({ msg: "CRD upgraded", from: "0.0.1", shipped: version });
    const after = await crd();
    expect(after.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe(version);
    expect(after.spec.versions[0].additionalPrinterColumns[0].name).toBe("Phase");
  });

  test("leaves a newer CRD as it is, with a warning", async () => {
    await annotate("99.0.0");
    const before = await crd();
    const record = await crdRecordAfterRestart();
    expect(record).toMatchObject({ level: 40, installed: "99.0.0", shipped: version });
    const after = await crd();
    expect(after.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe("99.0.0");
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
  });
});
