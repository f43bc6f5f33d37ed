// API discovery of the optional APIs Wukong uses (each served with the resources we need, or not at all), and
// the device-plugin resources the nodes offer. Shared by the controller (which starts a watch only for what is
// served) and admission (which warns about what is missing).
import { isNotFound } from "../../lib/cluster/api-errors";
import { KUBEVIRT_SNAPSHOT_API } from "../../lib/cluster/features";
import { KINDS, OPTIONAL_WATCHES, resourcePath } from "../../lib/cluster/kinds";
import type { ApiRequester } from "./kube-client";

/** Each optional API with the resources Wukong needs of it (its watched kinds): one without them counts as not served. */
export const OPTIONAL_APIS: Readonly<Record<string, readonly string[]>> = Object.fromEntries(
  Object.entries(OPTIONAL_WATCHES).map(([api, kinds]) => [api, kinds.map(kind => KINDS[kind].plural)]),
);

interface ApiResourceList {
  resources?: { name?: string }[];
}

/** The optional APIs ("group/version") the API server serves with every resource we need. */
export async function servedApis(requester: ApiRequester): Promise<Set<string>> {
  const served = await Promise.all(
    Object.entries(OPTIONAL_APIS).map(async ([api, needed]) => {
      try {
        const list = await requester.request<ApiResourceList>("GET", `/apis/${api}`);
        const names = new Set((list.resources ?? []).map(resource => resource.name));
        return needed.every(name => names.has(name)) ? [api] : [];
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
    }),
  );
  return new Set(served.flat());
}

const RESTORE_CRD = "virtualmachinerestores.snapshot.kubevirt.io";

interface RestoreCrd {
  spec?: { versions?: { name?: string; served?: boolean; schema?: { openAPIV3Schema?: { properties?: { spec?: { properties?: object } } } } }[] };
}

/**
 * The spec fields the served VirtualMachineRestore version Wukong speaks has, read from its CRD (discovery names
 * resources, not fields); undefined when that version or the CRD is not there. Any other failure is thrown: an
 * unreadable CRD is not a CRD without the fields, and not one with them either.
 */
export async function restoreSpecFields(requester: ApiRequester): Promise<Set<string> | undefined> {
  const version = KUBEVIRT_SNAPSHOT_API.split("/")[1];
  try {
    const crd = await requester.request<RestoreCrd>("GET", `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${RESTORE_CRD}`);
    const properties = crd.spec?.versions?.find(v => v.name === version && v.served)?.schema?.openAPIV3Schema?.properties?.spec?.properties;
    return properties ? new Set(Object.keys(properties)) : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

interface NodeList {
  items?: { status?: { allocatable?: Record<string, string> } }[];
}

/** Extended resources (a domain-prefixed name, e.g. nvidia.com/gpu) that some node offers a non-zero amount of. */
export async function nodeResources(requester: ApiRequester): Promise<Set<string>> {
  const nodes = await requester.request<NodeList>("GET", resourcePath("Node", undefined));
  const offered = new Set<string>();
  for (const node of nodes.items ?? [])
    for (const [resource, amount] of Object.entries(node.status?.allocatable ?? {}))
      if (resource.includes("/") && !/^0+[a-zA-Z]*$/.test(amount)) offered.add(resource);
  return offered;
}
