// Every Wukong sample against the real control planes: its VirtualMachine is admitted by virt-api (KubeVirt
// v1.7.4), virt-controller creates its VMI and launcher pod (pkg/virt-controller/watch/vm/vm.go, then
// watch/vmi/lifecycle.go), cdi-controller (CDI v1.66.0) imports its DataVolumes before that pod exists, and
// kube-scheduler binds the pod to a simulated node. Each sample file is applied whole (some carry a Secret). The pod is what virt-controller rendered
// (pkg/virt-controller/services/template.go): it carries the Multus networks annotation naming our NADs and requests
// the GPU and SR-IOV resources. The simulator only plays the kubelet and virt-handler (test/simulator/kubelet.ts,
// virt-handler.ts).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import {
  type Obj,
  R,
  apply,
  createNamespace,
  deleteNamespace,
  eventsFor,
  getJson,
  getJsonOrUndefined,
  list,
  sleep,
  waitFor,
  waitForPhase,
} from "../support/kube";
import { REPO } from "../support/stack";

const samples = readdirSync(join(REPO, "samples"))
  .filter(file => file.endsWith(".yaml"))
  .flatMap(file =>
    parseAllDocuments(readFileSync(join(REPO, "samples", file), "utf8"))
      .map(doc => doc.toJS() as Obj)
      .filter(doc => doc?.kind === "Wukong")
      .map(wukong => ({ file, wukong, text: readFileSync(join(REPO, "samples", file), "utf8") })),
  );

const namespaces: string[] = [];
afterAll(() => Promise.all(namespaces.map(deleteNamespace)));

async function launcherPod(ns: string, vmi: Obj): Promise<Obj> {
  // null, not undefined, while there is none: waitFor's timeout message prints the last observation.
  const pod = await waitFor<Obj | null>(
    async () => (await list("pods", ns, `kubevirt.io=virt-launcher,kubevirt.io/created-by=${vmi.metadata.uid}`))[0] ?? null,
    {
      describe: `the virt-launcher pod of vmi/${vmi.metadata.name} in ${ns}`,
      timeoutMs: 60_000,
    },
  );
  return pod!;
}

/** The object once it exists (waitFor's until guarantees it is there). */
async function appeared(resource: string, name: string, ns: string): Promise<Obj> {
  return (await waitFor(() => getJsonOrUndefined(resource, name, ns), { describe: `${resource} ${name} in ${ns}`, timeoutMs: 60_000 }))!;
}

const requests = (pod: Obj): Obj => pod.spec.containers.find((c: Obj) => c.name === "compute")?.resources?.limits ?? {};

test("the samples include the GPU, SR-IOV and HA ones this suite checks", () => {
  expect(samples.map(s => s.file)).toEqual(expect.arrayContaining(["gpu.yaml", "sriov.yaml", "ha.yaml", "stopped.yaml"]));
});

