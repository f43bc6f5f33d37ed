// Admission against the volumes a Wukong's disks will use (`<wukong>-<disk>`), which may exist before the disk does:
// retained from a deleted Wukong of the same name, grown outside the Wukong, or inflated by CDI. An imported disk's
// claim asks CDI's filesystem overhead on top of the disk's size (CDI v1.66.0 pkg/controller/datavolume/util.go,
// renderPvcSpecVolumeSize → pkg/controller/common/util.go InflateSizeWithOverhead): its DataVolume holds the size.
import { diskVolumeProblems, type DiskVolumes } from "../../../lib/admission/volume-checks";
import type { LiveObject } from "../../../lib/cluster/live";
import type { WukongSpec } from "../../../schemas/spec";
import { LABELS } from "../../../schemas/wukong";

const NAMESPACE = "vms";
const NAME = "db-01";
const IMAGE = "docker://quay.io/containerdisks/debian:12";
const GiB = 2 ** 30;

const spec = (system: string, data: string, dataImage?: string): WukongSpec =>
  ({
    cpu: 1,
    memory: "1Gi",
    disks: [
      { name: "system", size: system, image: IMAGE },
      { name: "data", size: data, ...(dataImage && { image: dataImage }) },
    ],
  }) as WukongSpec;

const claim = (request: string, extra: Partial<LiveObject["metadata"]> = {}): LiveObject => ({
  metadata: { name: "c", ...extra },
  spec: { resources: { requests: { storage: request } } },
});
const dataVolume = (size: string, labels?: Record<string, string>): LiveObject => ({
  metadata: { name: "dv", ...(labels && { labels }) },
  spec: { storage: { resources: { requests: { storage: size } } } },
});
const retained = { [LABELS.retainedFrom]: NAME };

function check(wukongSpec: WukongSpec, volumes: Record<string, DiskVolumes>, oldSpec?: WukongSpec) {
  const asked: string[] = [];
  const lookup = {
    diskVolumes: async (namespace: string, name: string) => {
      asked.push(`${namespace}/${name}`);
      return volumes[name] ?? {};
    },
  };
  return { problems: diskVolumeProblems({ namespace: NAMESPACE, name: NAME, spec: wukongSpec, oldSpec }, lookup), asked };
}

describe("a disk smaller than the size its volume holds now", () => {
  // CDI inflated the 1Gi import's claim to ceil(1Gi × 1.06) (global overhead 0.06): the disk still holds 1Gi.
  const inflated = { claim: claim(String(Math.ceil(GiB * 1.06))), dataVolume: dataVolume("1Gi", retained) };

  it("an imported disk is measured by its DataVolume, not by the claim CDI inflated", async () => {
    expect(await check(spec("1Gi", "2Gi"), { [`${NAME}-system`]: inflated }).problems).toEqual([]);
    expect(await check(spec("1050Mi", "2Gi"), { [`${NAME}-system`]: inflated }).problems).toEqual([]);
  });

  it("is denied at spec.disks[i].size, naming the volume and its size: a retained DataVolume and a retained blank claim", async () => {
    const volumes = {
      [`${NAME}-system`]: { claim: claim(String(Math.ceil(2 * GiB * 1.06))), dataVolume: dataVolume("2Gi", retained) },
      [`${NAME}-data`]: { claim: claim("5Gi", { labels: retained }) },
    };
    expect(await check(spec("1Gi", "4Gi"), volumes).problems).toEqual([
      {
        path: "spec.disks[0].size",
        message: `cannot be 1Gi: below the current size 2Gi of DataVolume ${NAME}-system, retained from Wukong ${NAME}; disks may only grow`,
      },
      {
        path: "spec.disks[1].size",
        message: `cannot be 4Gi: below the current size 5Gi of PersistentVolumeClaim ${NAME}-data, retained from Wukong ${NAME}; disks may only grow`,
      },
    ]);
  });

  it("an imported disk grown before holds what it was grown to (the disk-size annotation), not its DataVolume's size", async () => {
    const grown = { claim: claim(String(Math.ceil(3 * GiB * 1.06)), { annotations: { "vm.novasphere.dev/disk-size": "3Gi" } }), dataVolume: dataVolume("1Gi") };
    const old = spec("3Gi", "2Gi");
    const { problems } = check(spec("2Gi", "2Gi"), { [`${NAME}-system`]: grown }, spec("1Gi", "2Gi"));
    expect((await problems)[0]).toMatchObject({ path: "spec.disks[0].size", message: expect.stringContaining("below the current size 3Gi") });
    expect(await check(spec("3Gi", "2Gi"), { [`${NAME}-system`]: grown }, old).problems).toEqual([]);
  });

  it("on update, a growth still below a claim grown outside the Wukong is denied; an unchanged disk is not looked up", async () => {
    const volumes = { [`${NAME}-data`]: { claim: claim("8Gi") } };
    const { problems, asked } = check(spec("1Gi", "6Gi"), volumes, spec("1Gi", "2Gi"));
    expect(await problems).toEqual([
      { path: "spec.disks[1].size", message: `cannot be 6Gi: below the current size 8Gi of PersistentVolumeClaim ${NAME}-data; disks may only grow` },
    ]);
    expect(asked).toEqual([`${NAMESPACE}/${NAME}-data`]);
  });
});

describe("a retained volume of the other kind", () => {
  it("a blank claim meeting an imported disk of the same name is denied at spec.disks[i].image", async () => {
    const { problems } = check(spec("1Gi", "2Gi", IMAGE), { [`${NAME}-data`]: { claim: claim("2Gi", { labels: retained }) } });
    expect(await problems).toEqual([
      {
        path: "spec.disks[1].image",
        message: `PersistentVolumeClaim ${NAME}-data exists as a blank volume, retained from Wukong ${NAME}: an imported disk needs a DataVolume of that name and would never start; drop image to use the volume as a blank disk, rename the disk, or delete the claim`,
      },
    ]);
  });

  it("an imported disk's DataVolume meeting a blank disk of the same name is denied too", async () => {
    const { problems } = check(spec("1Gi", "2Gi"), { [`${NAME}-data`]: { claim: claim("3Gi"), dataVolume: dataVolume("2Gi", retained) } });
    expect(await problems).toEqual([
      expect.objectContaining({ path: "spec.disks[1].image", message: expect.stringContaining(`DataVolume ${NAME}-data exists for an imported disk`) }),
    ]);
  });

  it("the same kinds are adopted without a word", async () => {
    const volumes = {
      [`${NAME}-system`]: { claim: claim("2Gi"), dataVolume: dataVolume("1Gi", retained) },
      [`${NAME}-data`]: { claim: claim("2Gi", { labels: retained }) },
    };
    expect(await check(spec("1Gi", "2Gi"), volumes).problems).toEqual([]);
  });
});
