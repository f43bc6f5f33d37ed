// Counts the Kubernetes API requests of the Node process it is loaded into, by the classes of
// apiserver_request_total (classify.cjs), and writes them to <dir>/<role>-<pid>-<start>.json every 200 ms
// (when they changed), at exit, and on SIGUSR2 (the driver's "flush now", right before it scrapes the server).
// It listens on Node's diagnostics channels, undici's (kubernetes-fluent-client, fetch, the test tools' client) and node:http's
// (http.request); it adds no request and changes none.
//
// Preload it into processes that are not ours to change, through NODE_OPTIONS="--require <file>", which
// child_process.fork passes on. Either set BENCH_REQUEST_COUNTS=<dir> in their environment, or (for test/stack/deployed,
// whose containers get a fixed environment) require a generated file that calls startCounting(<dir>).
// role: BENCH_COUNTER_ROLE, else watcher/admission from Pepr's PEPR_WATCH_MODE, else the script's name.
"use strict";
const dc = require("node:diagnostics_channel");
const fs = require("node:fs");
const path = require("node:path");
const { classify, keyOf } = require("./classify.cjs");

let started = false;

function startCounting(dir, role = defaultRole()) {
  if (started || !dir) return;
  started = true;
  const since = Date.now();
  const file = path.join(dir, `${role}-${process.pid}-${since}.json`); // pids repeat in a container's PID namespace
  const counts = Object.create(null); // class → requests sent
  const failures = Object.create(null); // "class status" → responses ≥ 400
  const classes = new WeakMap();
  let dirty = false;

  const headerOf = (headers, name) => {
    if (Array.isArray(headers)) {
      for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === name) return String(headers[i + 1]);
    } else if (typeof headers === "string") {
      const m = headers.match(new RegExp(`^${name}:\\s*(.*)$`, "im"));
      if (m) return m[1].trim();
    }
    return undefined;
  };
  const count = (request, method, reqPath, contentType) => {
    const c = classify(method, reqPath, contentType);
    if (!c) return;
    const key = keyOf(c);
    classes.set(request, key);
    counts[key] = (counts[key] || 0) + 1;
    dirty = true;
  };
  const answered = (request, status) => {
    const key = classes.get(request);
    if (key && status >= 400) {
      const k = `${key} ${status}`;
      failures[k] = (failures[k] || 0) + 1;
      dirty = true;
    }
  };

  dc.subscribe("undici:request:create", ({ request }) => count(request, request.method, request.path, headerOf(request.headers, "content-type")));
  dc.subscribe("undici:request:headers", ({ request, response }) => answered(request, response.statusCode));
  dc.subscribe("http.client.request.start", ({ request }) => {
    const type = request.getHeader("content-type");
    count(request, request.method, request.path, type === undefined ? undefined : String(type));
  });
  dc.subscribe("http.client.response.finish", ({ request, response }) => answered(request, response.statusCode));

  const flush = () => {
    if (!dirty) return;
    dirty = false;
    const body = JSON.stringify({ role, pid: process.pid, since, argv: process.argv.slice(1), at: Date.now(), counts, failures });
    try {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(`${file}.tmp`, body);
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // best effort: a benchmark aid must never break the process it watches
    }
  };
  setInterval(flush, 200).unref();
  process.on("exit", flush);
  process.on("SIGUSR2", () => {
    dirty = true;
    flush();
  });
}

function defaultRole() {
  if (process.env.BENCH_COUNTER_ROLE) return process.env.BENCH_COUNTER_ROLE;
  if (process.env.PEPR_WATCH_MODE === "true") return "watcher";
  if (process.env.PEPR_WATCH_MODE === "false") return "admission";
  return path.basename(process.argv[1] || "node").replace(/\.[cm]?[jt]s$/, "");
}

if (process.env.BENCH_REQUEST_COUNTS) startCounting(process.env.BENCH_REQUEST_COUNTS);

module.exports = { startCounting };
