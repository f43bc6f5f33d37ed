// The Wukong spec: every field declared once, with the description `kubectl explain` shows. The networks' fields
// are declared in their own folder (networks/network.ts) and composed here.
import { z } from "zod";
import { d, dnsLabel, imageUrl, labelKey, labelValue, listMap, objectName, resourceName, sizeQuantity } from "./fields";
import { LIMITS } from "./limits";
import { Networks, ONE_GATEWAY_RULE, PodNetwork } from "./networks/network";
import { Limits, MAX_CPU_RULE, MAX_MEMORY_RULE, Updates } from "./resize";

export const RUN_STRATEGIES = ["Always", "Halted", "Manual", "RerunOnFailure", "Once"] as const;
export const RESTART_POLICIES = ["Always", "OnFailure", "Never"] as const;
export const ACCESS_MODES = ["ReadWriteOnce", "ReadWriteMany"] as const;
/** KubeVirt's eviction strategies (kubevirt.io/api core/v1 EvictionStrategy) a Wukong offers; External needs a controller of its own. */
export const EVICTION_STRATEGIES = ["LiveMigrate", "LiveMigrateIfPossible", "None"] as const;

/** What highAvailability.restartPolicy means in KubeVirt terms; these are the run strategies that start the VM. */
export const RUN_STRATEGY_OF_RESTART_POLICY = { Always: "Always", OnFailure: "RerunOnFailure", Never: "Once" } as const;
export const STARTING_RUN_STRATEGIES: readonly string[] = Object.values(RUN_STRATEGY_OF_RESTART_POLICY);

/** Live migration needs every claim shared (kubevirt v1.7.4 pkg/virt-handler/vm.go, checkVolumesForMigration). */
export const LIVE_MIGRATE_NEEDS_SHARED_DISKS = "LiveMigrate needs every disk's accessMode ReadWriteMany";

export const Gpu = z
  .strictObject({
    name: dnsLabel("GPU name").meta(d("The GPU's name in the VM: a DNS-1123 label, unique within the Wukong.")),
    deviceName: resourceName.meta(
      d("The device-plugin resource that offers the GPU, e.g. nvidia.com/gpu or nvidia.com/GA102GL_A10 (a qualified name with a domain prefix)."),
    ),
  })
  .meta(d("A GPU passed through to the VM (KubeVirt domain.devices.gpus)."));

export const Disk = z
  .strictObject({
    name: dnsLabel("disk name").meta(d("Disk name: a DNS-1123 label, unique within the Wukong; the DataVolume or PVC is `<wukong>-<disk>`.")),
    size: sizeQuantity(LIMITS.minDiskSize, LIMITS.maxDiskSize).meta(
      d("Disk size, a Kubernetes quantity of at least 1Mi (e.g. 80Gi). May grow after creation (the StorageClass must allow expansion); never shrink."),
    ),
    storageClassName: objectName("storageClassName").optional().meta(d("StorageClass for the volume; the cluster default when absent. Immutable.")),
    boot: z
      .boolean()
      .optional()
      .meta(d("Boot from this disk (bootOrder 1). Exactly one disk boots; when none is marked, admission marks the first. Immutable.")),
    image: imageUrl
      .optional()
      .meta(
        d(
          "Image imported into the disk by CDI: docker://registry/image:tag or oci-archive:... (registry source) or http(s)://host/disk.qcow2 (http source). Without it the disk is blank (a PVC). Immutable.",
        ),
      ),
    accessMode: z
      .enum(ACCESS_MODES)
      .optional()
      .meta(
        d(
          "ReadWriteOnce (default) or ReadWriteMany. A VM live-migrates only when every disk is ReadWriteMany, on a StorageClass that offers it (e.g. NFS or CephFS): KubeVirt's virt-handler reports a VM with a ReadWriteOnce claim not LiveMigratable (DisksNotLiveMigratable). Immutable.",
        ),
      ),
    retainOnDelete: z
      .boolean()
      .optional()
      .meta(
        d(
          "Keep the disk's volume when the Wukong is deleted (default false: it is deleted with the Wukong). The PVC (for an imported disk, its DataVolume, which owns the PVC) carries no ownerReference to the Wukong, only the annotation vm.novasphere.dev/owner-uid, so no deletion (--cascade=foreground included) lets the garbage collector take it; on deletion it gets the label vm.novasphere.dev/retained-from=<wukong>, and a new Wukong of the same name adopts it for the disk of the same name.",
        ),
      ),
  })
  .meta(d("A disk of the VM, backed by a CDI DataVolume (with an image) or a PersistentVolumeClaim (blank)."));

