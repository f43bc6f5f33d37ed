// Journey 8: what kubectl shows a user: `kubectl wait` on the Ready condition, the printer columns of
// `kubectl get wk`, and `kubectl explain` with our field descriptions.
import { apply, createNamespace, deleteNamespace, kubectl, kubectlOk, wukongManifest } from "./support/kube";

const NAME = "ux-vm";
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("ux");
});
afterAll(async () => {
  await deleteNamespace(ns);
});

describe("journey 8: kubectl wait, get and explain", () => {
  test("kubectl wait --for=condition=Ready succeeds once the VM runs", async () => {
    await apply(
      ns,
      wukongManifest(NAME, {
        cpu: 2,
        memory: "3Gi",
        networks: [{ name: "mgmt", type: "bridge", vlanId: 800, ipConfig: { mode: "static", address: "10.80.0.10/24", gateway: "10.80.0.1" } }],
        disks: [{ name: "system", size: "10Gi" }],
      }),
    );
    const result = await kubectl(["wait", "--for=condition=Ready", `wk/${NAME}`, "-n", ns, "--timeout=120s"], { timeoutMs: 130_000 });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`wukong.vm.novasphere.dev/${NAME} condition met`);
  });

  test("kubectl get wk shows NAME PHASE CPU MEMORY IP NODE AGE, filled in", async () => {
    const out = await kubectlOk(["get", "wk", "-n", ns]);
    const [header, row, ...rest] = out.trim().split("\n");
    expect(header.trim().split(/\s+/)).toEqual(["NAME", "PHASE", "CPU", "MEMORY", "IP", "NODE", "AGE"]);
    expect(rest).toEqual([]);
    const cells = row.trim().split(/\s+/);
    expect(cells.slice(0, 5)).toEqual([NAME, "Running", "2", "3Gi", "10.80.0.10"]);
    expect(["sim-node-1", "sim-node-2"]).toContain(cells[5]); // where kube-scheduler put it
    expect(cells[6]).toMatch(/^\d+(s|m)/);
    // The short name and the category: `kubectl get all` lists Wukongs too.
    expect(await kubectlOk(["get", "all", "-n", ns, "-o", "name"])).toContain(`wukong.vm.novasphere.dev/${NAME}`);
  });

  test("kubectl explain wukong.spec.networks prints our field descriptions", async () => {
    // kubectl wraps descriptions at 80 columns: compare with whitespace folded.
    const flat = (text: string) => text.replace(/\s+/g, " ");
    const out = flat(await kubectlOk(["explain", "wukong.spec.networks"]));
    expect(out).toContain("GROUP: vm.novasphere.dev KIND: Wukong VERSION: v1alpha1");
    expect(out).toContain("FIELD: networks <[]Object>");
    expect(out).toContain("Secondary networks, each an interface of the VM.");
    expect(out).toContain("type <string> enum: bridge, sriov, ovs");
    expect(out).toContain("Required, except for the entry `- name: default`");
    expect(out).toContain("macvlan is denied: KubeVirt cannot bind it to a VM.");
    expect(out).toContain("802.1Q VLAN ID, 1..4094");
    expect(out).toContain("Defaulted at admission to a stable locally administered address");

    const deeper = flat(await kubectlOk(["explain", "wk.spec.networks.ipConfig.mode"]));
    expect(deeper).toContain("ENUM: static dhcp");
    expect(deeper).toContain("Defaults to dhcp.");
  });
});
