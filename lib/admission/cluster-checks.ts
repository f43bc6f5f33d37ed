// Admission checks that need the cluster. Each has a short deadline and a documented stance when the
// lookup itself fails: existence checks fail open (the reconciler reports the problem in status and
// recovers once it is fixed); address conflicts fail closed (nothing downstream would catch a clash).
import type { Problem } from "../../schemas/problems";
import { bytesOf } from "../../schemas/quantity";
import type { WukongSpec } from "../../schemas/spec";
import { addressConflicts, hostBridgeWarnings, type NetworkLookup, nadProblems, nodeNetworkWarnings } from "../networks/admission-checks";
import type { AddressClaim } from "../networks/segments";
import { type ClusterVerdict, failOpen, withDeadline } from "./deadline";
import { type FeatureLookup, wukongFeatureWarnings } from "./feature-checks";
import { restoreProblems, type SnapshotLookup } from "./snapshot-checks";
import { type FirstConsumerLookup, firstConsumerWarnings } from "./first-consumer-checks";
import { diskVolumeProblems, type VolumeLookup } from "./volume-checks";

export interface StorageClassInfo {
  name: string;
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: string;
  isDefault: boolean;
}

export interface ClusterLookup extends NetworkLookup, SnapshotLookup, FeatureLookup, VolumeLookup, FirstConsumerLookup {
  /** The StorageClasses, possibly a few seconds old; `fresh` asks the API server again. */
  storageClasses(options?: { fresh?: boolean }): Promise<StorageClassInfo[]>;
}

export interface ClusterCheckInput {
  namespace: string;
  name: string;
  spec: WukongSpec;
  oldSpec?: WukongSpec;
}

export const LOOKUP_TIMEOUT_MS = 2000;

export async function clusterChecks(input: ClusterCheckInput, lookup: ClusterLookup, timeoutMs = LOOKUP_TIMEOUT_MS): Promise<ClusterVerdict> {
  // The other Wukongs' claims serve two checks: read once.
  let read: Promise<AddressClaim[]> | undefined;
  const claims = () => (read ??= lookup.addressClaims());
  const verdicts = await Promise.all([
    failOpen("StorageClasses", () => storageProblems(input, lookup), timeoutMs),
    failOpen("the disks' volumes", () => diskVolumeProblems(input, lookup), timeoutMs),
    failOpen("NetworkAttachmentDefinitions", () => nadProblems(input, lookup), timeoutMs),
    addressConflicts(input, claims, timeoutMs),
    failOpen("WukongSnapshots", () => restoreProblems(input, lookup), timeoutMs),
    nodeNetworkWarnings(input, lookup, timeoutMs),
    hostBridgeWarnings(input, lookup, claims, timeoutMs),
    featureWarnings(input, lookup, timeoutMs),
    firstConsumerWarnings(input, () => lookup.storageClasses(), lookup, timeoutMs),
  ]);
  return { problems: verdicts.flatMap(v => v.problems), warnings: verdicts.flatMap(v => v.warnings) };
}

/**
 * A StorageClass made a moment before its Wukong (`kubectl apply -f dir/`, GitOps) may be missing from a recent
 * list: a miss is only believed once a fresh list confirms it.
 */
async function storageProblems(input: ClusterCheckInput, lookup: ClusterLookup): Promise<Problem[]> {
  let problems = storageProblemsAmong(input, await lookup.storageClasses());
  if (problems.some(problem => problem.missing)) problems = storageProblemsAmong(input, await lookup.storageClasses({ fresh: true }));
  return problems.map(({ path, message }) => ({ path, message }));
}

function storageProblemsAmong({ spec, oldSpec }: ClusterCheckInput, classes: StorageClassInfo[]): (Problem & { missing?: true })[] {
  const byName = new Map(classes.map(sc => [sc.name, sc]));
  const fallback = classes.find(sc => sc.isDefault);
  const oldDisks = new Map((oldSpec?.disks ?? []).map(disk => [disk.name, disk]));
  const problems: (Problem & { missing?: true })[] = [];
  (spec.disks ?? []).forEach((disk, i) => {
    const old = oldDisks.get(disk.name);
    const at = `spec.disks[${i}]`;
    const sc = disk.storageClassName ? byName.get(disk.storageClassName) : fallback;
    if (!old) {
      if (disk.storageClassName && !sc)
        problems.push({ path: `${at}.storageClassName`, message: `StorageClass "${disk.storageClassName}" does not exist`, missing: true });
      if (!disk.storageClassName && !fallback)
        problems.push({ path: `${at}.storageClassName`, message: "is required: the cluster has no default StorageClass", missing: true });
      return;
    }
    const grows = (bytesOf(disk.size) ?? 0n) > (bytesOf(old.size) ?? 0n);
    if (grows && sc && !sc.allowVolumeExpansion) {
      problems.push({
        path: `${at}.size`,
        message: `cannot grow: StorageClass "${sc.name}" does not allow volume expansion (allowVolumeExpansion is not true)`,
      });
    }
  });
  return problems;
}

/** Warnings only: a lookup that fails or is slow adds none. */
async function featureWarnings({ spec, oldSpec }: ClusterCheckInput, lookup: ClusterLookup, timeoutMs: number): Promise<ClusterVerdict> {
  const features = await withDeadline(lookup.clusterFeatures(), timeoutMs).catch(() => undefined);
  return { problems: [], warnings: features ? wukongFeatureWarnings(spec, oldSpec, features) : [] };
}
