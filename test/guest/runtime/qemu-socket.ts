// A line-delimited JSON client for QEMU's two control sockets: QMP (the monitor: resize a disk, power down) and the
// guest agent channel (qemu-guest-agent inside the guest: interfaces, OS info, exec). One request per connection,
// so a guest that stops answering never leaves a half-read stream behind.
import net from "node:net";

export class SocketTimeout extends Error {}

interface Reply {
  return?: unknown;
  error?: { class: string; desc: string };
  QMP?: unknown;
  event?: string;
}

/**
 * Sends commands in order on one connection and returns the last one's result; throws on an error reply. With
 * `syncId`, replies are skipped until the guest-sync reply carrying it: the agent's channel outlives a connection,
 * so a reply to an abandoned request may still be queued in it.
 */
function converse(path: string, commands: object[], expectGreeting: boolean, timeoutMs: number, syncId?: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path);
    let buffer = "";
    let sent = 0;
    let greeted = !expectGreeting;
    let synced = syncId === undefined;
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    const timer = setTimeout(() => done(() => reject(new SocketTimeout(`${path}: no answer in ${timeoutMs} ms`))), timeoutMs);
    const sendNext = () => socket.write(JSON.stringify(commands[sent++]) + "\n");
    socket.on("connect", () => greeted && sendNext());
    socket.on("error", err => done(() => reject(err)));
    socket.on("data", chunk => {
      buffer += chunk.toString("utf8");
      let newline: number;
      while ((newline = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, newline).trim();
        buffer = buffer.slice(newline + 1);
        if (!line) continue;
        let reply: Reply;
        try {
          reply = JSON.parse(line) as Reply;
        } catch {
          continue; // the agent may emit a 0xff sync byte before its JSON
        }
        if (reply.QMP) {
          greeted = true;
          sendNext();
          continue;
        }
        if (reply.event) continue;
        if (!synced) {
          if (reply.return !== syncId) continue;
          synced = true;
          sendNext();
          continue;
        }
        if (reply.error) return done(() => reject(new Error(`${path}: ${reply.error?.class}: ${reply.error?.desc}`)));
        if (sent < commands.length) sendNext();
        else return done(() => resolve(reply.return));
      }
    });
  });
}

/** A QMP command (after capability negotiation). */
export function qmp(path: string, execute: string, args?: object, timeoutMs = 5000): Promise<unknown> {
  return converse(path, [{ execute: "qmp_capabilities" }, { execute, ...(args && { arguments: args }) }], true, timeoutMs);
}

/** A guest agent command, preceded by guest-sync so a stale reply from an earlier connection is never read. */
export function agent(path: string, execute: string, args?: object, timeoutMs = 5000): Promise<unknown> {
  const id = Math.floor(Math.random() * 1e9);
  return converse(
    path,
    [
      { execute: "guest-sync", arguments: { id } },
      { execute, ...(args && { arguments: args }) },
    ],
    false,
    timeoutMs,
    id,
  );
}

interface ExecStatus {
  exited: boolean;
  exitcode?: number;
  "out-data"?: string;
  "err-data"?: string;
}

/** Runs a program in the guest through the agent and returns its exit code and output. */
export async function agentExec(path: string, program: string, args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const { pid } = (await agent(path, "guest-exec", { path: program, arg: args, "capture-output": true })) as { pid: number };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = (await agent(path, "guest-exec-status", { pid })) as ExecStatus;
    if (status.exited) {
      const text = (b64?: string) => (b64 ? Buffer.from(b64, "base64").toString("utf8") : "");
      return { code: status.exitcode ?? -1, stdout: text(status["out-data"]), stderr: text(status["err-data"]) };
    }
    if (Date.now() > deadline) throw new SocketTimeout(`guest-exec ${program}: still running after ${timeoutMs} ms`);
    await new Promise(r => setTimeout(r, 200));
  }
}
