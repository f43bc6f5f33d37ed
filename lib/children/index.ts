// Every child of a Wukong, built from the (defaulted) Wukong alone: pure, so reconcile and admission share it.
import type { Wukong } from "../../schemas/wukong";
import { withDefaults } from "../defaults";
import { cloudInitDigests, cloudInitSecret } from "./cloud-init-secret";
import type { BuildContext, DesiredChildren } from "./contract";
import { networkAttachmentDefinitions } from "../networks/nad";
import { nicsOf } from "../networks/nics";
import { ownerOf } from "./ownership";
import { hotplugDisks } from "./hotplug";
import { dataVolume, diskImage, persistentVolumeClaim } from "./storage";
import { virtualMachine } from "./virtual-machine";

export type { BuildContext, DesiredChildren } from "./contract";
export { CustomUserDataError } from "./user-data";
export { parseCustomUserData } from "../../schemas/cloud-config";
export { cloudInitSecretName, diskClaimName, virtualMachineName } from "../../schemas/child-names";
export { attachedNadName, generatedNadName } from "../../schemas/networks/names";

export function desiredChildren(wukong: Wukong, context: BuildContext): DesiredChildren {
  const owner = ownerOf(wukong);
  if (!wukong.spec) throw new Error(`Wukong ${owner.namespace}/${owner.name} has no spec`);
  // The stored Wukong is already defaulted; defaulting is idempotent, and re-applying it lets a Wukong admitted
  // before a defaulting change still build completely.
  const spec = withDefaults({ namespace: owner.namespace, name: owner.name, spec: wukong.spec });
  const nics = nicsOf(owner, spec);
  const disks = spec.disks ?? [];
  const imported = disks.flatMap(disk => {
    const image = diskImage(spec, disk);
    return image ? [dataVolume(owner, disk, image, context)] : [];
  });
  const blank = disks.filter(disk => !diskImage(spec, disk)).map(disk => persistentVolumeClaim(owner, disk, context));
  const secret = cloudInitSecret(owner, spec, nics);
  return {
    networkAttachmentDefinitions: networkAttachmentDefinitions(owner, spec),
    dataVolumes: imported,
    persistentVolumeClaims: blank,
    cloudInitSecret: secret,
    virtualMachine: virtualMachine(owner, { ...wukong, spec }, nics, cloudInitDigests(secret), hotplugDisks(spec, context.hotplug)),
  };
}
