// Journey 6: a user deletes a Wukong. The operator deletes the NADs it generated and drops its finalizer; the
// real garbage collector (kube-controller-manager) removes everything else the Wukong owns. A NAD the user
// brought (nadName) is left alone.
import {
  FINALIZER,
  type Obj,
  R,
  WUKONG_LABEL,
  apply,
  createNamespace,
  deleteNamespace,
  getJsonOrUndefined,
  kubectlOk,
  list,
  waitFor,
  waitForPhase,
  wukong,
  wukongManifest,
} from "./support/kube";

const NAME = "doomed";
const USER_NAD = "shared-lan";
const CHILD_KINDS = [R.nad, R.dv, R.pvc, R.secret, R.vm, R.vmi] as const;
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("delete");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

async function childrenByKind(): Promise<Record<string, string[]>> {
  const entries = await Promise.all(
    CHILD_KINDS.map(async kind => [kind, (await list(kind, ns, `${WUKONG_LABEL}=${NAME}`)).map((o: Obj) => o.metadata.name).sort()] as const),
  );
  return Object.fromEntries(entries);
}

describe("journey 6: delete", () => {
  test("a running Wukong with every kind of child", async () => {
    await apply(
      ns,
      JSON.stringify({
        apiVersion: "k8s.cni.cncf.io/v1",
        kind: "NetworkAttachmentDefinition",
        metadata: { name: USER_NAD },
        spec: { config: JSON.stringify({ cniVersion: "0.3.1", name: USER_NAD, type: "bridge", bridge: "br1", ipam: {} }) },
      }),
    );
    await apply(
      ns,
      wukongManifest(NAME, {
        cpu: 1,
        memory: "1Gi",
        networks: [
          { name: "mgmt", type: "bridge", vlanId: 600 },
          { name: "shared", type: "bridge", nadName: USER_NAD },
        ],
        disks: [
          { name: "system", size: "10Gi", image: "docker://quay.io/containerdisks/fedora:40" },
          { name: "data", size: "5Gi" },
        ],
      }),
    );
    await waitForPhase(ns, NAME, "Running", 90_000);
    expect(await childrenByKind()).toEqual({
      [R.nad]: [`${NAME}-mgmt`],
      [R.dv]: [`${NAME}-system`],
      [R.pvc]: [`${NAME}-data`, `${NAME}-system`],
      [R.secret]: [`${NAME}-cloudinit`],
      [R.vm]: [NAME],
      [R.vmi]: [NAME],
    });
    expect((await wukong(ns, NAME)).metadata.finalizers).toEqual([FINALIZER]);
  });

  test("kubectl delete: our NAD goes before the finalizer does, the garbage collector takes the rest, nothing is left", async () => {
    await kubectlOk(["delete", "wk", NAME, "-n", ns, "--wait=false"]);

    // The Wukong is gone only once the operator removed its finalizer, which it does after deleting our NADs:
    // the moment it is gone, our NAD is gone too (the garbage collector would only start on it now).
    const started = Date.now();
    await waitFor(() => getJsonOrUndefined(R.wukong, NAME, ns), {
      describe: `wk/${NAME} to be gone`,
      until: w => w === undefined,
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    expect(await list(R.nad, ns, `${WUKONG_LABEL}=${NAME}`)).toEqual([]);

    const left = await waitFor(childrenByKind, {
      describe: `every child of wk/${NAME} (by label) to be gone`,
      until: children => Object.values(children).every(names => names.length === 0),
      timeoutMs: 90_000,
      intervalMs: 1000,
    });
    expect(left).toEqual(Object.fromEntries(CHILD_KINDS.map(kind => [kind, []])));
    process.stderr.write(`journey 6: all children gone ${((Date.now() - started) / 1000).toFixed(1)} s after kubectl delete\n`);

    // The user's NAD was only used, never owned: it stays.
    expect(await getJsonOrUndefined(R.nad, USER_NAD, ns)).toBeDefined();
    // And nothing else of the Wukong's is in the namespace, labelled or not.
    const names = async (kind: string) => (await list(kind, ns)).map((o: Obj) => o.metadata.name);
    expect((await names(R.secret)).filter(n => n.startsWith(NAME))).toEqual([]);
    expect((await names(R.pvc)).filter(n => n.startsWith(NAME))).toEqual([]);
  });
});
