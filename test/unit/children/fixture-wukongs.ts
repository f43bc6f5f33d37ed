// Wukongs that use every field, shared by the tests that check built children against upstream schemas and
// against the guest's real cloud-init (test/host/cloud-init-conformance.test.ts).
import type { Wukong } from "../../../schemas/wukong";
import { wukong } from "./fixtures";

export const FIXTURE_WUKONGS: Record<string, Wukong> = {
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
