// Takes apart the manifest `pepr build` wrote (dist/pepr-module-<uuid>.yaml) into what Pepr's pods get from
// their volumes and Deployment spec, so test/stack/deployed/ can run the built module without containers.
//
//   tsx test/stack/deployed/manifest.ts <manifest.yaml> <stage dir>
//
// Writes into <stage dir>:
//   load/module-<hash>.js.gz     the module Secret (mounted at /app/load in both Deployments)
//   api-path/value               the api-path Secret (mounted at /app/api-path in the admission Deployment)
//   generated-certs/             the TLS Secret (tls.crt, tls.key) and the webhooks' caBundle (ca.crt)
//   hash, uuid                   the module hash (controller.js's argument) and the module uuid
//   <component>.args, .env       the container's args and env of the admission / watcher Deployment, one a line
//   components                   which of the two Deployments the manifest has
//   crds.yaml                    the CustomResourceDefinitions `npm run build` put in the manifest (none for a
//                                module built by plain `pepr build`), applied before everything else
//   resources.yaml               everything else a user's `kubectl apply` creates except Deployments, Services and
//                                webhook configurations (Namespace, RBAC, ServiceAccount, Secrets)
//   webhooks.yaml                the Mutating/ValidatingWebhookConfiguration with only clientConfig changed:
//                                the Service reference becomes url https://<service>.<namespace>.svc:@ADMISSION_PORT@<path>
//                                (start.sh maps that name to 127.0.0.1); the generated caBundle stays
//   service-hosts                the Services' DNS names (<name>.<namespace>.svc), one a line
// Prints the hash.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { parseAllDocuments, stringify } from "yaml";
import { bytesOf } from "../../../schemas/quantity";

type Doc = {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  data?: Record<string, string>;
  spec?: {
    template?: {
      spec?: {
        containers?: {
          args?: string[];
          command?: string[];
          env?: { name: string; value?: string; valueFrom?: unknown }[];
          resources?: { limits?: { memory?: string } };
        }[];
      };
    };
  };
  webhooks?: {
    name: string;
    clientConfig: { service?: { name?: string; namespace?: string; path?: string }; url?: string; caBundle?: string };
  }[];
};

function fail(message: string): never {
  console.error(`manifest.ts: ${message}`);
  process.exit(1);
}

const [manifestPath, stage] = process.argv.slice(2);
if (!manifestPath || !stage) fail("usage: tsx test/stack/deployed/manifest.ts <manifest.yaml> <stage dir>");

const docs: Doc[] = parseAllDocuments(readFileSync(manifestPath, "utf8"))
  .map(d => d.toJS() as Doc | null)
  .filter((d): d is Doc => d !== null && typeof d === "object");

const one = (what: string, pick: (d: Doc) => boolean): Doc => {
  const found = docs.filter(pick);
  if (found.length !== 1) fail(`expected exactly one ${what} in ${manifestPath}, found ${found.length}`);
  return found[0];
};
const secret = (suffix: string) => one(`Secret *${suffix}`, d => d.kind === "Secret" && (d.metadata?.name ?? "").endsWith(suffix));
const b64 = (s: string) => Buffer.from(s, "base64");
const write = (rel: string, content: string | Buffer) => {
  const path = join(stage, rel);
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, content);
};

// The module: one key module-<hash>.js.gz; controller.js checks sha256(gunzip(file)) against <hash>.
const moduleSecret = secret("-module");
const moduleKeys = Object.keys(moduleSecret.data ?? {});
const key = moduleKeys.find(k => /^module-[a-f0-9]{64}\.js\.gz$/.test(k));
if (!key || moduleKeys.length !== 1) fail(`module Secret has keys ${moduleKeys.join(", ")}; expected one module-<sha256>.js.gz`);
const hash = key.slice("module-".length, -".js.gz".length);
const gz = b64(moduleSecret.data![key]);
const actual = createHash("sha256").update(gunzipSync(gz)).digest("hex");
if (actual !== hash) fail(`module hash mismatch: the key says ${hash}, the content hashes to ${actual}`);
write(`load/${key}`, gz);
write("hash", `${hash}\n`);

const apiPath = b64(secret("-api-path").data?.value ?? "")
  .toString()
  .trim();
if (!apiPath) fail("the api-path Secret has no value");
write("api-path/value", apiPath);

