// The real-guest runtime inside the simulator: a Wukong labelled `sim.novasphere.dev/runtime: qemu` gets a QEMU guest
// for its VMI instead of the simulated virt-handler's. It plays virt-handler for those VMIs, after the real
// virt-controller: once virt-controller hands the VMI to a simulated node (phase Scheduled, its launcher pod
// running; kubevirt v1.7.4 pkg/virt-controller/watch/vmi/lifecycle.go), it boots QEMU; it reports Running with what
// the guest agent says; it grows disks whose PVC grew (QMP block_resize); when the VMI is deleted or its launcher pod
// goes, it stops QEMU and reports Succeeded, which lets virt-controller finish the VMI. Status is written as
// virt-handler's ServiceAccount (virt-api puts back anyone else's). Slow work (boot, stop) runs in the background so
// the simulator's loop never waits on a guest. Which VMIs want a guest, and when: guestWanted below.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { mergeConditions, nowTimestamp } from "../../simulator/conditions";
import type { Logger } from "../../simulator/log";
import { parseQuantity } from "../../simulator/quantity";
import { keyOf, type KubeObject, type Resource, SECRET, VMI } from "../../simulator/resources";
import type { Snapshot } from "../../simulator/snapshot";
import type { NodeClients } from "../../simulator/main";
import { type NodeRuntime, wantsRealGuest } from "../../simulator/node-runtime";
import { launcherPodRuns } from "../../simulator/virt-handler";
import { replacePatch } from "../../simulator/status-diff";
import { type GuestSpec, guestSpec, type Lookup, NotReady } from "./guest-spec";
import { type Artifacts, buildArtifacts, hostLayout, type HostLayout } from "./host";
import { alive, guestFiles, launch, type MachineSize, resizeDisk, stop } from "./launcher";
import { syncGuestHotplug } from "./hotplug";
import { agent } from "./qemu-socket";
import { type AgentInterface, type AgentOsInfo, guestOsInfo, vmiInterfaces } from "./vmi-status";

export const NAD: Resource = {
  group: "k8s.cni.cncf.io",
  version: "v1",
  plural: "network-attachment-definitions",
  kind: "NetworkAttachmentDefinition",
  namespaced: true,
};
const POLL_MS = 5000;

interface Guest {
  vmiUid: string;
  spec: GuestSpec;
  pid?: number;
  dir?: string;
  notes: string[];
  state: "starting" | "running" | "stopping" | "exited";
  sizes: Map<string, number>;
  lastPoll: number;
  startedAt: number;
}

export class GuestRuntime implements NodeRuntime {
  private readonly guests = new Map<string, Guest>();
  private readonly layout: HostLayout = hostLayout();
  private artifacts?: Promise<Artifacts>;
  private adopted = false;
  private readonly machine: MachineSize = {
    memory: process.env.SIM_GUEST_MEMORY || "512M",
    cpus: Number(process.env.SIM_GUEST_CPUS || 1),
    accel: process.env.SIM_GUEST_ACCEL || "tcg,thread=multi,tb-size=128",
  };

  constructor(
    private readonly clients: NodeClients,
    private readonly logger: Logger,
  ) {}

  async tick(snap: Snapshot): Promise<void> {
    if (!this.adopted) await this.adopt(snap);
    const wanted = new Map<string, KubeObject>();
    for (const vmi of snap.vmis.values()) {
      if (!wantsRealGuest(vmi, snap.wukongs)) continue;
      if (guestWanted(vmi, snap)) wanted.set(keyOf(vmi), vmi);
      else if (shutDown(vmi, snap) && !this.guests.has(keyOf(vmi))) await this.reportShutdown(vmi);
    }

    for (const [key, guest] of this.guests) {
      const vmi = wanted.get(key);
      if ((!vmi || vmi.metadata.uid !== guest.vmiUid) && guest.state !== "stopping" && guest.state !== "starting")
        this.stopGuest(key, guest, "its VMI is gone");
    }
    for (const [key, vmi] of wanted) {
      const guest = this.guests.get(key);
      if (!guest) await this.startGuest(key, vmi, snap);
      else if (guest.vmiUid === vmi.metadata.uid && (guest.state === "running" || guest.state === "exited")) {
        // One guest's trouble (a QMP or agent error) must not stop the others' status.
        await this.observe(key, vmi, guest, snap).catch(err =>
          this.logger.once(`observe:${key}`, `[guest] ${key} observe failed (will retry): ${(err as Error).message}`),
        );
      }
    }
  }

