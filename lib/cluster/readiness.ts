// When reconciles may start: once discovery has said which optional APIs are served, and every watch started has
// listed once (an object not yet seen must not read as missing). A watch of an API the cluster does not serve never
// lists, so it is never started nor waited for: on a cluster without snapshot.kubevirt.io/v1beta1 (KubeVirt before
// v1.3.0) or NMState, Wukongs that use neither still reconcile.
import { KUBEVIRT_CONFIG_API, KUBEVIRT_SNAPSHOT_API } from "./features";
import { OPTIONAL_WATCHES, type WatchedKind } from "./kinds";

export class Readiness {
  readonly #waitFor = new Set<WatchedKind>();
  readonly #watchedApis = new Set<string>();
  #discovered = false;

  constructor(private readonly isSynced: (kind: WatchedKind) => boolean) {}

  /** A watch every reconcile waits for (the children kinds, WukongSnapshots). */
  waitFor(kind: WatchedKind): void {
    this.#waitFor.add(kind);
  }

  /** Discovery answered: returns the served APIs not watched yet, whose watches the caller starts now. */
  discovered(servedApis: ReadonlySet<string>): string[] {
    this.#discovered = true;
    const fresh = Object.keys(OPTIONAL_WATCHES).filter(api => servedApis.has(api) && !this.#watchedApis.has(api));
    for (const api of fresh) {
      this.#watchedApis.add(api);
      OPTIONAL_WATCHES[api].forEach(kind => this.#waitFor.add(kind));
    }
    return fresh;
  }

  /** Wukong reconciles: discovery answered and every started watch listed. */
  wukongsReady(): boolean {
    return this.#discovered && [...this.#waitFor].every(kind => this.isSynced(kind));
  }

  /** WukongSnapshot reconciles: discovery answered, and the VirtualMachineSnapshots and KubeVirt CR listed if watched. */
  snapshotsReady(): boolean {
    const needed = [KUBEVIRT_SNAPSHOT_API, KUBEVIRT_CONFIG_API].filter(api => this.#watchedApis.has(api)).flatMap(api => OPTIONAL_WATCHES[api]);
    return this.#discovered && needed.every(kind => this.isSynced(kind));
  }
}
