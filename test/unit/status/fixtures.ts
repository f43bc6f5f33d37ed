// A Wukong with every kind of child (a generated NAD, a user NAD, an imported and a blank disk) and
// builders for the states its children go through.
import type { WukongSpec } from "../../../schemas/spec";
import type { WukongStatus } from "../../../schemas/status";
import type { Wukong } from "../../../schemas/wukong";
import type {
  ObservedChildren,
  ObservedCondition,
  ObservedDataVolume,
  ObservedPersistentVolumeClaim,
  ObservedVirtualMachine,
  ObservedVirtualMachineInstance,
} from "../../../lib/status/observed";

export const NAME = "web-server-01";
export const NAMESPACE = "vms";
export const EARLIER = "2026-01-01T00:00:00Z";
export const NOW = "2026-01-01T00:05:00Z";
export const PASSWORD = "hunter2-very-secret";
export const USER_DATA = "#cloud-config\nwrite_files: [{path: /etc/token, content: s3cr3t-token}]";
export const IMAGE = "http://images.example/jammy.qcow2";

export function spec(overrides: Partial<WukongSpec> = {}): WukongSpec {
  return {
    cpu: 2,
    memory: "4Gi",
    podNetwork: true,
    cloudInitUser: { name: "ops", password: PASSWORD },
    cloudInit: { userData: USER_DATA },
    networks: [
      { name: "mgmt", type: "bridge", macAddress: "02:aa:bb:00:00:02", ipConfig: { mode: "static", address: "192.168.100.10/24" } },
      { name: "storage", type: "sriov", resourceName: "intel.com/sriov", nadName: "shared-storage", macAddress: "02:aa:bb:00:00:03" },
    ],
    disks: [
      { name: "system", size: "20Gi", boot: true, image: IMAGE },
      { name: "data", size: "100Gi", storageClassName: "fast", boot: false },
    ],
    startStrategy: { runStrategy: "Always" },
    ...overrides,
  };
}

export function wukong(overrides: Partial<WukongSpec> = {}, status?: WukongStatus): Wukong {
  return { metadata: { name: NAME, namespace: NAMESPACE, uid: "u-1", generation: 3 }, spec: spec(overrides), ...(status && { status }) };
}

export const cond = (type: string, status: string, reason?: string, message?: string): ObservedCondition => ({ type, status, reason, message });
export const dv = (phase: string, progress?: string, conditions?: ObservedCondition[]): ObservedDataVolume => ({ status: { phase, progress, conditions } });
export const pvc = (phase: string, storage?: string): ObservedPersistentVolumeClaim => ({ status: { phase, ...(storage && { capacity: { storage } }) } });
export const vm = (printableStatus?: string, conditions: ObservedCondition[] = []): ObservedVirtualMachine => ({ status: { printableStatus, conditions } });
export const vmi = (phase: string, extra: NonNullable<ObservedVirtualMachineInstance["status"]> = {}): ObservedVirtualMachineInstance => ({
  status: { phase, ...extra },
});

export const NADS_READY = [
  { name: `${NAME}-mgmt`, exists: true },
  { name: "shared-storage", exists: true },
];
export const VOLUMES_READY = {
  dataVolumes: { system: dv("Succeeded", "100.0%") },
  pvcs: { system: pvc("Bound", "21Gi"), data: pvc("Bound", "100Gi") },
};
export const RUNNING_INTERFACES = [
  { name: "mgmt", interfaceName: "enp2s0", ipAddresses: ["192.168.100.10/24", "fe80::aa:bbff:fe00:2/64"], mac: "02:aa:bb:00:00:02" },
  { name: "pod", interfaceName: "enp1s0", ipAddress: "10.244.1.17", ipAddresses: ["10.244.1.17"], mac: "02:5E:11:22:33:44" },
];

/** Nothing made yet: our NAD missing, the user's NAD present. */
export function observed(overrides: Partial<ObservedChildren> = {}): ObservedChildren {
  return {
    nads: [
      { name: `${NAME}-mgmt`, exists: false },
      { name: "shared-storage", exists: true },
    ],
    dataVolumes: {},
    pvcs: {},
    childErrors: [],
    ...overrides,
  };
}

/** Everything made and bound, the VM as given. */
export function provisioned(overrides: Partial<ObservedChildren> = {}): ObservedChildren {
  return observed({ nads: NADS_READY, ...VOLUMES_READY, virtualMachine: vm("Starting"), ...overrides });
}

export function running(overrides: Partial<ObservedChildren> = {}): ObservedChildren {
  return provisioned({
    virtualMachine: vm("Running", [cond("Ready", "True")]),
    virtualMachineInstance: vmi("Running", { nodeName: "sim-node-1", interfaces: RUNNING_INTERFACES }),
    ...overrides,
  });
}
