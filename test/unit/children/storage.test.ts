// Disks: CDI DataVolumes for images (registry or http source), PVCs for blank disks, and the StorageClass choice.
import { desiredChildren } from "../../../lib/children";
import type { WukongSpec } from "../../../schemas/spec";
import { ownedMetadata, vmTemplateSpec, wukong } from "./fixtures";

const build = (spec: Omit<WukongSpec, "cpu" | "memory">, defaultStorageClass?: string) =>
  desiredChildren(wukong("vm", { cpu: 1, memory: "1Gi", ...spec }), { defaultStorageClass });

const dataVolume = (disk: string, source: unknown, storage: object) => ({
  apiVersion: "cdi.kubevirt.io/v1beta1",
  kind: "DataVolume",
  metadata: ownedMetadata(`vm-${disk}`, "vm"),
  spec: { source, storage: { accessModes: ["ReadWriteOnce"], ...storage } },
});

describe("image imports", () => {
  it("imports docker:// and oci-archive: through the registry source, URL intact, and http(s) through the http source", () => {
    const children = build({
      disks: [
        { name: "system", size: "20Gi", image: "docker://quay.io/containerdisks/ubuntu:24.04", storageClassName: "longhorn" },
        { name: "tools", size: "1Gi", image: "oci-archive:/images/tools.tar" },
        { name: "legacy", size: "10Gi", image: "http://images.example.com/legacy.qcow2" },
        { name: "secure", size: "10Gi", image: "https://images.example.com/disk.img.xz" },
      ],
    });
    expect(children.dataVolumes).toEqual([
      dataVolume(
        "system",
        { registry: { url: "docker://quay.io/containerdisks/ubuntu:24.04" } },
        { resources: { requests: { storage: "20Gi" } }, storageClassName: "longhorn" },
      ),
      dataVolume("tools", { registry: { url: "oci-archive:/images/tools.tar" } }, { resources: { requests: { storage: "1Gi" } } }),
      dataVolume("legacy", { http: { url: "http://images.example.com/legacy.qcow2" } }, { resources: { requests: { storage: "10Gi" } } }),
      dataVolume("secure", { http: { url: "https://images.example.com/disk.img.xz" } }, { resources: { requests: { storage: "10Gi" } } }),
    ]);
    expect(children.persistentVolumeClaims).toEqual([]);
  });

  it("imports spec.osImage into the boot disk without an image; other disks stay blank", () => {
    const children = build({
      osImage: "docker://quay.io/containerdisks/debian:12",
      disks: [
        { name: "data", size: "100Gi" },
        { name: "root", size: "30Gi", boot: true },
      ],
    });
    expect(children.dataVolumes).toEqual([
      dataVolume("root", { registry: { url: "docker://quay.io/containerdisks/debian:12" } }, { resources: { requests: { storage: "30Gi" } } }),
    ]);
    expect(children.persistentVolumeClaims.map(pvc => pvc.metadata.name)).toEqual(["vm-data"]);
    const template = vmTemplateSpec(children.virtualMachine) as { domain: { devices: { disks: unknown[] } }; volumes: unknown[] };
    expect(template.domain.devices.disks).toEqual([
      { name: "data", disk: { bus: "virtio" } },
      { name: "root", disk: { bus: "virtio" }, bootOrder: 1 },
      { name: "cloudinitdisk", disk: { bus: "virtio" } },
    ]);
    expect(template.volumes.slice(0, 2)).toEqual([
      { name: "data", persistentVolumeClaim: { claimName: "vm-data" } },
      { name: "root", dataVolume: { name: "vm-root" } },
    ]);
  });

  it("a boot disk's own image wins over osImage", () => {
    const children = build({ osImage: "docker://a/os:1", disks: [{ name: "system", size: "20Gi", image: "https://b/disk.qcow2", boot: true }] });
    expect((children.dataVolumes[0].spec as { source: unknown }).source).toEqual({ http: { url: "https://b/disk.qcow2" } });
  });

  it("osImage without disks gets admission's 20Gi boot disk `system`", () => {
    const children = build({ osImage: "docker://a/os:1" });
    expect(children.dataVolumes).toEqual([dataVolume("system", { registry: { url: "docker://a/os:1" } }, { resources: { requests: { storage: "20Gi" } } })]);
  });

  it("boots the first disk when none is marked", () => {
    const children = build({
      disks: [
        { name: "a", size: "1Gi" },
        { name: "b", size: "1Gi" },
      ],
    });
    const disks = (vmTemplateSpec(children.virtualMachine).domain as { devices: { disks: { name: string; bootOrder?: number }[] } }).devices.disks;
    expect(disks.filter(disk => disk.bootOrder).map(disk => [disk.name, disk.bootOrder])).toEqual([["a", 1]]);
  });
});

describe("StorageClass", () => {
  const pvcSpec = (disk: WukongSpec["disks"], defaultStorageClass?: string) => build({ disks: disk }, defaultStorageClass).persistentVolumeClaims[0].spec;

  it("blank disks are ReadWriteOnce Filesystem PVCs", () => {
    expect(pvcSpec([{ name: "data", size: "5Gi" }])).toEqual({
      accessModes: ["ReadWriteOnce"],
      volumeMode: "Filesystem",
      resources: { requests: { storage: "5Gi" } },
    });
  });

  // CDI v1.66.0 pkg/controller/datavolume/util.go, renderPvcSpecVolumeModeAndAccessModesAndStorageClass: a
  // spec.storage without accessModes (and without volumeMode) takes both from StorageProfile status.claimPropertySets[0]
  // and fails with "cannot get access mode from StorageProfile" when the profile lists none (getDefaultVolumeAndAccessMode).
  // With accessModes set it only asks the profile for a matching volume mode, falling back to Kubernetes' default
  // (getDefaultVolumeMode), so an empty profile no longer stops the import.
  it("imported disks ask for ReadWriteOnce like blank disks, leaving only the volume mode to the StorageProfile", () => {
    const { dataVolumes, persistentVolumeClaims } = build({
      disks: [
        { name: "system", size: "5Gi", image: "docker://a/b:c" },
        { name: "data", size: "5Gi" },
      ],
    });
    const { storage } = dataVolumes[0].spec as { storage: { accessModes?: string[]; volumeMode?: string } };
    expect(storage.accessModes).toEqual(["ReadWriteOnce"]);
    expect(storage.accessModes).toEqual((persistentVolumeClaims[0].spec as { accessModes: string[] }).accessModes);
    expect(storage).not.toHaveProperty("volumeMode");
  });

  it("takes the disk's class, else the cluster default from the context, else leaves it to the API server", () => {
    expect(pvcSpec([{ name: "d", size: "5Gi", storageClassName: "fast" }], "standard")).toMatchObject({ storageClassName: "fast" });
    expect(pvcSpec([{ name: "d", size: "5Gi" }], "standard")).toMatchObject({ storageClassName: "standard" });
    expect(pvcSpec([{ name: "d", size: "5Gi" }])).not.toHaveProperty("storageClassName");
    const dv = build({ disks: [{ name: "d", size: "5Gi", image: "docker://a/b:c" }] }, "standard").dataVolumes[0];
    expect(dv.spec).toMatchObject({ storage: { storageClassName: "standard" } });
  });

  it("adds no binding-mode annotation (WaitForFirstConsumer stays in charge)", () => {
    const children = build({
      disks: [
        { name: "d", size: "5Gi", image: "docker://a/b:c" },
        { name: "e", size: "1Gi" },
      ],
    });
    for (const object of [...children.dataVolumes, ...children.persistentVolumeClaims]) expect(object.metadata.annotations).toBeUndefined();
  });
});
