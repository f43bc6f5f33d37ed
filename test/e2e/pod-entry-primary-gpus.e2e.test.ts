// Journey: specs written for the original operator apply unchanged and converge: the pod network as a
// `- name: default` entry, physicalInterface, a primary network and GPUs. A GPU no node offers surfaces as
// Error with kube-scheduler's reason; each simulated node offers one nvidia.com/GA102GL_A10.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { R, apply, condition, createNamespace, deleteNamespace, getJson, kubectl, tryApply, waitForPhase, wukongManifest } from "./support/kube";

const SAMPLES = join(__dirname, "../../samples");
const sample = (file: string) => readFileSync(join(SAMPLES, file), "utf8");
let ns: string;

beforeAll(async () => {
  ns = await createNamespace("pod-entry-primary-gpus");
});
afterAll(async () => {
  await deleteNamespace(ns);
  // The sample's bridge policy is cluster-scoped and never removed by Wukong.
  await kubectl(["delete", "nodenetworkconfigurationpolicies.nmstate.io", "wukong-br-data-eth2", "--ignore-not-found"]);
});

describe("the pod network entry, physicalInterface, a primary network and GPUs", () => {
  test("samples/gpu.yaml (`- name: default`, physicalInterface, gpus) is admitted and runs with its GPU", async () => {
    await apply(ns, sample("gpu.yaml"));
    const stored = await getJson(R.wukong, "ml-worker-01", ns);
    // The pod network entry is stored as podNetwork: true.
    expect(stored.spec.podNetwork).toBe(true);
    expect(stored.spec.networks.map((n: { name: string }) => n.name)).toEqual(["data"]);

    const running = await waitForPhase(ns, "ml-worker-01", "Running", 120_000);
    expect(condition(running, "NetworksConfigured")).toMatchObject({ status: "True" });
    const vm = await getJson(R.vm, "ml-worker-01", ns);
    const template = vm.spec.template.spec;
    expect(template.domain.devices.gpus).toEqual([{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" }]);
    expect(template.networks.map((n: { name: string }) => n.name)).toEqual(["pod", "data"]);
    expect(template.networks[0]).toEqual({ name: "pod", pod: {} });
  });

  test("a GPU that no node offers leaves the VM unschedulable: Error with the scheduler's reason", async () => {
    await apply(
      ns,
      wukongManifest("no-gpu", {
        cpu: 2,
        memory: "2Gi",
        osImage: "docker://quay.io/containerdisks/cirros:0.6",
        gpus: [{ name: "t4", deviceName: "nvidia.com/TU104GL_Tesla_T4" }],
      }),
    );
    const failed = await waitForPhase(ns, "no-gpu", "Error", 60_000);
    expect(condition(failed, "Ready")).toMatchObject({ status: "False", reason: "ErrorUnschedulable" });
    expect(failed.status.message).toContain("Insufficient nvidia.com/TU104GL_Tesla_T4");
  });

  test("samples/primary-network.yaml runs with the bridge as the Multus default network and no pod interface", async () => {
    await apply(ns, sample("primary-network.yaml"));
    const stored = await getJson(R.wukong, "flat-01", ns);
    expect(stored.spec.podNetwork).toBe(false);
    await waitForPhase(ns, "flat-01", "Running", 90_000);
    const template = (await getJson(R.vm, "flat-01", ns)).spec.template.spec;
    expect(template.networks).toEqual([{ name: "lan", multus: { networkName: `${ns}/flat-01-lan`, default: true } }]);
    expect(template.domain.devices.interfaces).toEqual([{ name: "lan", bridge: {}, macAddress: stored.spec.networks[0].macAddress }]);
    expect(template.domain.devices.autoattachPodInterface).toBe(false);
  });

  test("the new fields' cross-field rules are all reported in one denial", async () => {
    const denied = await tryApply(
      ns,
      wukongManifest("wrong", {
        cpu: 1,
        memory: "1Gi",
        podNetwork: true,
        osImage: "docker://quay.io/containerdisks/cirros:0.6",
        networks: [
          { name: "a", type: "bridge", bridgeName: "br-wrong", primary: true, physicalInterface: "eth1" },
          { name: "b", type: "sriov", resourceName: "intel.com/vf", primary: true, physicalInterface: "eth3" },
          { name: "c", type: "bridge", bridgeName: "br-wrong", physicalInterface: "eth4" },
        ],
      }),
    );
    expect(denied.code).not.toBe(0);
    for (const fragment of [
      "spec.networks[1].physicalInterface: applies only to bridge and ovs networks",
      "spec.networks[1].primary: spec.networks[0] is already the primary network",
      "spec.podNetwork: true contradicts spec.networks[0].primary",
      "spec.networks[2].physicalInterface: eth4 differs from eth1, which spec.networks[0] already puts on bridge br-wrong",
      "spec.highAvailability.nodeSelector: is required with spec.networks[0].physicalInterface",
    ]) {
      expect(denied.stderr).toContain(fragment);
    }
  });

  test("the API server's schema refuses a NIC name over 15 characters and a GPU resource without a domain", async () => {
    const denied = await tryApply(
      ns,
      wukongManifest("wrong", {
        cpu: 1,
        memory: "1Gi",
        osImage: "docker://quay.io/containerdisks/cirros:0.6",
        networks: [{ name: "a", type: "bridge", physicalInterface: "eth-far-too-long0" }],
        gpus: [{ name: "gpu", deviceName: "gpu" }],
      }),
    );
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain("spec.networks[0].physicalInterface: Too long: may not be more than 15 bytes");
    expect(denied.stderr).toContain('spec.gpus[0].deviceName: Invalid value: "gpu"');
  });
});
