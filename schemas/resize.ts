// Live resize: the hot-plug headroom (KubeVirt's maxSockets and maxGuest) and whether the operator restarts the VM
// when a change cannot be applied live. Read from kubevirt v1.7.4: pkg/defaults/defaults.go (setupCPUHotplug,
// setupMemoryHotplug: the headroom KubeVirt derives when none is given), pkg/liveupdate/memory/memory.go
// (ValidateLiveUpdateMemory: what a maxGuest needs), pkg/virt-config/virt-config.go (DefaultMaxHotplugRatio 4).
import { z } from "zod";
import { d, sizeQuantity } from "./fields";
import { LIMITS } from "./limits";
import { Gi, Mi } from "./quantity";

/** KubeVirt's maxHotplugRatio default: the headroom it gives a VM that names none. */
export const KUBEVIRT_MAX_HOTPLUG_RATIO = 4;
/** Memory hot-plug needs at least this much guest memory (memory.go, requiredMinGuestMemory). */
export const MIN_HOTPLUG_MEMORY = Gi;
/** Guest memory and maxGuest must be multiples of this (memory.go, HotplugBlockAlignmentBytes). */
export const HOTPLUG_BLOCK = 2n * Mi;

export const Limits = z
  .strictObject({
    maxCpu: z
      .number()
      .int("must be an integer number of vCPUs")
      .min(1, "must be at least 1")
      .max(LIMITS.maxCpu, `must be at most ${LIMITS.maxCpu}`)
      .optional()
      .meta(
        d(
          `The most vCPUs \`cpu\` may grow to without a restart (KubeVirt domain.cpu.maxSockets; each vCPU is a socket). At least \`cpu\`. Unset: KubeVirt gives ${KUBEVIRT_MAX_HOTPLUG_RATIO} × cpu (the cluster's liveUpdateConfiguration.maxHotplugRatio, or its maxCpuSockets), at most 512. Headroom costs no pod resources until used: the launcher pod requests CPU and overhead for the current vCPUs. Changing it needs a restart.`,
        ),
      ),
    maxMemory: sizeQuantity(MIN_HOTPLUG_MEMORY, LIMITS.maxMemory)
      .optional()
      .meta(
        d(
          `The most guest memory \`memory\` may grow to without a restart (KubeVirt domain.memory.maxGuest, a virtio-mem device). At least \`memory\`; both at least 1Gi and multiples of 2Mi (KubeVirt's memory hot-plug rules). Unset: KubeVirt gives ${KUBEVIRT_MAX_HOTPLUG_RATIO} × memory (the cluster's maxHotplugRatio, or its liveUpdateConfiguration.maxGuest) when memory is at least 1Gi and 2Mi-aligned, and no memory hot-plug otherwise. Headroom costs no pod memory until used: the launcher pod requests the current memory plus KubeVirt's overhead. Changing it needs a restart.`,
        ),
      ),
  })
  .meta(d("Hot-plug headroom: how far cpu and memory may grow while the VM runs. A change beyond it waits for a restart."));

export const Updates = z
  .strictObject({
    restartWhenRequired: z
      .boolean()
      .optional()
      .meta(
        d(
          "Restart the running VM when KubeVirt says a spec change needs one (its RestartRequired condition), e.g. memory grown past limits.maxMemory: the operator deletes the VMI and KubeVirt starts a new one, so this acts under runStrategy Always only. Default false: the Wukong reports RestartRequired and waits for you to restart. Unrelated to highAvailability.restartPolicy, which says what happens when the guest stops.",
        ),
      ),
  })
  .meta(d("How spec changes reach a running VM."));

export const MAX_CPU_RULE = {
  rule: "!has(self.limits) || !has(self.limits.maxCpu) || self.limits.maxCpu >= self.cpu",
  message: "limits.maxCpu must be at least cpu",
  fieldPath: ".limits.maxCpu",
  reason: "FieldValueInvalid",
};

// quantity() is Kubernetes' CEL quantity library (kube-apiserver ≥ 1.29).
export const MAX_MEMORY_RULE = {
  rule: "!has(self.limits) || !has(self.limits.maxMemory) || quantity(self.limits.maxMemory).compareTo(quantity(self.memory)) >= 0",
  message: "limits.maxMemory must be at least memory",
  fieldPath: ".limits.maxMemory",
  reason: "FieldValueInvalid",
};

export type Limits = z.infer<typeof Limits>;
export type Updates = z.infer<typeof Updates>;

export const RESIZE_PHASES = ["Live", "HotPlugging", "WaitingForRestart"] as const;

const Size = <T extends z.ZodType>(value: T, what: string) =>
  z
    .object({
      requested: value.meta(d(`The spec's ${what}.`)),
      current: value.optional().meta(d(`What the running guest has now (the VMI's status).`)),
      max: value.optional().meta(d(`The most it may grow to live: the running VMI's headroom (limits, or KubeVirt's default).`)),
    })
    .meta(d(`${what} of the running VM.`));

export const ResizeStatus = z
  .object({
    phase: z
      .enum(RESIZE_PHASES)
      .meta(
        d(
          "Live (the running VM has the spec's cpu and memory: a change since it started was applied without a restart), HotPlugging (KubeVirt is applying a change live: it migrates the VM to a launcher pod of the new size) or WaitingForRestart (KubeVirt cannot apply it live; the RestartRequired condition says why).",
        ),
      ),
    cpu: Size(z.number().int(), "vCPUs"),
    memory: Size(z.string(), "guest memory"),
    message: z.string().meta(d("What happens to the change, in one sentence.")),
  })
  .meta(d("How the spec's cpu and memory reach the running VM; absent while it does not run."));

export type ResizeStatus = z.infer<typeof ResizeStatus>;
export type ResizePhase = (typeof RESIZE_PHASES)[number];
