// Which VMIs get a real QEMU guest instead of the simulated one: those of a Wukong labelled
// `sim.novasphere.dev/runtime: qemu`. Every other Wukong stays simulated.
import { owningWukong, type WukongIndex } from "../../simulator/faults";
import type { KubeObject } from "../../simulator/resources";

export const RUNTIME_LABEL = "sim.novasphere.dev/runtime";

export function wantsRealGuest(vmi: KubeObject, wukongs: WukongIndex): boolean {
  return owningWukong(vmi, wukongs)?.metadata.labels?.[RUNTIME_LABEL] === "qemu";
}
