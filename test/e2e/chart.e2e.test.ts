// The Helm chart `npm run build` writes (dist/wukong-chart) renders with helm, carries every shipped CRD, and
// the API server accepts every object it renders (a server dry run), with the defaults and with the values
// users change. The RBAC rules are whatever the build made them (pepr.rbacMode): not asserted here.
import { execFile, execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { type Obj, kubectl, kubectlOk } from "./support/kube";
import { REPO } from "./support/stack";

const { uuid } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).pepr;
const CHART = join(REPO, "dist", `${uuid}-chart`);
const SCHEMAS = join(REPO, "schemas");
const shipped: Obj[] = readdirSync(SCHEMAS)
  .filter(file => file.endsWith(".crd.yaml"))
  .map(file => parse(readFileSync(join(SCHEMAS, file), "utf8")));

let helm: string;

beforeAll(() => {
  if (!existsSync(join(CHART, "Chart.yaml"))) throw new Error(`no chart at ${CHART}: run npm run build first`);
  // Built once from the Go module proxy, then cached outside the repo (a cold build takes minutes).
  helm = execFileSync(join(REPO, "test/stack/chart/build-helm.sh"), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
}, 900_000);

/** `helm template` as a user runs it before installing, CRDs included; resolves to the rendered objects. */
function render(...values: string[]): Promise<Obj[]> {
  return new Promise((resolve, reject) => {
    execFile(helm, ["template", uuid, CHART, "--include-crds", ...values], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`helm template failed: ${stderr || error.message}`));
      resolve(
        parseAllDocuments(stdout)
          .map(doc => doc.toJS() as Obj)
          .filter(Boolean),
      );
    });
  });
}

const yamlOf = (objects: Obj[]) => objects.map(object => JSON.stringify(object)).join("\n---\n");
const named = (objects: Obj[], kind: string, name: string) => objects.find(o => o.kind === kind && o.metadata?.name === name);

/**
 * A server-side dry run of installing a render: the API server validates and admits every object, whole, but
 * stores none. Objects the stack already has (it runs the module: its Namespace, CRD, RBAC, webhooks) are
 * replaced, the others created: a server-side apply would merge the chart's objects with the stack's own
 * fields instead (its webhooks' `url` beside the chart's `service`, say). Helm creates the Namespace before
 * the objects in it; a dry run cannot, so the rendered Namespace is applied for real first (the stack has it).
 */
async function dryRunInstall(objects: Obj[]): Promise<string[]> {
  const namespaces = objects.filter(o => o.kind === "Namespace");
  await kubectlOk(["apply", "--server-side", "--field-manager", "wukong-chart-e2e", "-f", "-"], { stdin: yamlOf(namespaces) });
  const names = (await kubectlOk(["create", "--dry-run=client", "-o", "name", "-f", "-"], { stdin: yamlOf(objects) })).trim().split("\n");
  expect(names).toHaveLength(objects.length);
  const existing = new Set((await kubectlOk(["get", "--ignore-not-found", "-o", "name", "-f", "-"], { stdin: yamlOf(objects) })).trim().split("\n"));
  const lines: string[] = [];
  for (const [verb, chosen] of [
    ["replace", objects.filter((_, i) => existing.has(names[i]))],
    ["create", objects.filter((_, i) => !existing.has(names[i]))],
  ] as const) {
    if (chosen.length === 0) continue;
    const result = await kubectl([verb, "--dry-run=server", "-f", "-"], { stdin: yamlOf(chosen) });
    expect({ verb, code: result.code, stderr: result.stderr }).toEqual({ verb, code: 0, stderr: "" });
    lines.push(...result.stdout.trim().split("\n"));
  }
  return lines;
}

describe("the Helm chart", () => {
  test("renders with its defaults, every shipped CRD included as committed", async () => {
    const objects = await render();
    expect(shipped.length).toBeGreaterThan(0);
    for (const crd of shipped) expect(named(objects, "CustomResourceDefinition", crd.metadata.name)).toEqual(crd);
    const kinds = new Set(objects.map(o => o.kind));
    for (const kind of [
      "Namespace",
      "Deployment",
      "Secret",
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "MutatingWebhookConfiguration",
      "ValidatingWebhookConfiguration",
    ]) {
      expect({ kind, rendered: kinds.has(kind) }).toEqual({ kind, rendered: true });
    }
  });

  test("the API server accepts every object of the default render (server dry run)", async () => {
    const objects = await render();
    const lines = await dryRunInstall(objects);
    expect(lines).toHaveLength(objects.length);
    for (const line of lines) expect(line).toMatch(/ (created|replaced) \(server dry run\)$/);
    for (const crd of shipped) expect(lines.some(line => line.startsWith(`customresourcedefinition.apiextensions.k8s.io/${crd.metadata.name} `))).toBe(true);
  });

  test("the values users change (image, resources, RBAC) reach the objects, and the API server accepts them", async () => {
    const image = "registry.example.com/mirror/pepr/controller:v1.1.4";
    const rules = [{ apiGroups: ["vm.novasphere.dev"], resources: ["wukongs", "wukongs/status"], verbs: ["get", "list", "watch", "patch"] }];
    const objects = await render(
      "--set",
      `admission.image=${image}`,
      "--set",
      `watcher.image=${image}`,
      "--set",
      "watcher.resources.limits.memory=1Gi",
      "--set",
      "admission.resources.requests.cpu=50m",
      "--set-json",
      `rbac=${JSON.stringify(rules)}`,
    );
    const deployments = objects.filter(o => o.kind === "Deployment");
    expect(deployments.map(d => d.spec.template.spec.containers[0].image)).toEqual([image, image]);
    const resources = (controller: string) =>
      deployments.find(d => d.metadata.labels["pepr.dev/controller"] === controller)!.spec.template.spec.containers[0].resources;
    expect(resources("watcher").limits.memory).toBe("1Gi");
    expect(resources("admission").requests.cpu).toBe("50m");
    expect(objects.find(o => o.kind === "ClusterRole")!.rules).toEqual(rules);
    const lines = await dryRunInstall(objects);
    expect(lines).toHaveLength(objects.length);
  });

  test("imagePullSecrets is refused, as the README warns: Pepr 1.1.4 renders it inside the container", async () => {
    const objects = await render("--set", "imagePullSecrets={regcred}");
    const deployments = objects.filter(o => o.kind === "Deployment");
    expect(deployments.map(d => d.spec.template.spec.containers[0].imagePullSecrets)).toEqual([[{ name: "regcred" }], [{ name: "regcred" }]]);
    const result = await kubectl(["create", "--dry-run=server", "-f", "-"], { stdin: yamlOf(deployments) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('unknown field "spec.template.spec.containers[0].imagePullSecrets"');
  });
});
