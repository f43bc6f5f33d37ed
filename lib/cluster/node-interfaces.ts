// The interfaces each node has, as kubernetes-nmstate reports them in its NodeNetworkStates (nmstate.io/v1beta1,
// one per node, named after it; status.currentState is nmstate's own state, interfaces[].name among it).
import type { LiveObject } from "./live";

export interface NodeInterfaces {
  node: string;
  interfaces: string[];
}

export function nodeInterfacesOf(states: Pick<LiveObject, "metadata" | "status">[]): NodeInterfaces[] {
  return states.map(state => {
    const current = (state.status as { currentState?: { interfaces?: unknown } } | undefined)?.currentState;
    const interfaces = Array.isArray(current?.interfaces) ? current.interfaces : [];
    const names = interfaces.map(iface => (iface as { name?: unknown } | null)?.name).filter((name): name is string => typeof name === "string");
    return { node: state.metadata.name, interfaces: names };
  });
}
