// The cloud-init Secret the VM's cloudInitNoCloud volume reads: `networkdata` always, `userdata` unless the user
// supplies their own user-data Secret (userDataSecretRef), which the VM then references directly.
import { createHash } from "node:crypto";
import type { WukongSpec } from "../../schemas/spec";
import type { KubernetesObject } from "./kubernetes-object";
import { cloudInitSecretName } from "../../schemas/child-names";
import { networkData } from "../networks/network-data";
import type { Nic } from "../networks/nics";
import { childMetadata, type Owner } from "./ownership";
import { userData } from "./user-data";

/** KubeVirt reads these keys from secretRef and networkDataSecretRef. */
export const USER_DATA_KEY = "userdata";
export const NETWORK_DATA_KEY = "networkdata";

/**
 * `data` (base64), not `stringData`: the API server folds stringData into data and never returns it, so only `data`
 * reads back equal to what was applied. Keys in the API server's (sorted) order for the same reason.
 */
export function cloudInitSecret(owner: Owner, spec: WukongSpec, nics: Nic[]): KubernetesObject {
  const data: Record<string, string> = { [NETWORK_DATA_KEY]: base64(networkData(spec, nics)) };
  if (!spec.cloudInit?.userDataSecretRef) data[USER_DATA_KEY] = base64(userData(spec));
  return { apiVersion: "v1", kind: "Secret", metadata: childMetadata(owner, cloudInitSecretName(owner.name)), type: "Opaque", data };
}

/**
 * VM template annotations naming the version of each key the VM's instance boots with. KubeVirt copies the template's
 * metadata into a new VMI and never syncs these later (`setupVMIFromVM` and `syncMetadata`,
 * pkg/virt-controller/watch/vm/vm.go, v1.7.4), so a running VMI whose value differs booted with older data.
 * A short digest, never the data; everything it is computed from is in the Wukong spec already.
 */
export const CLOUD_INIT_DIGEST_ANNOTATIONS = {
  [NETWORK_DATA_KEY]: "vm.novasphere.dev/networkdata-digest",
  [USER_DATA_KEY]: "vm.novasphere.dev/userdata-digest",
} as const;

export function cloudInitDigests(secret: KubernetesObject): Record<string, string> {
  const data = (secret.data ?? {}) as Record<string, string>;
  return Object.fromEntries(
    Object.entries(CLOUD_INIT_DIGEST_ANNOTATIONS)
      .filter(([key]) => data[key] !== undefined)
      .map(([key, annotation]) => [annotation, createHash("sha256").update(data[key]).digest("hex").slice(0, 16)]),
  );
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}