  /** Guests left running by an earlier simulator process (a restart is resumed, not orphaned). */
  private async adopt(snap: Snapshot): Promise<void> {
    this.adopted = true;
    const dirs = await readdir(this.layout.runDir).catch(() => [] as string[]);
    for (const entry of dirs) {
      const dir = path.join(this.layout.runDir, entry);
      const info = await readFile(guestFiles(dir).info, "utf8")
        .then(JSON.parse)
        .catch(() => undefined);
      if (!info?.spec) continue;
      const key = `${info.namespace}/${info.name}`;
      const vmi = snap.vmis.get(key);
      const guest: Guest = {
        vmiUid: vmi?.metadata.uid === info.uid ? info.uid : "",
        spec: info.spec,
        pid: info.pid,
        dir,
        notes: info.notes ?? [],
        state: alive(info.pid) ? "running" : "exited",
        sizes: new Map(),
        lastPoll: 0,
        startedAt: Date.now(),
      };
      for (const disk of (info.spec as GuestSpec).disks) guest.sizes.set(disk.name, disk.sizeBytes);
      this.guests.set(key, guest);
      this.logger.info(`[guest] ${key} adopted QEMU pid ${info.pid} from an earlier run`);
    }
  }

  private async lookupFor(vmi: KubeObject, snap: Snapshot): Promise<Lookup> {
    const ns = vmi.metadata.namespace ?? "";
    const spec = vmi.spec ?? {};
    const secretNames = new Set<string>();
    for (const v of spec.volumes ?? []) {
      const ci = v?.cloudInitNoCloud;
      if (ci?.secretRef?.name) secretNames.add(ci.secretRef.name);
      if (ci?.networkDataSecretRef?.name) secretNames.add(ci.networkDataSecretRef.name);
    }
    for (const c of spec.accessCredentials ?? []) if (c?.sshPublicKey?.source?.secret?.secretName) secretNames.add(c.sshPublicKey.source.secret.secretName);
    const secrets = new Map<string, KubeObject | undefined>();
    for (const name of secretNames) secrets.set(name, await this.clients.admin.get(SECRET, ns, name));
    const nads = new Map<string, KubeObject | undefined>();
    for (const n of spec.networks ?? []) {
      const full: string | undefined = n?.multus?.networkName;
      if (!full) continue;
      const [nadNs, nadName] = full.includes("/") ? full.split("/") : [ns, full];
      nads.set(`${nadNs}/${nadName}`, await this.clients.admin.get(NAD, nadNs, nadName));
    }
    return {
      secret: name => secrets.get(name),
      pvc: name => snap.pvcs.get(`${ns}/${name}`),
      dataVolume: name => snap.dataVolumes.get(`${ns}/${name}`) ?? undefined,
      nad: name => nads.get(name),
    };
  }

  private async startGuest(key: string, vmi: KubeObject, snap: Snapshot): Promise<void> {
    let spec: GuestSpec;
    try {
      spec = guestSpec(vmi, await this.lookupFor(vmi, snap));
    } catch (err) {
      const why = err instanceof NotReady ? "waiting" : "cannot start";
      this.logger.once(`guest:${key}`, `[guest] ${key} ${why}: ${(err as Error).message}`);
      return;
    }
    this.logger.clear(`guest:${key}`);
    const guest: Guest = {
      vmiUid: vmi.metadata.uid ?? "",
      spec,
      notes: [],
      state: "starting",
      sizes: new Map(spec.disks.map(d => [d.name, d.sizeBytes])),
      lastPoll: 0,
      startedAt: Date.now(),
    };
    this.guests.set(key, guest);
    this.artifacts ??= buildArtifacts();
    void (async () => {
      const artifacts = await this.artifacts!;
      const launched = await launch(spec, this.layout, artifacts, this.machine);
      Object.assign(guest, { pid: launched.pid, dir: launched.dir, notes: launched.notes, state: "running" as const });
      this.logger.info(`[guest] ${key} QEMU started (pid ${launched.pid}, netns ${launched.netns}, ${this.machine.accel}, -m ${this.machine.memory})`);
      for (const note of launched.notes) this.logger.info(`[guest] ${key} ${note}`);
    })().catch(err => {
      this.logger.info(`[guest] ${key} failed to start: ${(err as Error).message}`);
      guest.state = "exited";
      this.artifacts = undefined; // a failed build is retried for the next guest
    });
  }

