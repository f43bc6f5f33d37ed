// The headroom's cross-field rules: the TypeScript copies of MAX_CPU_RULE and MAX_MEMORY_RULE (held to the CEL by
// test/unit/schemas/cel-parity.test.ts), and what virt-api v1.7.4 denies in a VM that names a maxGuest
// (pkg/virt-api/webhooks/validating-webhook/admitters/vms-admitter.go, validateLiveUpdateFeatures →
// pkg/liveupdate/memory/memory.go ValidateLiveUpdateMemory): said here with our field path instead.
import type { Problem } from "./problems";
import { bytesOf, formatBytes } from "./quantity";
import { isRecord, type Raw, text } from "./raw";
import { HOTPLUG_BLOCK, MAX_CPU_RULE, MAX_MEMORY_RULE, MIN_HOTPLUG_MEMORY } from "./resize";

export function resizeProblems(spec: Raw): Problem[] {
  const limits = spec.limits;
  if (!isRecord(limits)) return [];
  const problems: Problem[] = [];
  const { maxCpu } = limits;
  if (typeof maxCpu === "number" && typeof spec.cpu === "number" && maxCpu < spec.cpu) {
    problems.push({ path: "spec.limits.maxCpu", message: `${MAX_CPU_RULE.message}: ${maxCpu} is below cpu ${spec.cpu}` });
  }
  const maxMemoryText = text(limits.maxMemory);
  const memoryText = text(spec.memory);
  const maxMemory = maxMemoryText === undefined ? undefined : bytesOf(maxMemoryText);
  const memory = memoryText === undefined ? undefined : bytesOf(memoryText);
  if (maxMemory === undefined) return problems;
  if (memory !== undefined && maxMemory < memory) {
    problems.push({ path: "spec.limits.maxMemory", message: `${MAX_MEMORY_RULE.message}: ${maxMemoryText} is below memory ${memoryText}` });
  }
  if (maxMemory % HOTPLUG_BLOCK !== 0n) {
    problems.push({ path: "spec.limits.maxMemory", message: `must be a multiple of ${formatBytes(HOTPLUG_BLOCK)} (KubeVirt's memory hot-plug block)` });
  }
  if (memory !== undefined && memory < MIN_HOTPLUG_MEMORY) {
    problems.push({
      path: "spec.memory",
      message: `must be at least ${formatBytes(MIN_HOTPLUG_MEMORY)} when spec.limits.maxMemory is set: KubeVirt hot-plugs memory only from 1Gi`,
    });
  } else if (memory !== undefined && memory % HOTPLUG_BLOCK !== 0n) {
    problems.push({
      path: "spec.memory",
      message: `must be a multiple of ${formatBytes(HOTPLUG_BLOCK)} when spec.limits.maxMemory is set (KubeVirt's memory hot-plug block)`,
    });
  }
  return problems;
}
