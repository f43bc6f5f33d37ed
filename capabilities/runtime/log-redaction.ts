// Pepr's logger (pino) prints whole admission requests, watched objects and watch lists at debug level, which
// `pepr dev` uses. Every line it writes, Pepr's and ours, goes through redactLogLine first: no password, hash,
// key or user data reaches a log, whatever LOG_LEVEL is.
import { Log } from "pepr";
import { symbols } from "pino";
import { redactLogLine } from "../../lib/redact";

type Hooks = { streamWrite?: (line: string) => string };

/** Installs the redaction as pino's streamWrite hook on Pepr's logger. Idempotent. */
export function redactPeprLogs(): void {
  const logger = Log as unknown as Record<symbol, Hooks>;
  const hooks = logger[symbols.hooksSym] ?? {};
  if (hooks.streamWrite === redactLogLine) return;
  const previous = hooks.streamWrite;
  const streamWrite = previous ? (line: string) => redactLogLine(previous(line)) : redactLogLine;
  logger[symbols.hooksSym] = { ...hooks, streamWrite };
}
