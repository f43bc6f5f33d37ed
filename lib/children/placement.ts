// Where the VM may run: nodeSelector and tolerations as given, plus anti-affinity between VMs of one HA group.
import { LABELS, MANAGER, type Wukong } from "../../schemas/wukong";

export const DEFAULT_HA_GROUP = "default";

/** The Wukong's ha-group label when it asks for anti-affinity; absent labels form one group. */
export function haGroupOf(wukong: Wukong): string | undefined {
  if (!wukong.spec?.highAvailability?.antiAffinity) return undefined;
  return wukong.metadata?.labels?.[LABELS.haGroup] ?? DEFAULT_HA_GROUP;
}

export function placement(wukong: Wukong): Record<string, unknown> {
  const { nodeSelector, tolerations } = wukong.spec?.highAvailability ?? {};
  const haGroup = haGroupOf(wukong);
  return {
    ...(nodeSelector && Object.keys(nodeSelector).length > 0 && { nodeSelector: { ...nodeSelector } }),
    ...(tolerations?.length && { tolerations: tolerations.map(toleration => ({ ...toleration })) }),
    ...(haGroup !== undefined && { affinity: antiAffinity(haGroup) }),
  };
}

/**
 * Preferred, not required: a small edge cluster with fewer nodes than VMs in the group must still run them all.
 * The selector also requires our managed-by label so unrelated pods carrying the ha-group label don't count.
 */
function antiAffinity(haGroup: string) {
  return {
    podAntiAffinity: {
      preferredDuringSchedulingIgnoredDuringExecution: [
        {
          weight: 100,
          podAffinityTerm: {
            labelSelector: { matchLabels: { [LABELS.managedBy]: MANAGER, [LABELS.haGroup]: haGroup } },
            topologyKey: "kubernetes.io/hostname",
          },
        },
      ],
    },
  };
}
