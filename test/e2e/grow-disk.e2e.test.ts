// Journey 4: a user grows a disk (80Gi → 100Gi on longhorn, which allows volume expansion; see
// test/stack/cluster/fixtures.yaml) and then tries to shrink it.
import {
  R,
  apply,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  kubectl,
  kubectlOk,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "./support/kube";

const NAME = "grower";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("grow");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

const setSize = (size: string) =>
  kubectl(["patch", "wk", NAME, "-n", ns, "--type", "json", "-p", JSON.stringify([{ op: "replace", path: "/spec/disks/0/size", value: size }])]);

describe("journey 4: grow a disk", () => {
  test("a running Wukong with an 80Gi longhorn disk", async () => {
    await apply(ns, wukongManifest(NAME, { cpu: 1, memory: "1Gi", disks: [{ name: "system", size: "80Gi", storageClassName: "longhorn" }] }));
    const running = await waitForPhase(ns, NAME, "Running");
    expect(running.status.volumes[0]).toMatchObject({ name: "system", size: "80Gi", bound: true });
    expect((await kubectlOk(["get", "storageclass", "longhorn", "-o", "jsonpath={.allowVolumeExpansion}"])).trim()).toBe("true");
  });

  test("80Gi → 100Gi: the claim requests 100Gi and status.volumes[0].size follows", async () => {
    const result = await setSize("100Gi");
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);

    await waitFor(async () => (await getJson(R.pvc, `${NAME}-system`, ns)).spec.resources.requests.storage, {
      describe: `pvc/${NAME}-system request 100Gi`,
      until: s => s === "100Gi",
      timeoutMs: 30_000,
    });
    const grown = await waitFor(() => wukong(ns, NAME), {
      describe: `wk/${NAME} status.volumes[0].size 100Gi`,
      until: w => w.status?.volumes?.[0]?.size === "100Gi",
      timeoutMs: 30_000,
    });
    expect(grown.status.phase).toBe("Running");
    expect((await getJson(R.pvc, `${NAME}-system`, ns)).status.capacity.storage).toBe("100Gi");
    expect(await eventsFor(ns, "Wukong", NAME)).toContainEqual({
      type: "Normal",
      reason: "Resized",
      message: `Resized PersistentVolumeClaim ${NAME}-system (80Gi → 100Gi)`,
    });
  });

  test("100Gi → 90Gi is refused with spec.disks[0].size, and nothing shrinks", async () => {
    const result = await setSize("90Gi");
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("spec.disks[0].size: cannot shrink from 100Gi to 90Gi");
    expect((await wukong(ns, NAME)).spec.disks[0].size).toBe("100Gi");
    expect((await getJson(R.pvc, `${NAME}-system`, ns)).spec.resources.requests.storage).toBe("100Gi");
  });
});
