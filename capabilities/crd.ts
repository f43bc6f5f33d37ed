// The watcher installs or updates the Wukong and WukongSnapshot CRDs at start, so `npx pepr deploy` is the only
// step a user needs.
import { K8s, Log, kind } from "pepr";
import { wukongCrd, wukongSnapshotCrd } from "../schemas/crd";
import { apiFailure } from "../lib/cluster/api-errors";

export async function installWukongCrd(): Promise<void> {
  for (const crd of [wukongCrd(), wukongSnapshotCrd()]) {
    try {
      await K8s(kind.CustomResourceDefinition).Apply(crd as never, { force: true });
      Log.info(`${crd.spec.names.kind} CRD installed or up to date`);
    } catch (error) {
      const failure = apiFailure(error); // a plain object from kubernetes-fluent-client, not an Error
      Log.error({ status: failure.status, error: failure.message }, `could not install the ${crd.spec.names.kind} CRD`);
    }
  }
}
