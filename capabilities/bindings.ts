// Every binding of the module, in one place. Admission: defaulting and validation of Wukongs, validation of
// WukongSnapshots. Controller (watcher process only): Wukong watch events, and one watch per child kind beside
// them, feed the view the reconciler reads from; WukongSnapshots, VirtualMachineSnapshots and
// VirtualMachineRestores have watches of their own.
import { Capability, Log } from "pepr";
import { LABELLED_CHILD_KINDS } from "../lib/cluster/kinds";
import type { LiveObject } from "../lib/cluster/live";
import { ClusterView, type WatchPhase } from "../lib/cluster/view";
import { clusterLookup } from "./admission/cluster-lookup";
import { defaultWukong } from "./admission/mutate";
import { wukongValidator } from "./admission/validate";
import { wukongSnapshotValidator } from "./admission/validate-snapshot";
import { createController } from "./controller";
import { WukongResource, WukongSnapshotResource } from "./kinds";
import { startInformer } from "./runtime/informer";
import { KubeClient } from "./runtime/kube-client";
import { config } from "./runtime/config";

export function wukongCapabilities(): Capability[] {
  const admission = new Capability({ name: "admission", description: "Defaults and validates Wukong specs at admission, naming each wrong field." });
  const lookup = admissionLookup();
  admission.When(WukongResource).IsCreatedOrUpdated().Mutate(defaultWukong).Validate(wukongValidator(lookup));
  admission.When(WukongSnapshotResource).IsCreatedOrUpdated().Validate(wukongSnapshotValidator(lookup));

  const lifecycle = new Capability({ name: "lifecycle", description: "Reconciles each Wukong: finalizer, children in order, status and clean deletion." });
  const controller = config().runsControllers ? createController() : undefined;
  const observe = (wukong: WukongResource, phase: WatchPhase) => controller?.observeWukong(wukong as unknown as LiveObject, phase);
  lifecycle
    .When(WukongResource)
    .IsCreatedOrUpdated()
    .Watch((wukong, phase) => observe(wukong, phase as WatchPhase));
  lifecycle
    .When(WukongResource)
    .IsDeleted()
    .Watch(wukong => observe(wukong, "DELETED"));
  controller?.watchChildren(LABELLED_CHILD_KINDS);
  controller?.watchSnapshots();
  controller?.watchOptionalApis();

  return [admission, lifecycle];
}

/** Admission keeps its own index of Wukongs for the address-conflict check (not in `pepr build`, nor the watcher). */
function admissionLookup() {
  const index = new ClusterView();
  let client: Promise<KubeClient> | undefined;
  if (config().servesAdmission) {
    const warn = (fields: Record<string, unknown>, message: string) => Log.warn(fields, message);
    startInformer({ kind: "Wukong", model: WukongResource, view: index, onChange: () => undefined, warn });
  }
  return clusterLookup(() => (client ??= KubeClient.fromDefault()), index);
}
