// The watcher installs or updates the Wukong CRD at start, so `npx pepr deploy` is the only step a user needs.
import { K8s, Log, kind } from "pepr";
import { wukongCrd } from "../../schemas/crd";

export async function installWukongCrd(): Promise<void> {
  try {
    await K8s(kind.CustomResourceDefinition).Apply(wukongCrd() as never, { force: true });
    Log.info("Wukong CRD installed or up to date");
  } catch (error) {
    Log.error({ error: String(error) }, "could not install the Wukong CRD");
  }
}