const tls = secret("-tls").data ?? {};
if (!tls["tls.crt"] || !tls["tls.key"]) fail("the TLS Secret lacks tls.crt or tls.key");
write("generated-certs/tls.crt", b64(tls["tls.crt"]));
write("generated-certs/tls.key", b64(tls["tls.key"]));

// The Deployments: args and env of the one container, as the kubelet would start it. A module without
// watch bindings has no watcher Deployment (and one without admission bindings none for admission).
const uuids = new Set<string>();
const components: string[] = [];
for (const component of ["admission", "watcher"]) {
  const deployments = docs.filter(d => d.kind === "Deployment" && d.metadata?.labels?.["pepr.dev/controller"] === component);
  if (deployments.length === 0) continue;
  const deployment = one(`${component} Deployment`, d => deployments.includes(d));
  components.push(component);
  uuids.add(deployment.metadata?.labels?.["pepr.dev/uuid"] ?? "");
  const containers = deployment.spec?.template?.spec?.containers ?? [];
  if (containers.length !== 1) fail(`the ${component} Deployment has ${containers.length} containers; expected 1`);
  const [container] = containers;
  if (container.command?.length) fail(`the ${component} container sets command ${JSON.stringify(container.command)}; only args are supported`);
  const args = container.args ?? [];
  if (!args[0]?.endsWith("/controller.js") || args[1] !== hash) fail(`unexpected ${component} args ${JSON.stringify(args)}`);
  write(`${component}.args`, args.map(a => `${a}\n`).join(""));
  const env = (container.env ?? []).map(e => {
    if (e.valueFrom !== undefined || e.value === undefined) fail(`${component} env ${e.name}: only literal values are supported`);
    if (/[\n\0]/.test(e.value)) fail(`${component} env ${e.name}: multi-line values are not supported`);
    return `${e.name}=${e.value}\n`;
  });
  write(`${component}.env`, env.join(""));
  // The container's memory limit: supervise.sh runs the pod in a memory cgroup of that size, as a kubelet does.
  // Node sizes its heap from it, so memory behaves as in the cluster (and an overrun is an OOM kill).
  const limit = container.resources?.limits?.memory;
  const bytes = limit === undefined ? undefined : bytesOf(limit);
  if (limit !== undefined && bytes === undefined) fail(`${component} memory limit ${limit} is not a quantity`);
  write(`${component}.memory-limit`, bytes === undefined ? "" : `${bytes}\n`);
}
if (components.length === 0) fail(`no admission or watcher Deployment in ${manifestPath}`);
write("components", components.map(c => `${c}\n`).join(""));
if (uuids.size !== 1) fail(`Deployments disagree on pepr.dev/uuid: ${[...uuids].join(", ")}`);
write("uuid", `${[...uuids][0]}\n`);

// The webhooks: the Service reference becomes a url with the Service's own DNS name, which the generated
// certificate names, on the local admission port. The generated caBundle is kept as it is.
const webhookConfigs = docs.filter(d => d.kind === "MutatingWebhookConfiguration" || d.kind === "ValidatingWebhookConfiguration");
let caBundle = "";
for (const config of webhookConfigs) {
  for (const webhook of config.webhooks ?? []) {
    const { service, caBundle: bundle } = webhook.clientConfig;
    if (!service?.path || !service.name || !service.namespace)
      fail(`webhook ${webhook.name} of ${config.kind} has no clientConfig.service name, namespace and path`);
    if (!bundle) fail(`webhook ${webhook.name} of ${config.kind} has no caBundle`);
    caBundle ||= bundle;
    webhook.clientConfig = { url: `https://${service.name}.${service.namespace}.svc:@ADMISSION_PORT@${service.path}`, caBundle: bundle };
  }
}
if (caBundle) write("generated-certs/ca.crt", b64(caBundle));
const services = docs.filter(d => d.kind === "Service" && d.metadata?.name && d.metadata.namespace);
write("service-hosts", services.map(d => `${d.metadata?.name}.${d.metadata?.namespace}.svc\n`).join(""));
write("webhooks.yaml", webhookConfigs.map(d => stringify(d)).join("---\n"));

const isCrd = (d: Doc) => d.kind === "CustomResourceDefinition";
write(
  "crds.yaml",
  docs
    .filter(isCrd)
    .map(d => stringify(d))
    .join("---\n"),
);

const skipped = new Set(["CustomResourceDefinition", "Deployment", "Service", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
write(
  "resources.yaml",
  docs
    .filter(d => !skipped.has(d.kind ?? ""))
    .map(d => stringify(d))
    .join("---\n"),
);
console.log(hash);
