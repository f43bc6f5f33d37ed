// The watcher's CRD installer against the real API server: it creates a missing CRD, upgrades an older one
// (keeping other annotations), leaves an equal or newer one untouched, and re-reads after a conflicting write.
// It runs on a CRD of its own, so the Wukong CRD the other journeys use stays as it is.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { crdPort } from "../../capabilities/runtime/crd-port";
import { KubeClient } from "../../capabilities/runtime/kube-client";
import { type CrdPort, installCrd } from "../../lib/crd/install";
import { CRD_VERSION_ANNOTATION, type ShippedCrd } from "../../schemas/crds";
import { REPO } from "./support/stack";
import { type Obj, kubectl, kubectlOk } from "./support/kube";

const GROUP = "crd-install.e2e.novasphere.dev";
const NAME = `probes.${GROUP}`;

/** The test CRD as module `version` ships it: each version adds one spec field. */
function probeCrd(version: string, fields: string[]): ShippedCrd {
  const properties = Object.fromEntries(fields.map(field => [field, { type: "string" }]));
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: NAME, annotations: { [CRD_VERSION_ANNOTATION]: version } },
    spec: {
      group: GROUP,
      names: { kind: "Probe", listKind: "ProbeList", plural: "probes", singular: "probe" },
      scope: "Namespaced",
      versions: [
        { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object", properties } } } } },
      ],
    },
  };
}
const V010 = probeCrd("0.1.0", ["a"]);
const V020 = probeCrd("0.2.0", ["a", "b"]);

const live = async (): Promise<Obj> => JSON.parse(await kubectlOk(["get", "crd", NAME, "-o", "json"]));
const specFields = (crd: Obj) => Object.keys(crd.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties).sort();
const deleteProbeCrd = () => kubectlOk(["delete", "crd", NAME, "--ignore-not-found", "--wait=true"]);

let client: Promise<KubeClient>;
let port: CrdPort;

beforeAll(async () => {
  client = KubeClient.fromDefault(); // KUBECONFIG from global-setup.ts
  port = crdPort(() => client);
  await deleteProbeCrd();
});
afterAll(deleteProbeCrd);

describe("the watcher's CRD installer on the real API server", () => {
  test("creates the missing CRD, stamped with its version", async () => {
    await expect(installCrd(port, V010)).resolves.toEqual({ action: "create" });
    const crd = await live();
    expect(crd.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe("0.1.0");
    expect(specFields(crd)).toEqual(["a"]);
  });

  test("leaves an equal CRD untouched (no write)", async () => {
    const before = (await live()).metadata.resourceVersion;
    await expect(installCrd(port, V010)).resolves.toMatchObject({ action: "keep", reason: "current" });
    expect((await live()).metadata.resourceVersion).toBe(before);
  });

  test("upgrades an older CRD and keeps the annotations others put on it", async () => {
    await kubectlOk(["annotate", "crd", NAME, "example.com/owner=platform-team"]);
    await expect(installCrd(port, V020)).resolves.toEqual({ action: "upgrade", from: "0.1.0" });
    const crd = await live();
    expect(crd.metadata.annotations).toMatchObject({ [CRD_VERSION_ANNOTATION]: "0.2.0", "example.com/owner": "platform-team" });
    expect(specFields(crd)).toEqual(["a", "b"]);
  });

  test("never downgrades a newer CRD", async () => {
    const before = await live();
    await expect(installCrd(port, V010)).resolves.toEqual({ action: "keep", reason: "newer", installed: "0.2.0" });
    const after = await live();
    expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(specFields(after)).toEqual(["a", "b"]);
  });

  test("re-reads after someone else wrote between its read and its write (the API server's 409)", async () => {
    await kubectlOk(["annotate", "--overwrite", "crd", NAME, `${CRD_VERSION_ANNOTATION}=0.1.0`]);
    let patches = 0;
    const racing: CrdPort = {
      ...port,
      async patch(name, patch) {
        if (patches++ === 0) await kubectlOk(["annotate", "--overwrite", "crd", NAME, "example.com/touched=yes"]);
        return port.patch(name, patch);
      },
    };
    await expect(installCrd(racing, V020)).resolves.toEqual({ action: "upgrade", from: "0.1.0" });
    expect(patches).toBe(2);
    expect((await live()).metadata.annotations).toMatchObject({ [CRD_VERSION_ANNOTATION]: "0.2.0", "example.com/touched": "yes" });
  });

  test("upgrades a CRD a user applied without the annotation, keeping kubectl's last-applied record", async () => {
    await deleteProbeCrd();
    const unversioned = { ...V010, metadata: { name: NAME } };
    await kubectlOk(["apply", "-f", "-"], { stdin: JSON.stringify(unversioned) });
    await expect(installCrd(port, V020)).resolves.toEqual({ action: "upgrade" });
    const crd = await live();
    expect(crd.metadata.annotations[CRD_VERSION_ANNOTATION]).toBe("0.2.0");
    expect(crd.metadata.annotations).toHaveProperty(["kubectl.kubernetes.io/last-applied-configuration"]);
    expect(specFields(crd)).toEqual(["a", "b"]);
  });
});

describe("the Wukong CRD on the stack", () => {
  test("carries this package's version: the one the watcher installs and npm run build ships", async () => {
    const { version } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const result = await kubectl(["get", "crd", "wukongs.vm.novasphere.dev", "-o", `jsonpath={.metadata.annotations.vm\\.novasphere\\.dev/crd-version}`]);
    expect({ code: result.code, version: result.stdout }).toEqual({ code: 0, version });
  });
});
