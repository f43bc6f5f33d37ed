// The real-guest runtime inside the simulator: a Wukong labelled `sim.novasphere.dev/runtime: qemu` gets a QEMU guest
// for its VMI instead of the simulated one. Each tick it starts guests for new VMIs, stops guests whose VMI is gone,
// grows disks whose PVC grew (QMP block_resize) and writes VMI status from the guest agent. Slow work (boot, stop)
// runs in the background so the simulator's loop never waits on a guest.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { mergeConditions, nowTimestamp } from "../../simulator/conditions";
import type { KubeClient } from "../../support/kube-client";
import type { Logger } from "../../simulator/log";
import { parseQuantity } from "../../simulator/quantity";
import { keyOf, type KubeObject, type Resource, SECRET, VMI } from "../../simulator/resources";
import type { Snapshot } from "../../simulator/snapshot";
import { type NodeRuntime, wantsRealGuest } from "../../simulator/node-runtime";
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
    private readonly client: KubeClient,
    private readonly logger: Logger,
    private readonly nodeName: string,
  ) {}

  async tick(snap: Snapshot): Promise<void> {
    if (!this.adopted) await this.adopt(snap);
    const wanted = new Map<string, KubeObject>();
    for (const vmi of snap.vmis.values()) if (!vmi.metadata.deletionTimestamp && wantsRealGuest(vmi, snap.wukongs)) wanted.set(keyOf(vmi), vmi);

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
    for (const name of secretNames) secrets.set(name, await this.client.get(SECRET, ns, name));
    const nads = new Map<string, KubeObject | undefined>();
    for (const n of spec.networks ?? []) {
      const full: string | undefined = n?.multus?.networkName;
      if (!full) continue;
      const [nadNs, nadName] = full.includes("/") ? full.split("/") : [ns, full];
      nads.set(`${nadNs}/${nadName}`, await this.client.get(NAD, nadNs, nadName));
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
    await this.patchVmi(vmi, {
      phase: "Scheduled",
      nodeName: this.nodeName,
      conditions: [{ type: "Ready", status: "False", reason: "GuestNotRunning", message: "QEMU is starting" }],
    });
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
      // The OS does not change while the guest runs: asked once.
      osInfo = vmi.status?.guestOSInfo ? undefined : ((await agent(files.agent, "guest-get-osinfo", undefined, 5000)) as AgentOsInfo);
      interfaces = Array.isArray(reported) ? (reported as AgentInterface[]) : undefined;
    } catch {
      interfaces = undefined; // the agent is not up yet (booting)
    }
    const connected = interfaces !== undefined;
    const conditions = [{ type: "Ready", status: "True" as const }, ...(connected ? [{ type: "AgentConnected", status: "True" as const }] : [])];
    await this.patchVmi(vmi, {
      phase: "Running",
      nodeName: this.nodeName,
      conditions,
      interfaces: vmiInterfaces(guest.spec.nics, interfaces),
      guestOSInfo: guestOsInfo(osInfo) ?? vmi.status?.guestOSInfo,
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
    await this.client.mergePatch(VMI, vmi.metadata.namespace ?? "", vmi.metadata.name ?? "", patch).catch(err => {
      this.logger.debug(`[guest] ${key} volume status write raced: ${(err as Error).message}`);
    });
  }

  private async patchVmi(
    vmi: KubeObject,
    wanted: {
      phase: string;
      nodeName?: string;
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
    if (wanted.nodeName && vmi.metadata.labels?.["kubevirt.io/nodeName"] !== wanted.nodeName)
      patch.metadata = { labels: { "kubevirt.io/nodeName": wanted.nodeName } };
    try {
      await this.client.mergePatch(VMI, vmi.metadata.namespace ?? "", vmi.metadata.name ?? "", patch);
      if (wanted.phase !== current.phase) this.logger.info(`[guest] ${keyOf(vmi)} VMI phase ${current.phase ?? "<none>"} -> ${wanted.phase}`);
      vmi.status = desired; // the next poll diffs against what was written
    } catch (err) {
      this.logger.debug(`[guest] ${keyOf(vmi)} status write raced: ${(err as Error).message}`);
    }
  }
}
