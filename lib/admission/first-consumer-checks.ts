// Admission warning (never a denial): an imported disk on a WaitForFirstConsumer StorageClass while CDI's
// HonorWaitForFirstConsumer feature gate is off. CDI v1.66.0 reads its gates from CDIConfig `config`
// (pkg/feature-gates/feature-gates.go, getFeatureGates); with the gate off it does not wait for the VM's pod: its
// import controller handles the Pending claim at once (pkg/controller/import-controller.go, shouldReconcilePVC with
// pkg/controller/common/util.go IsWaitForFirstConsumerEnabled), so its importer pod is the claim's first consumer and
// the volume is made on that pod's node. On node-local storage the VM can then only run there.
import { diskImage } from "../children/storage";
import type { WukongSpec } from "../../schemas/spec";
import type { ClusterVerdict } from "./deadline";
import { withDeadline } from "./deadline";

const HONOR_WFFC_GATE = "HonorWaitForFirstConsumer";

export interface FirstConsumerLookup {
  /** CDIConfig `config`'s spec.featureGates; undefined when CDI is not installed or the config cannot be read. */
  cdiFeatureGates(): Promise<ReadonlySet<string> | undefined>;
}

export interface ClassBinding {
  name: string;
  volumeBindingMode?: string;
  isDefault: boolean;
}

/** Warnings for the new imported disks on WaitForFirstConsumer classes; none when anything is unknown. */
export async function firstConsumerWarnings(
  { spec, oldSpec }: { spec: WukongSpec; oldSpec?: WukongSpec },
  classes: () => Promise<ClassBinding[]>,
  lookup: FirstConsumerLookup,
  timeoutMs: number,
): Promise<ClusterVerdict> {
  const known = new Set((oldSpec?.disks ?? []).map(disk => disk.name));
  const imported = (spec.disks ?? []).map((disk, i) => ({ disk, i })).filter(({ disk }) => !known.has(disk.name) && diskImage(spec, disk));
  if (imported.length === 0) return { problems: [], warnings: [] };
  try {
    const [all, gates] = await withDeadline(Promise.all([classes(), lookup.cdiFeatureGates()]), timeoutMs);
    if (!gates || gates.has(HONOR_WFFC_GATE)) return { problems: [], warnings: [] };
    const byName = new Map(all.map(sc => [sc.name, sc]));
    const fallback = all.find(sc => sc.isDefault);
    const warnings = imported.flatMap(({ disk, i }) => {
      const sc = disk.storageClassName ? byName.get(disk.storageClassName) : fallback;
      if (sc?.volumeBindingMode !== "WaitForFirstConsumer") return [];
      return [
        `spec.disks[${i}]: CDI's ${HONOR_WFFC_GATE} feature gate is off (CDIConfig config): disk ${disk.name}'s image is imported at once, and StorageClass ${sc.name} (WaitForFirstConsumer) makes its volume on the node CDI's importer pod runs on, not where the VM first starts; on node-local storage the VM can then only run there`,
      ];
    });
    return { problems: [], warnings };
  } catch {
    return { problems: [], warnings: [] };
  }
}
