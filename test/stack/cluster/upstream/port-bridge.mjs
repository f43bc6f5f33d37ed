// Forwards connections byte for byte between a TCP port on 127.0.0.1 and a unix socket, so a process in its own
// network namespace (pod.sh) reaches the host's loopback and is reached from it. TLS passes through untouched.
//
//   node port-bridge.mjs <pid> <listen>=<connect> ...   each side is tcp:<port> (127.0.0.1) or unix:<path>
//
// Exits when process <pid> is gone: the bridges live and die with the component they serve.
import { createConnection, createServer } from "node:net";
import { rmSync } from "node:fs";

const [watched, ...pairs] = process.argv.slice(2);
const address = spec => {
  const [kind, value] = [spec.slice(0, spec.indexOf(":")), spec.slice(spec.indexOf(":") + 1)];
  if (kind === "tcp") return { host: "127.0.0.1", port: Number(value) };
  if (kind === "unix") return { path: value };
  throw new Error(`port-bridge: ${spec} is neither tcp:<port> nor unix:<path>`);
};

for (const pair of pairs) {
  const [from, to] = pair.split("=").map(address);
  if (from.path) rmSync(from.path, { force: true });
  createServer(inbound => {
    const outbound = createConnection(to);
    inbound.pipe(outbound).pipe(inbound);
    const close = () => (inbound.destroy(), outbound.destroy());
    inbound.on("error", close);
    outbound.on("error", close);
  }).listen(from);
}

setInterval(() => {
  try {
    process.kill(Number(watched), 0);
  } catch {
    process.exit(0);
  }
}, 1000);
