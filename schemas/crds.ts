// Every CRD this module ships, in one list: `npm run generate:crd` writes each to schemas/<file>, `npm run build`
// adds those files to the deploy manifest and the chart, and the watcher installs or upgrades each at start.
import packageJson from "../package.json";
import { wukongCrd, wukongSnapshotCrd } from "./crd";
import { API } from "./wukong";

/** The module version whose CRD this is: the watcher upgrades an older CRD and never downgrades a newer one. */
export const CRD_VERSION_ANNOTATION = `${API.group}/crd-version`;

export interface ShippedCrd {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations: Record<string, string> };
  spec: object;
}

type CrdBuilder = () => { apiVersion: string; kind: string; metadata: { name: string }; spec: object };

const CRDS: { file: string; build: CrdBuilder }[] = [
  { file: "wukong.crd.yaml", build: wukongCrd },
  { file: "wukongsnapshot.crd.yaml", build: wukongSnapshotCrd },
];

/** Each CRD with its file name under schemas/, stamped with this package's version. */
export function shippedCrds(version: string = packageJson.version): { file: string; crd: ShippedCrd }[] {
  return CRDS.map(({ file, build }) => {
    const { apiVersion, kind, metadata, spec } = build();
    return { file, crd: { apiVersion, kind, metadata: { ...metadata, annotations: { [CRD_VERSION_ANNOTATION]: version } }, spec } };
  });
}
