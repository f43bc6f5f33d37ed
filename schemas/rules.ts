// Cross-field rules: what one field alone cannot say, composed from the subjects' own (networks/rules.ts) and the
// rest. They read the raw spec defensively (raw.ts), so every problem comes in the same denial.
// Those that are also CEL rules in spec.ts are held to the same verdicts by test/unit/schemas/cel-parity.test.ts.
// Child names are the builders' own: the limit is checked on exactly what will be created.
import { cloudInitSecretName, diskClaimName } from "./child-names";
import { parseCustomUserData } from "./cloud-config";
import { LIMITS } from "./limits";
import { nadNameProblems, networkProblems } from "./networks/rules";
import type { Problem } from "./problems";
import { resizeProblems } from "./resize-rules";
import { duplicateNames, isRecord, type Raw, records, text } from "./raw";
import { LIVE_MIGRATE_NEEDS_SHARED_DISKS, RESTART_POLICIES, RUN_STRATEGY_OF_RESTART_POLICY, type RestartPolicy, STARTING_RUN_STRATEGIES } from "./spec";

export const RESERVED_DISK_NAMES = ["cloudinitdisk"];
const MAX_NAME = 63;

/** All cross-field problems of a Wukong named `name`, after defaulting. */
export function crossFieldProblems(name: string, spec: unknown): Problem[] {
  if (!isRecord(spec)) return [];
  return [
    ...nameProblems(name, spec),
    ...networkProblems(spec),
    ...gpuProblems(spec),
    ...diskProblems(spec),
    ...cloudInitProblems(spec),
    ...placementProblems(spec),
    ...startProblems(spec),
    ...resizeProblems(spec),
    ...evictionProblems(spec),
  ];
}

function nameProblems(name: string, spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const tooLong = (childName: string) => childName.length > MAX_NAME;
  if (tooLong(name)) problems.push({ path: "metadata.name", message: `must be at most ${MAX_NAME} characters: it names the VirtualMachine` });
  else if (tooLong(cloudInitSecretName(name))) {
    problems.push({ path: "metadata.name", message: `is too long: the cloud-init Secret "${cloudInitSecretName(name)}" would exceed ${MAX_NAME} characters` });
  }
  problems.push(...nadNameProblems(name, spec, MAX_NAME));
  for (const [disk, i] of records(spec.disks, LIMITS.maxDisks)) {
    const child = text(disk.name);
    if (child && tooLong(diskClaimName(name, child))) {
      problems.push({
        path: `spec.disks[${i}].name`,
        message: `makes the volume name "${diskClaimName(name, child)}" longer than ${MAX_NAME} characters: shorten it or the Wukong name`,
      });
    }
  }
  return problems;
}

const gpuProblems = (spec: Raw): Problem[] => duplicateNames(records(spec.gpus, LIMITS.maxGpus), "gpus", [], "");

function diskProblems(spec: Raw): Problem[] {
  const disks = records(spec.disks, LIMITS.maxDisks);
  const problems = duplicateNames(disks, "disks", RESERVED_DISK_NAMES, "the cloud-init disk");
  if (!Array.isArray(spec.disks) || spec.disks.length === 0) {
    problems.push({ path: "spec.disks", message: "at least one disk is required (or set spec.osImage to get a 20Gi boot disk)" });
    return problems;
  }
  const bootDisks = disks.filter(([disk]) => disk.boot === true).map(([, i]) => i);
  if (bootDisks.length === 0) problems.push({ path: "spec.disks", message: "exactly one disk must have boot: true" });
  for (const i of bootDisks.slice(1)) {
    problems.push({ path: `spec.disks[${i}].boot`, message: `spec.disks[${bootDisks[0]}] is already the boot disk: exactly one disk boots` });
  }
  return problems;
}

function cloudInitProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const user = spec.cloudInitUser;
  if (isRecord(user) && user.password !== undefined && user.passwordHash !== undefined) {
    problems.push({ path: "spec.cloudInitUser.password", message: "set either password or passwordHash, not both" });
  }
  const cloudInit = spec.cloudInit;
  if (!isRecord(cloudInit)) return problems;
  if (cloudInit.userData !== undefined && cloudInit.userDataSecretRef !== undefined) {
    problems.push({ path: "spec.cloudInit.userDataSecretRef", message: "userData and userDataSecretRef are mutually exclusive" });
  }
  const userData = text(cloudInit.userData);
  if (userData !== undefined) {
    const problem = userDataProblem(userData);
    if (problem) problems.push({ path: "spec.cloudInit.userData", message: problem });
  }
  return problems;
}

/** Custom user data must be a cloud-config mapping, so it can be merged with the generated one. */
export function userDataProblem(userData: string): string | undefined {
  const parsed = parseCustomUserData(userData);
  return "error" in parsed ? parsed.error : undefined;
}

function placementProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const ha = spec.highAvailability;
  if (!isRecord(ha)) return problems;
  for (const [toleration, i] of records(ha.tolerations, LIMITS.maxTolerations)) {
    const at = `spec.highAvailability.tolerations[${i}]`;
    const operator = toleration.operator ?? "Equal";
    if (operator === "Exists" && toleration.value !== undefined && toleration.value !== "") {
      problems.push({ path: `${at}.value`, message: "must be empty when operator is Exists" });
    }
    if (operator === "Equal" && (toleration.key === undefined || toleration.key === "")) {
      problems.push({ path: `${at}.key`, message: "is required unless operator is Exists" });
    }
    if (toleration.tolerationSeconds !== undefined && toleration.effect !== "NoExecute") {
      problems.push({ path: `${at}.tolerationSeconds`, message: "applies only with effect NoExecute" });
    }
  }
  return problems;
}

function startProblems(spec: Raw): Problem[] {
  const problems: Problem[] = [];
  const start = isRecord(spec.startStrategy) ? spec.startStrategy : {};
  const runStrategy = text(start.runStrategy);
  if (!runStrategy) return problems;
  const starts = STARTING_RUN_STRATEGIES.includes(runStrategy);
  if (start.autoStart === false && starts) {
    problems.push({
      path: "spec.startStrategy.autoStart",
      message: `false contradicts runStrategy ${runStrategy}, which starts the VM: use runStrategy Halted or Manual, or drop autoStart`,
    });
  }
  if (start.autoStart === true && !starts) {
    problems.push({ path: "spec.startStrategy.autoStart", message: `true contradicts runStrategy ${runStrategy}, which does not start the VM` });
  }
  const policy = isRecord(spec.highAvailability) ? text(spec.highAvailability.restartPolicy) : undefined;
  if (policy && starts && (RESTART_POLICIES as readonly string[]).includes(policy)) {
    const expected = RUN_STRATEGY_OF_RESTART_POLICY[policy as RestartPolicy];
    if (expected !== runStrategy) {
      problems.push({
        path: "spec.highAvailability.restartPolicy",
        message: `${policy} means runStrategy ${expected}, which contradicts spec.startStrategy.runStrategy ${runStrategy}`,
      });
    }
  }
  return problems;
}

/** A LiveMigrate eviction on a ReadWriteOnce disk would block every drain of its node: KubeVirt cannot move the VM. */
function evictionProblems(spec: Raw): Problem[] {
  if (spec.evictionStrategy !== "LiveMigrate") return [];
  const unshared = records(spec.disks, LIMITS.maxDisks)
    .filter(([disk]) => disk.accessMode !== "ReadWriteMany")
    .map(([disk]) => `"${text(disk.name) ?? "?"}"`);
  if (unshared.length === 0) return [];
  return [
    {
      path: "spec.evictionStrategy",
      message: `${LIVE_MIGRATE_NEEDS_SHARED_DISKS}: ${unshared.length > 1 ? `disks ${unshared.join(", ")} are` : `disk ${unshared[0]} is`} ReadWriteOnce (or use LiveMigrateIfPossible or None)`,
    },
  ];
}
