// What runs beside the simulated controllers on the node side. The real-guest runtime (test/guest/runtime) is one:
// it plugs in here, so the simulator never imports test/guest (the arrow points one way only).
import { owningWukong, type WukongIndex } from "./faults";
import type { KubeObject } from "./resources";
import type { Snapshot } from "./snapshot";

export interface NodeRuntime {
  /** One loop's work, on the same snapshot the simulated controllers saw. */
  tick(snap: Snapshot): Promise<void>;
}

export const RUNTIME_LABEL = "sim.novasphere.dev/runtime";

/**
 * The VMIs of a Wukong labelled `sim.novasphere.dev/runtime: qemu` get a real guest from a node runtime; the
 * simulated VMI steps leave them alone. Every other Wukong stays simulated.
 */
export function wantsRealGuest(vmi: KubeObject, wukongs: WukongIndex): boolean {
  return owningWukong(vmi, wukongs)?.metadata.labels?.[RUNTIME_LABEL] === "qemu";
}
