// API discovery of the optional APIs (served only with every resource we need) and the nodes' device resources.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parse } from "yaml";
import { nodeResources, restoreSpecFields, servedApis } from "../../../capabilities/runtime/discovery";
import type { ApiRequester } from "../../../capabilities/runtime/kube-client";
import { KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API, kubeVirtConfig, NODE_NETWORK_API, RESTORE_SPEC_FIELDS } from "../../../lib/cluster/features";

const notFound = { status: 404, statusText: "NotFound", data: { kind: "Status", reason: "NotFound" } };

function api(answers: Record<string, unknown>): ApiRequester {
  return {
    async request<T>(_method: string, path: string): Promise<T> {
      if (!(path in answers)) throw notFound;
      const answer = answers[path];
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
  };
}

const resources = (...names: string[]) => ({ resources: names.map(name => ({ name })) });

describe("discovery of the optional APIs", () => {
  it("finds what a KubeVirt v1.7.4 cluster with NMState serves", async () => {
    const served = await servedApis(
      api({
        [`/apis/${KUBEVIRT_SNAPSHOT_API}`]: resources("virtualmachinesnapshots", "virtualmachinesnapshotcontents", "virtualmachinerestores"),
        [`/apis/${NODE_NETWORK_API}`]: resources("nodenetworkconfigurationpolicies"),
        [`/apis/${KUBEVIRT_CONFIG_API}`]: resources("kubevirts", "virtualmachines", "virtualmachineinstancemigrations"),
      }),
    );
    expect(served).toEqual(new Set([KUBEVIRT_SNAPSHOT_API, NODE_NETWORK_API, KUBEVIRT_CONFIG_API]));
  });

  it("finds none on KubeVirt v1.2 without NMState (v1alpha1 snapshots only), and no kubevirts in kubevirt.io/v1", async () => {
    const served = await servedApis(
      api({ "/apis/snapshot.kubevirt.io/v1alpha1": resources("virtualmachinesnapshots"), [`/apis/${KUBEVIRT_CONFIG_API}`]: resources("virtualmachines") }),
    );
    expect(served).toEqual(new Set());
  });

  it("passes on an error other than NotFound (the caller retries; nothing is assumed)", async () => {
    await expect(servedApis(api({ [`/apis/${KUBEVIRT_SNAPSHOT_API}`]: new Error("connection refused") }))).rejects.toThrow("connection refused");
  });

  it("reads the served VirtualMachineRestore's spec fields from its CRD, at v1beta1 only, and none when it cannot", async () => {
    const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/virtualmachinerestores.snapshot.kubevirt.io";
    // The upstream CRDs: KubeVirt v1.7.4 (../shared/crds) and v1.1.0 (v1alpha1 only: test/fixtures/crds/oldest).
    const newest = parse(readFileSync(join(__dirname, "../../../../shared/crds/kubevirt-virtualmachinerestores.yaml"), "utf8"));
    const oldest = parse(gunzipSync(readFileSync(join(__dirname, "../../fixtures/crds/oldest/kubevirt-virtualmachinerestores.yaml.gz"))).toString());
    expect(await restoreSpecFields(api({ [path]: newest }))).toEqual(
      new Set([...RESTORE_SPEC_FIELDS, "patches", "target", "targetReadinessPolicy", "virtualMachineSnapshotName"]),
    );
    expect(await restoreSpecFields(api({ [path]: oldest }))).toBeUndefined();
    expect(await restoreSpecFields(api({}))).toBeUndefined();
    // Unreadable is not "without the fields": the controller's discovery retries sooner and keeps its last answer.
    await expect(restoreSpecFields(api({ [path]: new Error("forbidden") }))).rejects.toThrow("forbidden");
  });

  it("collects the extended resources nodes offer, not the ones at zero nor the core ones", async () => {
    const nodes = {
      items: [
        { status: { allocatable: { cpu: "8", memory: "32Gi", "nvidia.com/gpu": "2", "devices.kubevirt.io/kvm": "1k" } } },
        { status: { allocatable: { "intel.com/sriov_netdevice": "0", "hugepages-2Mi": "0" } } },
        {},
      ],
    };
    expect(await nodeResources(api({ "/api/v1/nodes": nodes }))).toEqual(new Set(["nvidia.com/gpu", "devices.kubevirt.io/kvm"]));
  });
});

describe("the KubeVirt CR's feature gates", () => {
  it("come from spec.configuration.developerConfiguration.featureGates of the KubeVirt CR not being deleted", () => {
    expect(
      kubeVirtConfig([
        { metadata: { name: "old", namespace: "kubevirt", deletionTimestamp: "2026-12-07T00:00:00Z" }, spec: {} },
        { metadata: { name: "kubevirt", namespace: "kubevirt" }, spec: { configuration: { developerConfiguration: { featureGates: ["Snapshot", 3] } } } },
      ]),
    ).toEqual({
      featureGates: new Set(["Snapshot"]),
      kubeVirt: { namespace: "kubevirt", name: "kubevirt" },
      liveUpdate: { rolloutStrategy: "LiveUpdate", liveMigrateUpdates: false },
    });
  });

  // kubevirt v1.7.4: vmRolloutStrategy defaults to LiveUpdate (pkg/virt-config/virt-config.go,
  // IsVMRolloutStrategyLiveUpdate), and the workload updater migrates for a hot-plug only with LiveMigrate listed
  // (pkg/virt-controller/watch/workload-updater/workload-updater.go, getUpdateData).
  it("the live-update settings: vmRolloutStrategy (LiveUpdate unless Stage) and whether LiveMigrate is a workload update method", () => {
    const config = (spec: object) => kubeVirtConfig([{ metadata: { name: "kubevirt", namespace: "kubevirt" }, spec }]).liveUpdate;
    expect(config({})).toEqual({ rolloutStrategy: "LiveUpdate", liveMigrateUpdates: false });
    expect(config({ configuration: { vmRolloutStrategy: "Stage" }, workloadUpdateStrategy: { workloadUpdateMethods: ["Evict"] } })).toEqual({
      rolloutStrategy: "Stage",
      liveMigrateUpdates: false,
    });
    expect(config({ configuration: { vmRolloutStrategy: "LiveUpdate" }, workloadUpdateStrategy: { workloadUpdateMethods: ["LiveMigrate", "Evict"] } })).toEqual(
      {
        rolloutStrategy: "LiveUpdate",
        liveMigrateUpdates: true,
      },
    );
  });

  it("are all off in a KubeVirt CR that lists none, and unknown without a KubeVirt CR", () => {
    expect(kubeVirtConfig([{ metadata: { name: "kubevirt", namespace: "kubevirt" } }]).featureGates).toEqual(new Set());
    expect(kubeVirtConfig([])).toEqual({});
  });
});
