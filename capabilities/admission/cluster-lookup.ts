// The live-cluster side of admission's cluster checks. Other Wukongs' address claims come from this process's
// own watch-fed index once it has listed them (a LIST per request until then: the conflict check stays exact);
// StorageClasses are listed at most every few seconds, unless a check asks for a fresh list.
import { isNotFound } from "../../lib/cluster/api-errors";
import { KINDS, resourcePath } from "../../lib/cluster/kinds";
import { nodeInterfacesOf } from "../../lib/networks/node-interfaces";
import type { LiveObject } from "../../lib/cluster/live";
import type { ClusterView } from "../../lib/cluster/view";
import type { ClusterLookup, StorageClassInfo } from "../../lib/admission/cluster-checks";
import { type AddressClaim, claimsOfWukong } from "../../lib/networks/segments";
import type { Wukong } from "../../schemas/wukong";
import type { WukongSnapshot } from "../../schemas/wukongsnapshot";
import { type ClusterFeatures, KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API, kubeVirtConfig, type KubeVirtObject } from "../../lib/cluster/features";
import { nodeResources, restoreSpecFields, servedApis } from "../runtime/discovery";
import { type ApiRequester, apiServed } from "../runtime/kube-client";

const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";
const STORAGE_CLASS_TTL_MS = 10_000;
/** Feature lookups only warn: a minute-old answer is good enough, and a burst of admissions costs one lookup. */
const FEATURES_TTL_MS = 30_000;

interface StorageClass {
  metadata?: { name?: string; annotations?: Record<string, string> };
  allowVolumeExpansion?: boolean;
}

export function clusterLookup(client: () => Promise<ApiRequester>, index: ClusterView): ClusterLookup {
  let classes: { at: number; value: Promise<StorageClassInfo[]> } | undefined;
  let features: { at: number; value: Promise<ClusterFeatures> } | undefined;
  // Each indexed Wukong is parsed into claims once: the index replaces the object when it changes.
  const claims = new WeakMap<Wukong, AddressClaim[]>();
  const claimsOf = (wukong: Wukong) => {
    let known = claims.get(wukong);
    if (!known) claims.set(wukong, (known = claimsOfWukong(wukong)));
    return known;
  };

  const listStorageClasses = async (): Promise<StorageClassInfo[]> => {
    const list = await (await client()).request<{ items: StorageClass[] }>("GET", resourcePath("StorageClass", undefined));
    return list.items.map(sc => ({
      name: sc.metadata?.name ?? "",
      allowVolumeExpansion: sc.allowVolumeExpansion,
      isDefault: sc.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true",
    }));
  };

  return {
    storageClasses({ fresh = false } = {}) {
      if (fresh || !classes || Date.now() - classes.at > STORAGE_CLASS_TTL_MS) {
        const value = listStorageClasses();
        classes = { at: Date.now(), value };
        value.catch(() => (classes = undefined)); // a failed lookup is not remembered
      }
      return classes.value;
    },
    async networkAttachmentDefinitionExists(namespace, name) {
      try {
        await (await client()).request("GET", resourcePath("NetworkAttachmentDefinition", namespace, name));
        return true;
      } catch (error) {
        if (isNotFound(error)) return false;
        throw error;
      }
    },
    wukongSnapshot: (namespace, name) => getOrUndefined<WukongSnapshot>(client, resourcePath("WukongSnapshot", namespace, name)),
    wukong: (namespace, name) => getOrUndefined<Wukong>(client, resourcePath("Wukong", namespace, name)),
    async nodeNetworkApiServed() {
      const { group, version } = KINDS.NodeNetworkConfigurationPolicy;
      return apiServed(await client(), group, version);
    },
    async nodeInterfaces() {
      try {
        return nodeInterfacesOf((await (await client()).request<{ items: LiveObject[] }>("GET", resourcePath("NodeNetworkState", undefined))).items);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    clusterFeatures() {
      if (!features || Date.now() - features.at > FEATURES_TTL_MS) features = { at: Date.now(), value: lookUpFeatures(client) };
      return features.value;
    },
    async addressClaims() {
      const wukongs = index.isSynced("Wukong")
        ? (index.all("Wukong") as Wukong[])
        : (await (await client()).request<{ items: Wukong[] }>("GET", resourcePath("Wukong", undefined))).items;
      return wukongs.flatMap(claimsOf);
    },
  };
}

/** Each part that cannot be looked up (forbidden, unreachable) stays undefined: nothing is warned about it. */
async function lookUpFeatures(client: () => Promise<ApiRequester>): Promise<ClusterFeatures> {
  const api = await client();
  const served = await servedApis(api).catch(() => undefined);
  const [config, resources, restoreFields] = await Promise.all([
    served?.has(KUBEVIRT_CONFIG_API)
      ? api
          .request<{ items?: KubeVirtObject[] }>("GET", resourcePath("KubeVirt", undefined))
          .then(list => kubeVirtConfig(list.items ?? []))
          .catch(() => ({}))
      : {},
    nodeResources(api).catch(() => undefined),
    served?.has(KUBEVIRT_SNAPSHOT_API) ? restoreSpecFields(api).catch(() => undefined) : undefined,
  ]);
  return {
    ...(served && { servedApis: served }),
    ...config,
    ...(resources && { nodeResources: resources }),
    ...(restoreFields && { restoreSpecFields: restoreFields }),
  };
}

async function getOrUndefined<T>(client: () => Promise<ApiRequester>, path: string): Promise<T | undefined> {
  try {
    return await (await client()).request<T>("GET", path);
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}
