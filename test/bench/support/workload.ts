// The benchmark workload: N Wukongs of one realistic shape, and the children the operator would build for each.
//   - networks: a static NIC on VLAN 100 (one unique address per index in 10.100.0.0/16, with the gateway and DNS)
//     and a DHCP NIC on a second bridge;
//   - disks: a boot disk imported by CDI from a registry and a blank data disk;
//   - a cloud-init user with a password hash, so the cloud-init Secret carries a user and network config.
import { desiredChildren } from "../../../lib/children";
import type { KubernetesObject } from "../../../lib/children/kubernetes-object";
import { withDefaults } from "../../../lib/defaults";
import { validateWukong } from "../../../schemas/validate";
import { API_VERSION, LABELS, type Wukong } from "../../../schemas/wukong";
import type { KubeObject } from "../../support/kube-client";
import type { KindName } from "./kube";

export const MAX_SIZE = 60_000; // unique static addresses in the /16 (minus the gateway)

export const nameOf = (index: number) => `wk-${String(index).padStart(4, "0")}`;

/** Wukong number `index` (1-based) as a user would write it. */
export function wukong(namespace: string, index: number): Wukong & { metadata: { name: string; namespace: string } } {
  if (index < 1 || index > MAX_SIZE) throw new Error(`index ${index} out of 1..${MAX_SIZE}`);
  const host = index + 1; // 10.100.0.1 is the gateway
  return {
    apiVersion: API_VERSION,
    kind: "Wukong",
    metadata: { name: nameOf(index), namespace },
    spec: {
      cpu: 2,
      memory: "2Gi",
      cloudInitUser: {
        name: "ops",
        passwordHash: "$6$rounds=4096$bench$0NCd3o0Lb8C5HhyJ0KqfF8RXBDOFMzJtnvDRn0cb5Zx7xHhw7u5/9lC3Ko4V1x0dA9sVpJ9a6BvO6yXz8c7tW/",
      },
      networks: [
        {
          name: "mgmt",
          type: "bridge",
          vlanId: 100,
          bridgeName: "br-mgmt",
          ipConfig: { mode: "static", address: `10.100.${host >> 8}.${host & 255}/16`, gateway: "10.100.0.1", dnsServers: ["10.100.0.1"] },
        },
        { name: "data", type: "bridge", bridgeName: "br-data", ipConfig: { mode: "dhcp" } },
      ],
      disks: [
        { name: "system", size: "10Gi", boot: true, image: "docker://quay.io/containerdisks/fedora:40" },
        { name: "scratch", size: "5Gi" },
      ],
    },
  };
}

/** Fails early (before anything is created) if the workload would not pass admission's own rules. */
export function checkWorkload(namespace: string, size: number): void {
  for (const index of [1, size]) {
    const w = wukong(namespace, index);
    const problems = validateWukong({ name: w.metadata.name, spec: w.spec });
    if (problems.length > 0) throw new Error(`workload Wukong ${index} is invalid: ${JSON.stringify(problems)}`);
  }
}

export interface FloorStep {
  kind: KindName;
  object: KubeObject;
}

/**
 * What the operator applies for Wukong `index`, in its order (NADs → volumes → Secret → VM), built by the operator's
 * own builders from the Wukong as admission defaults it, but with no ownerReference and without the
 * vm.novasphere.dev/wukong label, so that an operator watching the cluster ignores them and the garbage collector
 * leaves them alone (run.sh runs the floor while no operator is running anyway). The same real virt-controller,
 * cdi-controller and kube-scheduler, and the same simulated nodes, take them from there as for the operator's.
 */
export function floorSteps(namespace: string, index: number): FloorStep[] {
  const w = wukong(namespace, index);
  const spec = withDefaults({ namespace, name: w.metadata.name, spec: w.spec! });
  const children = desiredChildren({ ...w, metadata: { ...w.metadata, uid: `00000000-0000-4000-8000-${String(index).padStart(12, "0")}` }, spec }, {});
  const plain = (object: KubernetesObject): KubeObject => {
    const { ownerReferences: _owners, ...metadata } = object.metadata;
    return withoutWukongLabel({ ...object, metadata }) as KubeObject;
  };
  return [
    ...children.networkAttachmentDefinitions.map(o => ({ kind: "NetworkAttachmentDefinition" as const, object: plain(o) })),
    ...children.dataVolumes.map(o => ({ kind: "DataVolume" as const, object: plain(o) })),
    ...children.persistentVolumeClaims.map(o => ({ kind: "PersistentVolumeClaim" as const, object: plain(o) })),
    { kind: "Secret", object: plain(children.cloudInitSecret) },
    { kind: "VirtualMachine", object: plain(children.virtualMachine) },
  ];
}

/** A copy without the vm.novasphere.dev/wukong label in any `labels` map (the VM's template labels its VMI too). */
function withoutWukongLabel(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutWukongLabel);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => {
      if (key === "labels" && inner && typeof inner === "object") {
        const { [LABELS.wukong]: _dropped, ...rest } = inner as Record<string, string>;
        return [key, rest];
      }
      return [key, withoutWukongLabel(inner)];
    }),
  );
}

/** Children per Wukong of this shape: 2 NADs, 1 DataVolume, 1 PVC, 1 Secret, 1 VirtualMachine. */
export const CHILDREN_PER_WUKONG = 6;
