// Which API failures are worth retrying, and which are the user's to fix.
export interface ApiFailure {
  status?: number;
  reason: string;
  message: string;
}

const TRANSIENT_STATUS = new Set([408, 409, 429, 500, 502, 503, 504]);

/** kubernetes-fluent-client throws `{status, statusText, data}`; the network layer throws plain errors. */
export function apiFailure(error: unknown): ApiFailure {
  const e = error as { status?: number; statusText?: string; data?: { reason?: string; message?: string }; message?: string };
  const data = typeof e?.data === "object" && e.data !== null ? e.data : undefined;
  return {
    status: typeof e?.status === "number" ? e.status : undefined,
    // An API group the server does not serve answers 404 with a plain-text body, not a Status: still NotFound.
    reason: data?.reason ?? (e?.status === 404 ? "NotFound" : e?.statusText) ?? "Unknown",
    message: String(data?.message ?? e?.message ?? error).slice(0, 300),
  };
}

/**
 * Conflicts, throttling, server errors and network failures pass with time. kubernetes-fluent-client reports
 * a network failure as a synthetic 400 with no Status body, so only an API server's Status answer is final.
 */
export function isTransient(error: unknown): boolean {
  const { status } = apiFailure(error);
  // A 404 is always the server's answer, Status or not (an API group it does not serve answers in plain text).
  const answeredByServer = (error as { data?: { kind?: string } })?.data?.kind === "Status" || status === 404;
  return status === undefined || TRANSIENT_STATUS.has(status) || !answeredByServer || namespaceTerminating(error);
}

/** Children cannot be created while the namespace goes away; the Wukong's own deletion is on its way. */
function namespaceTerminating(error: unknown): boolean {
  const { status, message } = apiFailure(error);
  return status === 403 && message.includes("because it is being terminated");
}

export function isNotFound(error: unknown): boolean {
  return apiFailure(error).status === 404;
}

/**
 * Someone changed the object since we read it (a failed resourceVersion or uid precondition): read again and
 * retry. A failed JSON-patch `test` op is a 422 instead; the queue retries it like any other thrown error.
 */
export function isConflict(error: unknown): boolean {
  return apiFailure(error).status === 409;
}
