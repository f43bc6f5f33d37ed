// Picks out of the upstream install files what the local cluster applies for the real KubeVirt and CDI control
// planes, and changes only what must change outside a cluster network.
//
//   tsx test/stack/cluster/upstream/manifests.ts <out dir> <ca.crt> <virt-api port> <cdi-api port> [<CRD name>...]
//
// CRDs named after the ports are left out of crds.yaml: those of the CRD set up.sh installed (WUKONG_CRD_SET, an older
// release's on purpose) and those it leaves out (WUKONG_OMIT_CRDS): the cluster must serve what that set serves.
//
// Reads ../shared/upstream/kubevirt-v1.7.4/install-strategy.yaml (what virt-operator v1.7.4 installs),
// ../shared/upstream/cdi-v1.66.0/install.yaml (what cdi-operator v1.66.0 creates up front) and cdi-webhooks.yaml
// beside this file (the webhooks cdi-operator creates later, which install.yaml lacks). Writes into <out dir>:
//   crds.yaml       every CustomResourceDefinition, plus cdi-crd.yaml and volume-snapshot-crds.yaml beside this file
//                   (the CSI snapshot API, which a real cluster installs with its snapshot-controller)
//   resources.yaml  Namespaces, ServiceAccounts, RBAC, Services and ConfigMaps, verbatim
//   <container>.args, <container>.env   each Deployment container's args and env (name=value, only literal values),
//                   one a line: how up.sh runs virt-api, virt-controller, cdi-apiserver and cdi-controller
//   webhooks.yaml   the webhook configurations of virt-api and cdi-apiserver, with clientConfig.service replaced by
//                   url https://127.0.0.1:<port><path> and our CA as caBundle: there is no Service network here.
// Left out: Deployments and the DaemonSet (up.sh runs the binaries), the empty certificate Secrets (up.sh makes
// the certificates), virt-operator's own webhook (no operator runs), the APIServices (the aggregator reaches a
// Service only through cluster networking), OpenShift and Prometheus kinds, and the instancetype catalogue.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

type ServiceRef = { name: string; namespace: string; path?: string; port?: number };
type Webhook = { clientConfig: { service?: ServiceRef; url?: string; caBundle?: string } };
type Container = { name: string; args?: string[]; env?: { name: string; value?: string }[] };
type Doc = {
  kind?: string;
  metadata?: { name?: string };
  webhooks?: Webhook[];
  spec?: { template?: { spec?: { containers?: Container[] } } };
};

const [outDir, caFile, virtApiPort, cdiApiPort, ...keptCrds] = process.argv.slice(2);
if (!cdiApiPort) throw new Error("usage: manifests.ts <out dir> <ca.crt> <virt-api port> <cdi-api port>");
const upstream = join(__dirname, "../../../../../shared/upstream");
const read = (file: string): Doc[] =>
  parseAllDocuments(readFileSync(file, "utf8"))
    .map(d => d.toJS() as Doc | null)
    .filter((d): d is Doc => d !== null);

const kubevirt = read(join(upstream, "kubevirt-v1.7.4/install-strategy.yaml"));
const cdi = read(join(upstream, "cdi-v1.66.0/install.yaml"));
const local = ["cdi-crd.yaml", "volume-snapshot-crds.yaml", "cdi-webhooks.yaml"].flatMap(file => read(join(__dirname, file)));
const all = [...kubevirt, ...cdi, ...local];

const namespaces = ["kubevirt", "cdi"].map(name => ({ apiVersion: "v1", kind: "Namespace", metadata: { name } }));
const verbatim = new Set(["ServiceAccount", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding", "Service", "ConfigMap"]);
// Webhooks of servers that run here, by the Service they name; virt-operator's is not among them.
const servedBy: Record<string, string> = { "kubevirt/virt-api": virtApiPort, "cdi/cdi-api": cdiApiPort };
const caBundle = Buffer.from(readFileSync(caFile)).toString("base64");

const localWebhooks = (doc: Doc): Doc | undefined => {
  const webhooks = doc.webhooks ?? [];
  const ports = webhooks.map(w => w.clientConfig.service && servedBy[`${w.clientConfig.service.namespace}/${w.clientConfig.service.name}`]);
  if (!ports.every(Boolean)) return undefined;
  return {
    ...doc,
    webhooks: webhooks.map((w, i) => ({
      ...w,
      clientConfig: { url: `https://127.0.0.1:${ports[i]}${w.clientConfig.service?.path ?? "/"}`, caBundle },
    })),
  };
};

const yamlOf = (docs: object[]) => docs.map(d => stringify(d)).join("---\n");
mkdirSync(outDir, { recursive: true });
const kept = new Set(keptCrds);
writeFileSync(join(outDir, "crds.yaml"), yamlOf(all.filter(d => d.kind === "CustomResourceDefinition" && !kept.has(d.metadata?.name ?? ""))));
writeFileSync(join(outDir, "resources.yaml"), yamlOf([...namespaces, ...all.filter(d => verbatim.has(d.kind ?? ""))]));
const webhooks = all
  .filter(d => d.kind === "ValidatingWebhookConfiguration" || d.kind === "MutatingWebhookConfiguration")
  .map(localWebhooks)
  .filter((d): d is Doc => d !== undefined);
writeFileSync(join(outDir, "webhooks.yaml"), yamlOf(webhooks));
for (const deployment of all.filter(d => d.kind === "Deployment")) {
  for (const container of deployment.spec?.template?.spec?.containers ?? []) {
    writeFileSync(join(outDir, `${container.name}.args`), (container.args ?? []).map(a => `${a}\n`).join(""));
    const env = (container.env ?? []).filter(e => e.value !== undefined).map(e => `${e.name}=${e.value}\n`);
    writeFileSync(join(outDir, `${container.name}.env`), env.join(""));
  }
}
