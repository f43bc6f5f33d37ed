// The interfaces each node has, as kubernetes-nmstate reports them in its NodeNetworkStates (nmstate.io/v1beta1,
// one per node, named after it; status.currentState is nmstate's own state, interfaces[].name among it), with the
// routes they carry and, where the Nodes were listed too, each node's labels (to match a policy's nodeSelector).
import type { LiveObject } from "../cluster/live";

export interface NodeInterfaces {
  node: string;
  interfaces: string[];
  /** Interfaces some running route leaves through (currentState.routes.running[].next-hop-interface). */
  routed?: string[];
  /** Port interface → the bridge or bond it is a port of (interfaces[].controller). */
  controllers?: Record<string, string>;
  /** The Node's labels; undefined when the Nodes were not listed. */
  labels?: Record<string, string>;
}

type State = { interfaces?: unknown; routes?: { running?: unknown } } | undefined;
const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter((item): item is Record<string, unknown> => typeof item === "object" && item !== null) : [];
const text = (value: unknown): value is string => typeof value === "string";

export function nodeInterfacesOf(states: Pick<LiveObject, "metadata" | "status">[], nodes?: Pick<LiveObject, "metadata">[]): NodeInterfaces[] {
  const labelsOf = new Map(nodes?.map(node => [node.metadata.name, node.metadata.labels ?? {}]));
  return states.map(state => {
    const current = (state.status as { currentState?: State } | undefined)?.currentState;
    const interfaces = records(current?.interfaces);
    const routed = records(current?.routes?.running)
      .map(route => route["next-hop-interface"])
      .filter(text);
    const controllers = interfaces.flatMap(iface => (text(iface.name) && text(iface.controller) ? [[iface.name, iface.controller] as const] : []));
    return {
      node: state.metadata.name,
      interfaces: interfaces.map(iface => iface.name).filter(text),
      routed: [...new Set(routed)],
      controllers: Object.fromEntries(controllers),
      ...(nodes && { labels: labelsOf.get(state.metadata.name) ?? {} }),
    };
  });
}
