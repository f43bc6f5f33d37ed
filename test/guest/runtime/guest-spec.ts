// What one real guest needs, read from a VirtualMachineInstance and the objects it names, the way virt-launcher reads
// them: disks (PVC sizes, image or blank), NICs (pod network or a Multus NAD's CNI config), and the NoCloud seed
// (user-data, network-config, meta-data with the accessCredentials keys). Pure, so it is unit-tested.
import { parseQuantity } from "../../simulator/quantity";
import type { KubeObject } from "../../simulator/resources";
import { isHotplugVolume } from "./hotplug";

export interface GuestDisk {
  name: string;
  serial: string; // virtio-blk serials are at most 20 bytes
  claim: string; // the PVC backing it: the disk file lives as long as the claim
  sizeBytes: number;
  fromImage: boolean; // an overlay of the cached base image (boot or imported disk), else a blank sparse disk
  boot: boolean;
}

export type GuestNic =
  | { name: string; mac: string; kind: "pod" }
  | { name: string; mac: string; kind: "bridge"; podIfname: string; nad: string; cniConfig: Record<string, unknown> }
  | { name: string; mac: string; kind: "unsupported"; reason: string };

export interface GuestSpec {
  namespace: string;
  name: string;
  uid: string;
  disks: GuestDisk[];
  nics: GuestNic[];
  seed: { userData: string; networkConfig?: string; metaData: Record<string, unknown> };
}

/** Looks up what the VMI names; undefined means "not there (yet)". */
export interface Lookup {
  secret(name: string): KubeObject | undefined;
  pvc(name: string): KubeObject | undefined;
  dataVolume(name: string): KubeObject | undefined;
  nad(namespacedName: string): KubeObject | undefined;
}

export class NotReady extends Error {}

