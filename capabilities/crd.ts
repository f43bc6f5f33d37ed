// The watcher installs or updates the Wukong CRD at start, so `npx pepr deploy` is the only step a user needs.
import { K8s, Log, kind } from "pepr";
import { wukongCrd } from "../schemas/crd";
import { apiFailure } from "../lib/cluster/api-errors";

export async function installWukongCrd(): Promise<void> {
  try {
    await K8s(kind.CustomResourceDefinition).Apply(wukongCrd() as never, { force: true });
    Log.info("Wukong CRD installed or up to date");
  } catch (error) {
    const failure = apiFailure(error); // a plain object from kubernetes-fluent-client, not an Error
    Log.error({ status: failure.status, error: failure.message }, "could not install the Wukong CRD");
  }
}
