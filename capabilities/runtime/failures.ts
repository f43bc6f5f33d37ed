// Runs one child write: transient failures abort the reconcile (the queue retries with backoff);
// a final answer from the API server becomes a child error shown in status.
import type { ChildError } from "../../lib/status/observed";
import { apiFailure, isTransient } from "./api-errors";

export async function recordingFailure<T>(errors: ChildError[], kind: string, name: string, write: () => Promise<T>): Promise<T | undefined> {
  try {
    return await write();
  } catch (error) {
    if (isTransient(error)) throw error;
    const failure = apiFailure(error);
    errors.push({ kind, name, reason: failure.reason, message: failure.message });
    return undefined;
  }
}