export const CloudInitUser = z
  .strictObject({
    name: z
      .string()
      .min(1, "must not be empty")
      .max(32, "must be at most 32 characters (a Linux user name)")
      .regex(/^[a-z_][a-z0-9_-]*[$]?$/, "must be a Linux user name: lower-case letters, digits, '_' and '-', not starting with a digit")
      .meta(d("Login user created by cloud-init.")),
    passwordHash: z
      .string()
      .min(1)
      .max(512)
      .optional()
      .meta(d("crypt(3) password hash (e.g. from `mkpasswd -m sha-512`). Preferred to password. Written only into the generated cloud-init Secret.")),
    password: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .meta(
        d(
          "Plain password; accepted for convenience but prefer passwordHash. Written only into the generated cloud-init Secret, never inline in the VirtualMachine.",
        ),
      ),
    sudo: z.string().max(256).optional().meta(d('sudoers rule, e.g. "ALL=(ALL) NOPASSWD:ALL".')),
    shell: z
      .string()
      .max(256)
      .regex(/^\/\S*$/, "must be an absolute path such as /bin/bash")
      .optional()
      .meta(d("Login shell, e.g. /bin/bash.")),
    groups: z
      .array(
        z
          .string()
          .min(1)
          .max(32)
          .regex(/^[a-z_][a-z0-9_-]*$/, "must be a Linux group name"),
      )
      .max(LIMITS.maxGroups)
      .optional()
      .meta(d("Supplementary groups, e.g. [sudo, adm].")),
    lockPasswd: z.boolean().optional().meta(d("Lock password login (cloud-init lock_passwd). Default true when no password is given.")),
  })
  .meta(d("The guest's login user, created by cloud-init."));

export const CloudInit = z
  .strictObject({
    userData: z
      .string()
      .max(LIMITS.maxUserDataBytes, `must be at most ${LIMITS.maxUserDataBytes} characters`)
      .optional()
      .meta(
        d(
          "Custom cloud-config (YAML, optionally starting with #cloud-config) merged with the generated one: top-level keys of userData win, except `users`, `ssh_authorized_keys`, `packages` and `runcmd`, whose lists are appended after the generated entries.",
        ),
      ),
    userDataSecretRef: z
      .strictObject({ name: objectName("userDataSecretRef.name").meta(d("Secret name (same namespace); its `userdata` key is used verbatim.")) })
      .optional()
      .meta(
        d(
          "A Secret whose `userdata` key is the complete user data, used verbatim (cloudInitUser and sshKeySecret are then not applied to user data). Exclusive with userData.",
        ),
      ),
  })
  .meta({
    ...d("Custom cloud-init user data."),
    "x-kubernetes-validations": [
      {
        rule: "!(has(self.userData) && has(self.userDataSecretRef))",
        message: "userData and userDataSecretRef are mutually exclusive",
        fieldPath: ".userDataSecretRef",
        reason: "FieldValueForbidden",
      },
    ],
  });

export const Toleration = z
  .strictObject({
    key: labelKey.optional().meta(d("Taint key the toleration applies to; empty with operator Exists matches all taints.")),
    operator: z.enum(["Exists", "Equal"]).optional().meta(d("Exists or Equal (default Equal).")),
    value: labelValue.optional().meta(d("Taint value to match with operator Equal; must be empty with Exists.")),
    effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional().meta(d("Taint effect to match; empty matches all effects.")),
    tolerationSeconds: z
      .number()
      .int("must be an integer")
      .optional()
      .meta({ ...d("How long the VM stays bound to a node tainted NoExecute before eviction; only with effect NoExecute."), format: "int64" }),
  })
  .meta(d("A core/v1 Toleration, passed to the VirtualMachine's template."));

export const HighAvailability = z
  .strictObject({
    restartPolicy: z
      .enum(RESTART_POLICIES)
      .optional()
      .meta(d("Restart behaviour mapped to KubeVirt runStrategy: Always → Always, OnFailure → RerunOnFailure, Never → Once.")),
    antiAffinity: z
      .boolean()
      .optional()
      .meta(
        d(
          "Prefer nodes that run no related VM: related means other Wukong VMs in the same namespace with antiAffinity true and the same `vm.novasphere.dev/ha-group` label (absent counts as one group).",
        ),
      ),
    nodeSelector: z.record(labelKey, labelValue).optional().meta(d("Node labels the VM must be scheduled on.")),
    tolerations: z
      .array(Toleration)
      .max(LIMITS.maxTolerations)
      .optional()
      .meta(d("Tolerations for tainted nodes (core/v1 Toleration, tolerationSeconds included).")),
  })
  .meta(d("Placement and restart behaviour."));

export const StartStrategy = z
  .strictObject({
    runStrategy: z
      .enum(RUN_STRATEGIES)
      .optional()
      .meta(
        d(
          "KubeVirt runStrategy: Always, Halted, Manual, RerunOnFailure or Once. Defaulted at admission: Halted when autoStart is false, else from highAvailability.restartPolicy, else Always.",
        ),
      ),
    autoStart: z.boolean().optional().meta(d("Start the VM when created. false means Halted (or Manual); a contradiction with runStrategy is denied.")),
  })
  .meta(d("Whether and how the VM runs."));

