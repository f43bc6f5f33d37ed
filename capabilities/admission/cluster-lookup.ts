// The live-cluster side of admission's cluster checks.
import { K8s, kind } from "pepr";
import type { ClusterLookup } from "../../lib/admission/cluster-checks";
import type { Wukong } from "../../schemas/wukong";
import { NetworkAttachmentDefinition, WukongResource } from "../kinds";

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

export const clusterLookup: ClusterLookup = {
  async storageClasses() {
    const list = await K8s(kind.StorageClass).Get();
    return list.items.map(sc => ({
      name: sc.metadata?.name ?? "",
      allowVolumeExpansion: sc.allowVolumeExpansion,
      isDefault: sc.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true",
    }));
  },
  async networkAttachmentDefinitionExists(namespace, name) {
    try {
      await K8s(NetworkAttachmentDefinition).InNamespace(namespace).Get(name);
      return true;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return false;
      throw error;
    }
  },
  async wukongs() {
    return (await K8s(WukongResource).Get()).items as Wukong[];
  },
};