describe.each(samples)("sample $file", ({ file, wukong, text }) => {
  const name = wukong.metadata.name as string;
  let ns: string;

  test("virt-api admits its VirtualMachine and virt-controller acts on it", async () => {
    ns = await createNamespace(`up-${file.replace(/\.yaml$/, "")}`);
    namespaces.push(ns);
    await apply(ns, text);
    const vm = await appeared(R.vm, name, ns);
    // virt-api's mutating webhook ran on it: it fills spec.template.spec.architecture (pkg/virt-api/webhooks/mutating-webhook/mutators/vm-mutator.go).
    expect(vm.spec.template.spec.architecture).toBe("amd64");

    if (vm.spec.runStrategy === "Halted") {
      await sleep(5000);
      expect(await getJsonOrUndefined(R.vmi, name, ns)).toBeUndefined();
      // Provisioning first while its DataVolumes import (virt-controller reports that even for a Halted VM), then Stopped.
      await waitFor(async () => (await getJson(R.vm, name, ns)).status?.printableStatus, {
        describe: `vm/${name} printableStatus Stopped`,
        until: printable => printable === "Stopped",
        timeoutMs: 120_000,
      });
      return;
    }

    const vmi = await appeared(R.vmi, name, ns);
    expect(vmi.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "VirtualMachine", uid: vm.metadata.uid, controller: true })]);
    // virt-controller's VM controller says so itself (pkg/virt-controller/watch/vm/vm.go, startVMI).
    const started = await waitFor(async () => (await eventsFor(ns, "VirtualMachine", name)).find(e => e.reason === "SuccessfulCreate"), {
      describe: `virt-controller's SuccessfulCreate event on vm/${name}`,
    });
    expect(started?.message).toBe(`Started the virtual machine by creating the new virtual machine instance ${name}`);

    // virt-controller creates the pod only once every DataVolume is ready (watch/vmi/lifecycle.go, sync): each went
    // through cdi-controller, whose importer pod finished and whose claim carries its record of it
    // (containerized-data-importer v1.66.0 pkg/controller/import-controller.go, updatePvcFromPod).
    const pod = await launcherPod(ns, vmi);
    for (const dv of await list(R.dv, ns)) {
      expect(dv.status?.phase).toBe("Succeeded");
      const pvc = await getJson(R.pvc, dv.metadata.name, ns);
      expect(pvc.status.phase).toBe("Bound");
      expect(pvc.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "DataVolume", uid: dv.metadata.uid })]);
      expect(pvc.metadata.annotations?.["cdi.kubevirt.io/storage.pod.phase"]).toBe("Succeeded");
      expect(pvc.metadata.annotations?.["cdi.kubevirt.io/storage.import.importPodName"]).toMatch(/^importer-/);
    }
    const nads = (await list(R.nad, ns)).map(nad => nad.metadata.name as string);
    if (nads.length > 0) {
      // A Multus network marked default replaces the pod network: template.go names it in
      // v1.multus-cni.io/default-network, the others in k8s.v1.cni.cncf.io/networks (pkg/network/multus/annotation.go).
      const annotations = pod.metadata.annotations ?? {};
      const secondary = JSON.parse(annotations["k8s.v1.cni.cncf.io/networks"] || "[]") as Obj[];
      const attached = [
        ...secondary.map(a => `${a.namespace}/${a.name}`),
        ...(annotations["v1.multus-cni.io/default-network"] ?? "").split(",").filter(Boolean),
      ];
      expect(attached.sort()).toEqual(nads.map(nad => `${ns}/${nad}`).sort());
    }
    for (const gpu of wukong.spec.gpus ?? []) expect(requests(pod)[gpu.deviceName]).toBe("1");
    for (const net of (wukong.spec.networks ?? []).filter((n: Obj) => n.type === "sriov")) expect(requests(pod)[net.resourceName]).toBe("1");

    const scheduled = await waitFor(() => getJson("pods", pod.metadata.name, ns), {
      describe: `pod ${pod.metadata.name} bound by kube-scheduler`,
      until: p => Boolean(p.spec.nodeName),
    });
    expect(["sim-node-1", "sim-node-2"]).toContain(scheduled.spec.nodeName);
    const running = await waitForPhase(ns, name, "Running", 60_000);
    expect(running.status.nodeName).toBe(scheduled.spec.nodeName);
  });
});

test("kube-scheduler keeps the HA sample's group apart across the two simulated nodes", async () => {
  const ha = samples.find(s => s.file === "ha.yaml")!.wukong;
  const ns = await createNamespace("up-ha-pair");
  namespaces.push(ns);
  const names = ["db-a", "db-b"];
  for (const name of names) await apply(ns, JSON.stringify({ ...ha, metadata: { ...ha.metadata, name } }));
  const nodes = await Promise.all(
    names.map(async name => {
      const vmi = await appeared(R.vmi, name, ns);
      const pod = await launcherPod(ns, vmi);
      expect(pod.spec.affinity?.podAntiAffinity).toBeDefined();
      const bound = await waitFor(() => getJson("pods", pod.metadata.name, ns), { describe: `pod of ${name} bound`, until: p => Boolean(p.spec.nodeName) });
      return bound.spec.nodeName as string;
    }),
  );
  expect(new Set(nodes).size).toBe(2);
});
