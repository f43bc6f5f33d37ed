// The watcher installs each shipped CRD when it is missing and upgrades it when older (lib/crd/install.ts), so
// `npx pepr deploy` is the only step a user needs; a CRD from a newer module is left alone.
import { Log } from "pepr";
import { apiFailure, isNotFound } from "../lib/cluster/api-errors";
import { type CrdPort, type InstalledCrd, installCrd } from "../lib/crd/install";
import { CRD_VERSION_ANNOTATION, shippedCrds } from "../schemas/crds";
import { MANAGER } from "../schemas/wukong";
import { type ApiRequester, CONTENT, KubeClient } from "./runtime/kube-client";

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

export async function installCrds(): Promise<void> {
  let client: Promise<KubeClient> | undefined;
  const port = crdPort(() => (client ??= KubeClient.fromDefault()));
  for (const { crd } of shippedCrds()) {
    const fields = { crd: crd.metadata.name, shipped: crd.metadata.annotations[CRD_VERSION_ANNOTATION] };
    try {
      const decision = await installCrd(port, crd);
      if (decision.action === "keep" && decision.reason !== "current") {
        Log.warn(
          { ...fields, installed: decision.installed },
          `CRD left as it is: its ${CRD_VERSION_ANNOTATION} is ${decision.reason === "newer" ? "newer than this module's" : "not a semantic version"}`,
        );
      } else {
        Log.info({ ...fields, ...decision }, `CRD ${decision.action === "keep" ? "up to date" : decision.action === "create" ? "installed" : "upgraded"}`);
      }
    } catch (error) {
      const failure = apiFailure(error); // a plain object from the client, not an Error
      Log.error({ ...fields, status: failure.status, error: failure.message }, "could not install or upgrade the CRD");
    }
  }
}
