// kubectl as a user runs it (execFile, no shell), plus the few reads and waits every journey needs.
// PATH (the built kubectl v1.36.3 first) and KUBECONFIG come from global-setup.ts.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { FINALIZER, LABELS } from "../../../schemas/wukong";

export const API_GROUP = "vm.novasphere.dev";
export const WUKONG_LABEL = LABELS.wukong;
export { FINALIZER };
/** Every namespace a journey creates carries this label, so a later run can clear leftovers. */
export const SUITE_LABEL = "e2e.novasphere.dev/suite";

/** Fully qualified resource names, so nothing depends on short-name discovery. */
export const R = {
  wukong: "wukongs.vm.novasphere.dev",
  vm: "virtualmachines.kubevirt.io",
  vmi: "virtualmachineinstances.kubevirt.io",
  dv: "datavolumes.cdi.kubevirt.io",
  nad: "network-attachment-definitions.k8s.cni.cncf.io",
  pvc: "persistentvolumeclaims",
  secret: "secrets",
  wks: "wukongsnapshots.vm.novasphere.dev",
  vmSnapshot: "virtualmachinesnapshots.snapshot.kubevirt.io",
  vmSnapshotContent: "virtualmachinesnapshotcontents.snapshot.kubevirt.io",
  vmRestore: "virtualmachinerestores.snapshot.kubevirt.io",
} as const;

export interface KubectlResult {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

export interface KubectlOptions {
  stdin?: string;
  timeoutMs?: number;
}

/** Runs kubectl; resolves with its exit code whatever it is (rejects only if kubectl could not run). */
export function kubectl(args: string[], { stdin, timeoutMs = 60_000 }: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile("kubectl", args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, env: process.env }, (error, stdout, stderr) => {
      const code = error ? (error as NodeJS.ErrnoException & { code?: unknown }).code : 0;
      if (error && typeof code !== "number") {
        reject(new Error(`kubectl ${args.join(" ")} did not run to completion (${error.message}); stderr: ${stderr}`));
        return;
      }
      resolve({ args, code: code as number, stdout, stderr });
    });
    child.stdin?.end(stdin ?? "");
  });
}

