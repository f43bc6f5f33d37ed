// Specs shared by the schema and admission tests. Each call returns a fresh copy to mutate freely.
import type { WukongSpecInput } from "../../../schemas/wukong";

export const SEED_NAMESPACE = "default";
export const SEED_NAME = "web-server-01";

/** The README's seed example: must always be admitted. */
export function seedSpec(): WukongSpecInput {
  return {
    cpu: 4,
    memory: "8Gi",
    networks: [{ name: "mgmt", type: "bridge", vlanId: 100, ipConfig: { mode: "static", address: "192.168.100.10/24" } }],
    disks: [{ name: "system", size: "80Gi", storageClassName: "longhorn", boot: true }],
  };
}

/** Every field of the spec used at least once. */
export function fullSpec(): WukongSpecInput {
  return {
    cpu: 8,
    memory: "16Gi",
    osImage: "docker://quay.io/containerdisks/ubuntu:24.04",
    sshKeySecret: "ops-ssh-keys",
    cloudInitUser: {
      name: "ops",
      passwordHash: "$6$rounds=4096$salt$Xx8mN4x0p1qz",
      sudo: "ALL=(ALL) NOPASSWD:ALL",
      shell: "/bin/bash",
      groups: ["sudo", "adm"],
      lockPasswd: false,
    },
    cloudInit: { userData: "#cloud-config\npackages:\n  - nginx\nruncmd:\n  - systemctl enable --now nginx\n" },
    podNetwork: true,
    networks: [
      {
        name: "mgmt",
        type: "bridge",
        vlanId: 100,
        bridgeName: "br-mgmt",
        physicalInterface: "eth1",
        ipConfig: { mode: "static", address: "192.168.100.10/24", gateway: "192.168.100.1", dnsServers: ["192.168.100.2", "1.1.1.1"] },
      },
      { name: "storage", type: "ovs", vlanId: 200, bridgeName: "ovs-br1", primary: false, ipConfig: { mode: "dhcp" } },
      { name: "fast", type: "sriov", resourceName: "intel.com/sriov_netdevice", vlanId: 300, macAddress: "02:aa:bb:cc:dd:ee" },
      { name: "legacy", type: "bridge", nadName: "existing-net", ipConfig: { mode: "static", address: "10.10.0.5/16" } },
    ],
    disks: [
      { name: "system", size: "80Gi", storageClassName: "longhorn", boot: true, image: "docker://quay.io/containerdisks/ubuntu:24.04" },
      { name: "data", size: "1.5Ti", storageClassName: "fast-ssd", image: "oci-archive:/images/data.tar", retainOnDelete: true },
      { name: "iso", size: "4Gi", image: "https://images.example.com/tools.qcow2" },
      { name: "scratch", size: "512Mi", accessMode: "ReadWriteMany" },
    ],
    gpus: [{ name: "gpu1", deviceName: "nvidia.com/GA102GL_A10" }],
    limits: { maxCpu: 32, maxMemory: "64Gi" },
    updates: { restartWhenRequired: true },
    highAvailability: {
      restartPolicy: "OnFailure",
      antiAffinity: true,
      nodeSelector: { "node-role.kubernetes.io/worker": "", "kubevirt.io/schedulable": "true" },
      tolerations: [
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "dedicated", operator: "Equal", value: "vms", effect: "NoSchedule" },
        { operator: "Exists" },
      ],
    },
    startStrategy: { autoStart: true, runStrategy: "RerunOnFailure" },
    restoreFromSnapshot: "before-upgrade",
    evictionStrategy: "LiveMigrateIfPossible",
  };
}

/** A plain clone for tests that build broken specs from valid ones. */
export const clone = <T>(value: T): T => structuredClone(value);
