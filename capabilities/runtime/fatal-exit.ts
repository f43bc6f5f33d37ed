// An error nothing caught ends the process, as Node would, but with one clear log line first: the error's
// message and stack, or a rejection's plain object as JSON (Node prints only "#<Object>"). The supervisor,
// or Kubernetes, then restarts the process and the watches list again.
import { Log } from "pepr";

export function exitOnUncaughtErrors(): void {
  const exit = (what: string) => (reason: unknown) => {
    Log.fatal({ error: describe(reason) }, `${what}; exiting so that the process is restarted`);
    process.exit(1);
  };
  process.on("uncaughtException", exit("uncaught exception"));
  process.on("unhandledRejection", exit("unhandled promise rejection"));
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return reason.stack ?? reason.message;
  try {
    return JSON.stringify(reason) ?? String(reason);
  } catch {
    return String(reason);
  }
}