export const WukongSpec = z
  .strictObject({
    cpu: z
      .number()
      .int("must be an integer number of cores")
      .min(1, "must be at least 1")
      .max(LIMITS.maxCpu, `must be at most ${LIMITS.maxCpu}`)
      .meta(
        d(
          `vCPUs, 1..${LIMITS.maxCpu}, each a socket of one core (domain.cpu.sockets: KubeVirt hot-plugs sockets). Grows live up to limits.maxCpu; shrinking needs a restart.`,
        ),
      ),
    memory: sizeQuantity(LIMITS.minMemory, LIMITS.maxMemory).meta(
      d(
        "Guest memory, a Kubernetes quantity of at least 128Mi (e.g. 8Gi); sets domain.memory.guest (the launcher pod requests it plus KubeVirt's overhead). Grows live up to limits.maxMemory; shrinking needs a restart.",
      ),
    ),
    osImage: imageUrl
      .optional()
      .meta(
        d(
          "Image for the boot disk when the boot disk has none (docker://, oci-archive: or http(s)://). With no disks at all, admission adds a 20Gi boot disk `system` for it.",
        ),
      ),
    sshKeySecret: objectName("sshKeySecret")
      .optional()
      .meta(d("Secret (same namespace) whose values are authorized SSH public keys, injected by KubeVirt accessCredentials (noCloud propagation).")),
    cloudInitUser: CloudInitUser.optional(),
    cloudInit: CloudInit.optional(),
    podNetwork: PodNetwork,
    networks: Networks,
    disks: z
      .array(Disk)
      .max(LIMITS.maxDisks, `must have at most ${LIMITS.maxDisks} disks`)
      .optional()
      .meta({ ...d("Disks of the VM; exactly one boots."), ...listMap }),
    gpus: z
      .array(Gpu)
      .max(LIMITS.maxGpus, `must have at most ${LIMITS.maxGpus} GPUs`)
      .optional()
      .meta({ ...d("GPUs passed through to the VM. The VM is scheduled only on a node that offers each device resource."), ...listMap }),
    limits: Limits.optional(),
    updates: Updates.optional(),
    highAvailability: HighAvailability.optional(),
    startStrategy: StartStrategy.optional(),
    evictionStrategy: z
      .enum(EVICTION_STRATEGIES)
      .optional()
      .meta(
        d(
          "What a node drain (a virt-launcher pod's eviction) does to the running VM (KubeVirt spec.evictionStrategy): LiveMigrate moves it to another node and blocks the eviction until it has moved; LiveMigrateIfPossible moves it when it is LiveMigratable, else lets the eviction stop it; None lets the eviction stop it (it starts again elsewhere under runStrategy Always). When absent: LiveMigrate if every disk is ReadWriteMany, else None; the EvictionStrategy condition says which and why. LiveMigrate is denied while a disk is ReadWriteOnce.",
        ),
      ),
    restoreFromSnapshot: objectName("restoreFromSnapshot")
      .optional()
      .meta(
        d(
          "A WukongSnapshot (same namespace, phase Succeeded) to restore the VM and its disks from: the VM is stopped, restored by a KubeVirt VirtualMachineRestore and returned to its run strategy. Restoring happens once per value; clear the field and set it again to restore the same snapshot again.",
        ),
      ),
  })
  .meta({
    ...d("Desired state of the virtual machine."),
    "x-kubernetes-validations": [
      {
        rule: "!has(self.disks) || self.disks.filter(d, has(d.boot) && d.boot).size() <= 1",
        message: "at most one disk may have boot: true",
        fieldPath: ".disks",
        reason: "FieldValueInvalid",
      },
      ONE_GATEWAY_RULE,
      MAX_CPU_RULE,
      MAX_MEMORY_RULE,
      {
        rule: "!has(self.evictionStrategy) || self.evictionStrategy != 'LiveMigrate' || !has(self.disks) || self.disks.all(d, has(d.accessMode) && d.accessMode == 'ReadWriteMany')",
        message: LIVE_MIGRATE_NEEDS_SHARED_DISKS,
        fieldPath: ".evictionStrategy",
        reason: "FieldValueInvalid",
      },
    ],
  });

export type WukongSpec = z.infer<typeof WukongSpec>;
export type Disk = z.infer<typeof Disk>;
export type Gpu = z.infer<typeof Gpu>;
export type Toleration = z.infer<typeof Toleration>;
export type RunStrategy = (typeof RUN_STRATEGIES)[number];
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type EvictionStrategy = (typeof EVICTION_STRATEGIES)[number];
