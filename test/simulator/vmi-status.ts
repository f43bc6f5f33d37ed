// How the simulated virt-handler writes a VMI's status: one JSON patch that sets each given status field. A merge patch
// cannot store the `lastProbeTime: null` that KubeVirt's conditions carry (metav1.Time serializes as null; the VMI CRD
// marks it nullable), and virt-controller patches the VMI's conditions with a JSON-patch `test` of the whole list
// (kubevirt v1.7.4 pkg/virt-controller/watch/vmi/lifecycle.go, updateStatus → prepareVMIPatch): a list stored without
// those nulls fails every such test ("patching of vmi conditions and activePods failed"), and virt-controller never
// adds HotVCPUChange, HotMemoryChange or any other condition to a VMI the simulator marked Running.
import type { JsonPatchOp } from "./plan";

/** `add` on an object member replaces it (RFC 6902 §4.1); `/status` exists on every VMI virt-controller handed over. */
export function statusOps(status: Record<string, unknown>): JsonPatchOp[] {
  return Object.entries(status).map(([key, value]) => ({ op: "add", path: `/status/${escapePointer(key)}`, value }));
}

/** Removes labels, each only if present (a `remove` of a missing member fails the whole patch). */
export function removeLabelOps(labels: Record<string, string> | undefined, keys: readonly string[]): JsonPatchOp[] {
  return keys.filter(key => labels?.[key] !== undefined).map(key => ({ op: "remove", path: `/metadata/labels/${escapePointer(key)}` }));
}

const escapePointer = (segment: string) => segment.replace(/~/g, "~0").replace(/\//g, "~1");
