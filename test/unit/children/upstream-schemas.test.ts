// Every built object must pass the API server's strict field validation: checked here against the upstream CRDs
// (KubeVirt v1.7, CDI v1.66, Multus v4.3) and the core/v1 models, unknown fields rejected.
import { desiredChildren } from "../../../lib/children";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import type { Wukong } from "../../../schemas/wukong";
import { wukong } from "./fixtures";
import { strictProblems } from "./strict-schema";

const everything: Record<string, Wukong> = {
  seed: wukong("web-server-01", {
    cpu: 4,
    memory: "8Gi",
    networks: [{ name: "mgmt", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.10/24" } }],
    disks: [{ name: "system", size: "80Gi", storageClassName: "longhorn", boot: true }],
  }),
  full: wukong(
    "edge-router",
    {
      cpu: 8,
      memory: "16Gi",
      osImage: "docker://quay.io/containerdisks/fedora:41",
      sshKeySecret: "admin-keys",
      cloudInitUser: { name: "ops", password: "pw", sudo: "ALL=(ALL) NOPASSWD:ALL", groups: ["wheel"] },
      cloudInit: { userData: "packages: [htop]\n" },
      networks: [
        { name: "lan", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "10.0.0.2/24", gateway: "10.0.0.1", dnsServers: ["10.0.0.1"] } },
        { name: "sto", type: "ovs", bridgeName: "br-ovs", vlanId: 7 },
        { name: "fast", type: "sriov", resourceName: "intel.com/sriov_netdevice" },
        { name: "corp", type: "bridge", nadName: "corp-net" },
      ],
      disks: [
        { name: "system", size: "40Gi", boot: true },
        { name: "oci", size: "1Gi", image: "oci-archive:/images/tools.tar" },
        { name: "web", size: "10Gi", image: "https://images.example.com/disk.qcow2", storageClassName: "fast" },
        { name: "data", size: "100Gi" },
      ],
      highAvailability: {
        antiAffinity: true,
        restartPolicy: "OnFailure",
        nodeSelector: { "topology.kubernetes.io/zone": "a" },
        tolerations: [{ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 30 }],
      },
    },
    { namespace: "prod", labels: { "vm.novasphere.dev/ha-group": "routers" } },
  ),
  stoppedWithoutPodNetwork: wukong("quiet", {
    cpu: 1,
    memory: "512Mi",
    podNetwork: false,
    startStrategy: { runStrategy: "Halted" },
    cloudInit: { userDataSecretRef: { name: "my-userdata" } },
    networks: [{ name: "only", type: "bridge" }],
    disks: [{ name: "system", size: "1Gi", image: "docker://a/b:c" }],
  }),
};

function allChildren(owner: Wukong): KubernetesObject[] {
  const children = desiredChildren(owner, { defaultStorageClass: "standard" });
  return [
    ...children.networkAttachmentDefinitions,
    ...children.dataVolumes,
    ...children.persistentVolumeClaims,
    children.cloudInitSecret,
    children.virtualMachine,
  ];
}

const cases = Object.entries(everything).flatMap(([title, owner]) =>
  allChildren(owner).map(object => [`${title}: ${object.kind} ${object.metadata.name}`, object] as const),
);

describe("built objects pass strict validation against the upstream schemas", () => {
  it("covers every kind", () => {
    expect(new Set(cases.map(([, object]) => object.kind))).toEqual(
      new Set(["NetworkAttachmentDefinition", "DataVolume", "PersistentVolumeClaim", "Secret", "VirtualMachine"]),
    );
  });

  it.each(cases)("%s", (_title, object) => {
    expect(strictProblems(object)).toEqual([]);
  });
});

describe("the checker rejects what the API server would", () => {
  const [seedVm, seedNad, seedSecret, seedPvc] = (() => {
    const children = desiredChildren(everything.seed, {});
    return [children.virtualMachine, children.networkAttachmentDefinitions[0], children.cloudInitSecret, children.persistentVolumeClaims[0]];
  })();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reach into arbitrary upstream fields
  const edit = (object: KubernetesObject, change: (copy: any) => void) => {
    const copy = structuredClone(object);
    change(copy);
    return strictProblems(copy);
  };

  it("an unknown field deep in the VM template", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.cpu.bogus = 1))).toEqual([expect.stringContaining("(bogus)")]);
  });

  it("an unknown field in an empty-object binding (masquerade: {})", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.devices.interfaces[0].masquerade = { x: true }))).toEqual([expect.stringContaining("(x)")]);
  });

  it("a wrong type and a missing required field", () => {
    expect(edit(seedVm, vm => (vm.spec.template.spec.domain.cpu.cores = "4"))).not.toEqual([]);
    expect(edit(seedVm, vm => delete vm.spec.template.spec.volumes[0].persistentVolumeClaim.claimName)).not.toEqual([]);
  });

  it("NAD spec fields other than config, and unknown metadata", () => {
    expect(edit(seedNad, nad => (nad.spec.ipam = {}))).toEqual([expect.stringContaining("(ipam)")]);
    expect(edit(seedNad, nad => (nad.metadata.owner = "x"))).toEqual(['/metadata: unknown field "owner"']);
  });

  it("unknown fields in core objects", () => {
    expect(edit(seedSecret, secret => (secret.stringdata = {}))).toEqual([': unknown field "stringdata"']);
    expect(edit(seedPvc, pvc => (pvc.spec.resources.request = {}))).toEqual(['/spec/resources: unknown field "request"']);
  });
});