function secretText(secret: KubeObject | undefined, keys: string[], what: string): string {
  if (!secret) throw new NotReady(`${what}: Secret not found`);
  for (const key of keys) {
    const b64 = secret.data?.[key];
    if (typeof b64 === "string") return Buffer.from(b64, "base64").toString("utf8");
  }
  throw new NotReady(`${what}: Secret ${secret.metadata.name} has none of the keys ${keys.join(", ")}`);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

export function guestSpec(vmi: KubeObject, lookup: Lookup): GuestSpec {
  const spec: Loose = vmi.spec ?? {};
  const volumes: Loose[] = spec.volumes ?? [];
  const disks: GuestDisk[] = [];
  let seed: GuestSpec["seed"] | undefined;
  const specDisks: Loose[] = spec.domain?.devices?.disks ?? [];
  for (const disk of specDisks) {
    const volume = volumes.find(v => v?.name === disk?.name);
    if (!volume) throw new Error(`disk ${disk?.name} has no volume`);
    // KubeVirt attaches hot-plug volumes after start, through their attachment pod, never at boot (./hotplug.ts).
    if (isHotplugVolume(volume)) continue;
    if (volume.cloudInitNoCloud) {
      seed = noCloudSeed(vmi, volume.cloudInitNoCloud, lookup);
      continue;
    }
    const claim: string | undefined = volume.dataVolume?.name ?? volume.persistentVolumeClaim?.claimName;
    if (!claim) throw new Error(`volume ${volume.name}: only dataVolume and persistentVolumeClaim volumes get a real disk`);
    const pvc = lookup.pvc(claim);
    const sizeBytes = parseQuantity(pvc?.status?.capacity?.storage);
    if (!pvc || pvc.status?.phase !== "Bound" || !sizeBytes) throw new NotReady(`PVC ${claim} is not bound`);
    const source = lookup.dataVolume(claim)?.spec?.source;
    const boot = disk.bootOrder === 1;
    disks.push({
      name: disk.name,
      serial: String(disk.serial ?? disk.name).slice(0, 20),
      claim,
      sizeBytes,
      fromImage: boot || (source !== undefined && !source.blank),
      boot,
    });
  }
  if (!disks.some(d => d.boot) && disks.length) disks[0] = { ...disks[0], boot: true, fromImage: true };
  disks.sort((a, b) => Number(b.boot) - Number(a.boot));
  return {
    namespace: vmi.metadata.namespace ?? "",
    name: vmi.metadata.name ?? "",
    uid: vmi.metadata.uid ?? "",
    disks,
    nics: guestNics(vmi, lookup),
    seed: seed ?? { userData: "", metaData: metaData(vmi, {}) },
  };
}

function guestNics(vmi: KubeObject, lookup: Lookup): GuestNic[] {
  const spec: Loose = vmi.spec ?? {};
  const networks: Loose[] = spec.networks ?? [];
  let bridged = 0;
  return (spec.domain?.devices?.interfaces ?? []).map((iface: Loose): GuestNic => {
    const name = String(iface.name);
    const mac = String(iface.macAddress ?? "").toLowerCase();
    if (!mac) throw new Error(`interface ${name} has no macAddress`);
    const network = networks.find(n => n?.name === name);
    if (network?.pod) return { name, mac, kind: "pod" };
    const nadName: string | undefined = network?.multus?.networkName;
    if (!nadName) return { name, mac, kind: "unsupported", reason: "neither pod nor multus network" };
    const qualified = nadName.includes("/") ? nadName : `${vmi.metadata.namespace}/${nadName}`;
    const nad = lookup.nad(qualified);
    if (!nad) throw new NotReady(`NetworkAttachmentDefinition ${qualified} not found`);
    const cniConfig = JSON.parse(String(nad.spec?.config ?? "{}")) as Record<string, unknown>;
    if (!iface.bridge || cniConfig.type !== "bridge") {
      return {
        name,
        mac,
        kind: "unsupported",
        reason: `${cniConfig.type} CNI with ${Object.keys(iface)
          .filter(k => k !== "name" && k !== "macAddress")
          .join(",")} binding is not run here`,
      };
    }
    bridged++;
    return { name, mac, kind: "bridge", podIfname: `net${bridged}`, nad: qualified, cniConfig };
  });
}

function noCloudSeed(vmi: KubeObject, noCloud: Loose, lookup: Lookup): GuestSpec["seed"] {
  let userData = "";
  if (noCloud.secretRef?.name) userData = secretText(lookup.secret(noCloud.secretRef.name), ["userdata", "userData"], "user data");
  else if (noCloud.userDataBase64) userData = Buffer.from(noCloud.userDataBase64, "base64").toString("utf8");
  else if (typeof noCloud.userData === "string") userData = noCloud.userData;
  let networkConfig: string | undefined;
  if (noCloud.networkDataSecretRef?.name)
    networkConfig = secretText(lookup.secret(noCloud.networkDataSecretRef.name), ["networkdata", "networkData"], "network data");
  else if (noCloud.networkDataBase64) networkConfig = Buffer.from(noCloud.networkDataBase64, "base64").toString("utf8");
  else if (typeof noCloud.networkData === "string") networkConfig = noCloud.networkData;
  return { userData, networkConfig, metaData: metaData(vmi, publicKeys(vmi, lookup)) };
}

/** accessCredentials with noCloud propagation: every value of the key Secret becomes a meta-data public key. */
function publicKeys(vmi: KubeObject, lookup: Lookup): Record<string, string> {
  const keys: Record<string, string> = {};
  for (const credential of (vmi.spec?.accessCredentials ?? []) as Loose[]) {
    const secretName = credential?.sshPublicKey?.source?.secret?.secretName;
    if (!secretName || !credential.sshPublicKey.propagationMethod?.noCloud) continue;
    const secret = lookup.secret(secretName);
    if (!secret) throw new NotReady(`ssh key Secret ${secretName} not found`);
    for (const [key, b64] of Object.entries(secret.data ?? {})) {
      const text = Buffer.from(String(b64), "base64").toString("utf8");
      text
        .split("\n")
        .map(l => l.trim())
        .filter(Boolean)
        .forEach((line, i) => (keys[`${secretName}-${key}-${i}`] = line));
    }
  }
  return keys;
}

/** KubeVirt's NoCloud meta-data: instance-id `<name>.<namespace>`, the hostname, and public keys. */
function metaData(vmi: KubeObject, keys: Record<string, string>): Record<string, unknown> {
  const name = vmi.metadata.name ?? "";
  return {
    "instance-id": `${name}.${vmi.metadata.namespace}`,
    "local-hostname": vmi.spec?.hostname ?? name,
    ...(Object.keys(keys).length && { "public-keys": keys }),
  };
}