  private stopGuest(key: string, guest: Guest, why: string): void {
    guest.state = "stopping";
    this.logger.info(`[guest] ${key} stopping QEMU pid ${guest.pid} (${why})`);
    const started = Date.now();
    void (async () => {
      const artifacts = await (this.artifacts ??= buildArtifacts());
      await stop(guest.spec, this.layout, artifacts, guest.pid ?? 0);
      this.logger.info(`[guest] ${key} stopped in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    })()
      .catch(err => this.logger.info(`[guest] ${key} stop failed: ${(err as Error).message}`))
      .finally(() => this.guests.delete(key));
  }

  /** Grows disks whose claim grew, and reports what the guest agent says, every few seconds. */
  private async observe(key: string, vmi: KubeObject, guest: Guest, snap: Snapshot): Promise<void> {
    if (Date.now() - guest.lastPoll < POLL_MS || !guest.dir) return;
    guest.lastPoll = Date.now();
    if (guest.state === "running" && guest.pid && !alive(guest.pid)) {
      guest.state = "exited";
      this.logger.info(`[guest] ${key} QEMU pid ${guest.pid} exited`);
    }
    if (guest.state === "exited") {
      await this.patchVmi(vmi, { phase: "Failed", conditions: [{ type: "Ready", status: "False", reason: "GuestNotRunning", message: "QEMU exited" }] });
      return;
    }
    for (const disk of guest.spec.disks) {
      const capacity = parseQuantity(snap.pvcs.get(`${vmi.metadata.namespace}/${disk.claim}`)?.status?.capacity?.storage);
      if (capacity && capacity > (guest.sizes.get(disk.name) ?? 0)) {
        await resizeDisk(guest.dir, disk.name, capacity);
        guest.sizes.set(disk.name, capacity);
        this.logger.info(`[guest] ${key} disk ${disk.name} resized to ${capacity} bytes (QMP block_resize)`);
      }
    }
    const files = guestFiles(guest.dir);
    await this.hotplug(key, vmi, files.qmp, snap);
    let interfaces: AgentInterface[] | undefined;
    let osInfo: AgentOsInfo | undefined;
    try {
      const reported = await agent(files.agent, "guest-network-get-interfaces", undefined, 5000);
      // The OS does not change while the guest runs: asked once. virt-controller stores an empty guestOSInfo ({},
      // the Go struct's zero value) before any agent has answered, so "known" means it names the OS.
      osInfo = vmi.status?.guestOSInfo?.id ? undefined : ((await agent(files.agent, "guest-get-osinfo", undefined, 5000)) as AgentOsInfo);
      interfaces = Array.isArray(reported) ? (reported as AgentInterface[]) : undefined;
    } catch {
      interfaces = undefined; // the agent is not up yet (booting)
    }
    const connected = interfaces !== undefined;
    const conditions = [{ type: "Ready", status: "True" as const }, ...(connected ? [{ type: "AgentConnected", status: "True" as const }] : [])];
    await this.patchVmi(vmi, {
      phase: "Running",
      conditions,
      interfaces: vmiInterfaces(guest.spec.nics, interfaces),
      guestOSInfo: guestOsInfo(osInfo) ?? vmi.status?.guestOSInfo,
    });
  }

  /** The guest is gone and its VMI is deleted or lost its launcher pod: shut down, as virt-handler reports it. */
  private async reportShutdown(vmi: KubeObject): Promise<void> {
    await this.patchVmi(vmi, {
      phase: "Succeeded",
      conditions: [{ type: "Ready", status: "False", reason: "PodTerminating", message: "the guest shut down" }],
    });
  }

  /** Disks hot-plugged into (or out of) the running guest as their VMI volumes come and go (./hotplug.ts). */
  private async hotplug(key: string, vmi: KubeObject, qmpSocket: string, snap: Snapshot): Promise<void> {
    const volumeStatus = await syncGuestHotplug(vmi, qmpSocket, this.layout, snap, line => this.logger.info(`[guest] ${key} ${line}`));
    // The launcher's SELinux context as virt-handler reports it on a node without SELinux: virt-controller renders no
    // attachment pod without it (kubevirt v1.7.4 pkg/virt-controller/services/template.go, matchSELinuxLevelOfVMI).
    const selinux = vmi.status?.selinuxContext ? {} : { selinuxContext: "none" };
    if (!volumeStatus && !selinux.selinuxContext) return;
    // With the resourceVersion: a list virt-controller changed meanwhile is re-read next tick, not overwritten.
    const patch = { metadata: { resourceVersion: vmi.metadata.resourceVersion }, status: { ...selinux, ...(volumeStatus && { volumeStatus }) } };
    await this.clients.virtHandler.mergePatch(VMI, vmi.metadata.namespace ?? "", vmi.metadata.name ?? "", patch).catch((err: unknown) => {
      this.logger.debug(`[guest] ${key} volume status write raced: ${(err as Error).message}`);
    });
  }

  private async patchVmi(
    vmi: KubeObject,
    wanted: {
      phase: string;
      conditions: { type: string; status: "True" | "False"; reason?: string; message?: string }[];
      interfaces?: unknown;
      guestOSInfo?: unknown;
    },
  ): Promise<void> {
    const current = vmi.status ?? {};
    const desired: Record<string, unknown> = { ...current, ...wanted, conditions: mergeConditions(current.conditions, wanted.conditions, { probeTime: true }) };
    if (wanted.phase !== current.phase) {
      const history = Array.isArray(current.phaseTransitionTimestamps) ? current.phaseTransitionTimestamps : [];
      desired.phaseTransitionTimestamps = [...history, { phase: wanted.phase, phaseTransitionTimestamp: nowTimestamp() }];
    }
    const diff = replacePatch(current, desired);
    if (!diff) return;
    const patch: Record<string, unknown> = { status: diff };
    try {
      await this.clients.virtHandler.mergePatch(VMI, vmi.metadata.namespace ?? "", vmi.metadata.name ?? "", patch);
      if (wanted.phase !== current.phase) this.logger.info(`[guest] ${keyOf(vmi)} VMI phase ${current.phase ?? "<none>"} -> ${wanted.phase}`);
      vmi.status = desired; // the next poll diffs against what was written
    } catch (err) {
      this.logger.debug(`[guest] ${keyOf(vmi)} status write raced: ${(err as Error).message}`);
    }
  }
}

/** On a simulated node, handed over by virt-controller (Scheduled) or already booted, its launcher pod running. */
export function guestWanted(vmi: KubeObject, snap: Pick<Snapshot, "nodes" | "pods">): boolean {
  const node = vmi.status?.nodeName;
  if (!node || !snap.nodes.has(`/${node}`) || vmi.metadata.deletionTimestamp) return false;
  return ["Scheduled", "Running"].includes(vmi.status?.phase) && launcherPodRuns(vmi, snap);
}

/** A booted VMI that is being deleted or lost its launcher pod: its guest must stop, then it has Succeeded. */
export function shutDown(vmi: KubeObject, snap: Pick<Snapshot, "nodes" | "pods">): boolean {
  const node = vmi.status?.nodeName;
  if (!node || !snap.nodes.has(`/${node}`)) return false;
  return ["Scheduled", "Running"].includes(vmi.status?.phase) && (!!vmi.metadata.deletionTimestamp || !launcherPodRuns(vmi, snap));
}
