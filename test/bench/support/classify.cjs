// Classifies one Kubernetes API request the way kube-apiserver labels it in apiserver_request_total
// (verb, group, resource, subresource, scope), so counts taken by a client and counts scraped from the
// server can be compared key by key. Plain CommonJS: request-counter.cjs preloads it into Node processes
// that are not ours to change (the operator, the simulator) with `node --require`.
"use strict";

/**
 * @param {string} method HTTP method
 * @param {string} rawPath path with query, e.g. /apis/kubevirt.io/v1/namespaces/ns/virtualmachines?watch=true
 * @param {string | undefined} contentType request Content-Type (server-side apply is PATCH with an apply type)
 * @returns {{verb: string, group: string, resource: string, subresource: string, scope: string} | undefined}
 *   undefined for non-resource requests (discovery, /metrics, /healthz, /version, /openapi)
 */
function classify(method, rawPath, contentType) {
  const [path, query = ""] = rawPath.split("?");
  const parts = path.split("/").filter(Boolean);
  let group;
  let rest;
  if (parts[0] === "api" && parts.length >= 2) {
    group = "";
    rest = parts.slice(2);
  } else if (parts[0] === "apis" && parts.length >= 3) {
    group = parts[1];
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return undefined; // discovery of one group/version
  let namespace = "";
  // /namespaces/<ns>/<resource>… is namespaced; /namespaces and /namespaces/<ns>[/status|/finalize] is the namespace itself.
  if (rest[0] === "namespaces" && rest.length >= 3 && rest[2] !== "status" && rest[2] !== "finalize") {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name = "", subresource = ""] = rest;
  const params = new URLSearchParams(query);
  const watching = params.get("watch") === "true" || params.get("watch") === "1";
  const m = method.toUpperCase();
  let verb;
  if (m === "GET" || m === "HEAD") verb = watching ? "WATCH" : name ? "GET" : "LIST";
  else if (m === "POST" || m === "PUT")
    verb = m; // the metric keeps POST (create) and PUT (update)
  else if (m === "PATCH") verb = /apply-patch/.test(contentType ?? "") ? "APPLY" : "PATCH";
  else if (m === "DELETE")
    verb = "DELETE"; // a delete-collection too: the scope tells them apart
  else verb = m;
  // kube-apiserver's CleanScope: a name (or a create) is "resource", else the namespace decides.
  const scope = name || verb === "POST" ? "resource" : namespace ? "namespace" : "cluster";
  return { verb, group, resource, subresource, scope };
}

/** One string per class; the same on both sides. */
function keyOf(c) {
  return `${c.verb} ${c.group || "core"}/${c.resource}${c.subresource ? "/" + c.subresource : ""} ${c.scope}`;
}

module.exports = { classify, keyOf };