/** Runs kubectl and fails with its stderr unless it exits 0. */
export async function kubectlOk(args: string[], options: KubectlOptions = {}): Promise<string> {
  const result = await kubectl(args, options);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(" ")} exited ${result.code}: ${result.stderr.trim()}`);
  return result.stdout;
}

/** `kubectl apply -f -` of YAML (or JSON) text into a namespace. */
export function apply(namespace: string, manifest: string): Promise<string> {
  return kubectlOk(["apply", "-n", namespace, "-f", "-"], { stdin: manifest });
}

/** The same, returning the outcome instead of failing: for specs that must be rejected. */
export function tryApply(namespace: string, manifest: string): Promise<KubectlResult> {
  return kubectl(["apply", "-n", namespace, "-f", "-"], { stdin: manifest });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Obj = Record<string, any>;

export async function getJson(resource: string, name: string, namespace: string): Promise<Obj> {
  return JSON.parse(await kubectlOk(["get", resource, name, "-n", namespace, "-o", "json"]));
}

/** The object, or undefined when the API server says NotFound. */
export async function getJsonOrUndefined(resource: string, name: string, namespace: string): Promise<Obj | undefined> {
  const result = await kubectl(["get", resource, name, "-n", namespace, "-o", "json"]);
  if (result.code === 0) return JSON.parse(result.stdout);
  if (/NotFound|not found/.test(result.stderr)) return undefined;
  throw new Error(`kubectl get ${resource} ${name} -n ${namespace} exited ${result.code}: ${result.stderr.trim()}`);
}

export async function list(resource: string, namespace: string, selector?: string): Promise<Obj[]> {
  const args = ["get", resource, "-n", namespace, "-o", "json", ...(selector ? ["-l", selector] : [])];
  return JSON.parse(await kubectlOk(args)).items as Obj[];
}

export interface EventSummary {
  type: string;
  reason: string;
  message: string;
}

/** Events whose involvedObject is this object, oldest first. */
export async function eventsFor(namespace: string, kind: string, name: string): Promise<EventSummary[]> {
  const items = JSON.parse(
    await kubectlOk(["get", "events", "-n", namespace, "--field-selector", `involvedObject.kind=${kind},involvedObject.name=${name}`, "-o", "json"]),
  ).items as Obj[];
  return items
    .sort((a, b) => String(a.firstTimestamp ?? a.eventTime).localeCompare(String(b.firstTimestamp ?? b.eventTime)))
    .map(event => ({ type: event.type, reason: event.reason, message: event.message }));
}

export interface WaitOptions<T> {
  /** What is awaited, for the timeout message: "wk/web phase Running". */
  describe: string;
  /** Done when this holds for the observed value; default: the value is truthy. */
  until?: (value: T) => boolean;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `observe` until `until(value)`; returns that value. An observation that throws counts as "not yet"
 * (the error is kept as the last observation). On timeout the error names what was awaited and the last value.
 */
export async function waitFor<T>(
  observe: () => Promise<T>,
  { describe, until = v => Boolean(v), timeoutMs = 60_000, intervalMs = 500 }: WaitOptions<T>,
): Promise<T> {
  const started = Date.now();
  let last: unknown = "(nothing observed yet)";
  for (;;) {
    try {
      const value = await observe();
      if (until(value)) return value;
      last = value;
    } catch (error) {
      last = `error: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (Date.now() - started >= timeoutMs) {
      throw new Error(`Timed out after ${((Date.now() - started) / 1000).toFixed(1)} s waiting for ${describe}; last observed: ${show(last)}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function show(value: unknown): string {
  // JSON.stringify(undefined) is undefined: an object that never appeared must still read as such.
  const text = typeof value === "string" ? value : (JSON.stringify(value, null, 1) ?? String(value));
  return text.length > 3000 ? `${text.slice(0, 3000)}…` : text;
}

/** A fresh namespace for one journey, labelled for leftover clean-up: e2e-<journey>-<random>. */
export async function createNamespace(journey: string): Promise<string> {
  const name = `e2e-${journey}-${randomBytes(3).toString("hex")}`;
  await kubectlOk(["create", "namespace", name]);
  await kubectlOk(["label", "namespace", name, `${SUITE_LABEL}=true`]);
  return name;
}

/** Deletes a journey's namespace without waiting: the namespace controller and the operator finish it. */
export async function deleteNamespace(namespace: string | undefined): Promise<void> {
  if (namespace) await kubectlOk(["delete", "namespace", namespace, "--wait=false", "--ignore-not-found"]);
}

// ---- Wukong-specific reads ------------------------------------------------------------------------

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export const wukong = (namespace: string, name: string) => getJson(R.wukong, name, namespace);

export function condition(object: Obj | undefined, type: string): Condition | undefined {
  return (object?.status?.conditions as Condition[] | undefined)?.find(c => c.type === type);
}

/** A compact view of a Wukong's status for wait messages. */
export function statusSummary(object: Obj | undefined): Obj {
  const status = object?.status ?? {};
  return {
    phase: status.phase,
    message: status.message,
    conditions: (status.conditions ?? []).map((c: Condition) => `${c.type}=${c.status}/${c.reason}`),
    nodeName: status.nodeName,
  };
}

/** Waits for `phase` and returns the Wukong; the timeout message shows phase, message and conditions. */
export async function waitForPhase(namespace: string, name: string, phase: string, timeoutMs = 90_000): Promise<Obj> {
  let latest: Obj | undefined;
  await waitFor(
    async () => {
      latest = await wukong(namespace, name);
      return statusSummary(latest);
    },
    { describe: `wk/${name} in ${namespace} to reach phase ${phase}`, until: s => s.phase === phase, timeoutMs },
  );
  return latest!;
}

/** JSON is YAML: a Wukong manifest from a spec object. */
export function wukongManifest(name: string, spec: Obj, metadata: Obj = {}): string {
  return JSON.stringify({ apiVersion: `${API_GROUP}/v1alpha1`, kind: "Wukong", metadata: { name, ...metadata }, spec });
}

/** A WukongSnapshot manifest. */
export function snapshotManifest(name: string, wukongName: string, metadata: Obj = {}): string {
  return JSON.stringify({ apiVersion: `${API_GROUP}/v1alpha1`, kind: "WukongSnapshot", metadata: { name, ...metadata }, spec: { wukongName } });
}

/** Waits for a WukongSnapshot to reach `phase` and returns it. */
export async function waitForSnapshotPhase(namespace: string, name: string, phase: string, timeoutMs = 60_000): Promise<Obj> {
  return waitFor(() => getJson(R.wks, name, namespace), {
    describe: `wks/${name} in ${namespace} to reach phase ${phase}`,
    until: snapshot => snapshot.status?.phase === phase,
    timeoutMs,
  });
}
