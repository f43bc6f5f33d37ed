// The CrdPort of lib/crd/install.ts over the shared KubeClient.
import { isNotFound } from "../../lib/cluster/api-errors";
import type { CrdPort, InstalledCrd } from "../../lib/crd/install";
import { MANAGER } from "../../schemas/wukong";
import { type ApiRequester, CONTENT } from "./kube-client";

const CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

export function crdPort(client: () => Promise<ApiRequester>): CrdPort {
  return {
    async get(name) {
      try {
        return await (await client()).request<InstalledCrd>("GET", `${CRDS_PATH}/${name}`);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async create(crd) {
      await (await client()).request("POST", `${CRDS_PATH}?fieldManager=${MANAGER}`, crd);
    },
    async patch(name, patch) {
      await (await client()).request("PATCH", `${CRDS_PATH}/${name}?fieldManager=${MANAGER}`, patch, CONTENT.jsonPatch);
    },
  };
}
