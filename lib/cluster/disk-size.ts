// The size a disk's volume holds now, as a disk size (not as a claim request): an imported disk's claim asks CDI's
// filesystem overhead on top (CDI v1.66.0 pkg/controller/datavolume/util.go renderPvcSpecVolumeSize →
// pkg/controller/common/util.go InflateSizeWithOverhead), so its request is not the disk's size.
import { DISK_SIZE_ANNOTATION } from "../../schemas/wukong";
import type { LiveObject } from "./live";

type Sized = { resources?: { requests?: { storage?: string } } };

/** What we last grew the claim to, else what its DataVolume asked CDI for, else the claim's own request. */
export function heldDiskSize(claim: LiveObject | undefined, dataVolume: LiveObject | undefined): string | undefined {
  const grown = claim?.metadata.annotations?.[DISK_SIZE_ANNOTATION];
  const imported = (dataVolume?.spec as { storage?: Sized } | undefined)?.storage?.resources?.requests?.storage;
  return grown ?? imported ?? claimRequest(claim);
}

export function claimRequest(claim: LiveObject | undefined): string | undefined {
  return (claim?.spec as Sized | undefined)?.resources?.requests?.storage;
}
