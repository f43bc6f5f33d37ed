// The watcher installs each shipped CRD when it is missing and upgrades it when older (lib/crd/install.ts), so
// `npx pepr deploy` is the only step a user needs; a CRD from a newer module is left alone.
import { Log } from "pepr";
import { apiFailure } from "../lib/cluster/api-errors";
import { type CrdDecision, installCrd } from "../lib/crd/install";
import { CRD_VERSION_ANNOTATION, shippedCrds } from "../schemas/crds";
import { crdPort } from "./runtime/crd-port";
import { KubeClient } from "./runtime/kube-client";

export async function installCrds(): Promise<void> {
  let client: Promise<KubeClient> | undefined;
  const port = crdPort(() => (client ??= KubeClient.fromDefault()));
  for (const { crd } of shippedCrds()) {
    const fields = { crd: crd.metadata.name, shipped: crd.metadata.annotations[CRD_VERSION_ANNOTATION] };
    try {
      report(fields, await installCrd(port, crd));
    } catch (error) {
      const failure = apiFailure(error); // a plain object from the client, not an Error
      Log.error({ ...fields, status: failure.status, error: failure.message }, "could not install or upgrade the CRD");
    }
  }
}

function report(fields: { crd: string; shipped: string }, decision: CrdDecision): void {
  switch (decision.action) {
    case "create":
      return Log.info(fields, "CRD installed");
    case "upgrade":
      return Log.info({ ...fields, from: decision.from ?? "no crd-version annotation" }, "CRD upgraded");
    case "keep":
      if (decision.reason === "current") return Log.info(fields, "CRD up to date");
      // Never a downgrade: a newer module's watcher installed it, or someone wrote a version we cannot order.
      return Log.warn(
        { ...fields, installed: decision.installed },
        `CRD left as it is: its ${CRD_VERSION_ANNOTATION} is ${decision.reason === "newer" ? "newer than this module's" : "not a semantic version"}`,
      );
  }
}
