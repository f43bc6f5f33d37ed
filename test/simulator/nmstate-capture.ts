// The part of nmpolicy the simulated NMState handler needs: capture expressions (a filter `path=="value"`, or
// `capture.<name> | path:="value"` to rewrite a captured state) over a node's current state, then `{{ capture.… }}`
// placeholders in the desired state replaced by what they point at. A capture that matches nothing leaves its
// placeholders unresolvable, which fails the enactment, as nmpolicy does.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export type CapturedStates = Record<string, Json>;

const FILTER = /^\s*([\w.-]+)\s*==\s*"([^"]*)"\s*$/;
const REPLACE = /^\s*capture\.([\w-]+)\s*\|\s*([\w.-]+)\s*:=\s*"([^"]*)"\s*$/;
const PLACEHOLDER = /^\s*\{\{\s*capture\.([\w-]+)\.([\w.-]+)\s*\}\}\s*$/;

/**
 * Resolves every capture; one may read another whatever their order (the API server returns the map sorted by
 * name). `cached` captures are kept as they were, as nmpolicy keeps the captures an enactment already holds.
 */
export function resolveCaptures(capture: Record<string, string> | undefined, current: Json, cached: CapturedStates = {}): CapturedStates {
  const expressions = capture ?? {};
  const out: CapturedStates = {};
  const resolving = new Set<string>();
  const resolve = (name: string): Json => {
    if (name in out) return out[name];
    if (!(name in expressions)) throw new Error(`capture ${name} is not defined`);
    if (resolving.has(name)) throw new Error(`capture ${name} refers to itself`);
    resolving.add(name);
    out[name] = cached[name] ?? evaluate(expressions[name], current, resolve);
    return out[name];
  };
  for (const name of Object.keys(expressions)) resolve(name);
  return out;
}

function evaluate(expression: string, current: Json, captured: (name: string) => Json): Json {
  const replace = REPLACE.exec(expression);
  if (replace) {
    const [, source, path, value] = replace;
    return rewrite(structuredClone(captured(source)), path.split("."), value);
  }
  const filter = FILTER.exec(expression);
  if (!filter) throw new Error(`unsupported capture expression: ${expression}`);
  const [, path, value] = filter;
  return select(current, path.split("."), value);
}

/** The state keeping, in the list the path walks through, only the items whose field equals `value`. */
function select(state: Json, path: string[], value: string): Json {
  const [head, ...rest] = path;
  const node = state?.[head];
  if (Array.isArray(node)) {
    return { [head]: node.filter(item => String(lookup(item, rest)) === value) };
  }
  return { [head]: select(node, rest, value) };
}

function rewrite(state: Json, path: string[], value: string): Json {
  const [head, ...rest] = path;
  const node = state?.[head];
  if (Array.isArray(node)) node.forEach(item => set(item, rest, value));
  else if (node !== undefined) rewrite(node, rest, value);
  return state;
}

function set(item: Json, path: string[], value: string): void {
  const last = path[path.length - 1];
  const parent = lookup(item, path.slice(0, -1));
  if (parent && typeof parent === "object") parent[last] = value;
}

function lookup(state: Json, path: string[]): Json {
  return path.reduce((node, key) => (node === undefined || node === null ? undefined : node[/^\d+$/.test(key) ? Number(key) : key]), state);
}

/** The desired state with each placeholder replaced; throws naming the first one that resolves to nothing. */
export function renderDesiredState(desired: Json, captured: CapturedStates): Json {
  if (typeof desired === "string") {
    const placeholder = PLACEHOLDER.exec(desired);
    if (!placeholder) return desired;
    const [, name, path] = placeholder;
    const value = lookup(captured[name], path.split("."));
    if (value === undefined) throw new Error(`failed to resolve "${desired.trim()}": capture ${name} has no ${path}`);
    return structuredClone(value);
  }
  if (Array.isArray(desired)) return desired.map(item => renderDesiredState(item, captured));
  if (desired && typeof desired === "object")
    return Object.fromEntries(Object.entries(desired).map(([key, value]) => [key, renderDesiredState(value, captured)]));
  return desired;
}
