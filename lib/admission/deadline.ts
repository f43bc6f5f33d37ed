// How an admission check that needs the cluster answers: within a short deadline, and with a lookup's failure
// said in words. Existence checks fail open (failOpen); a check nothing downstream would repeat fails closed.
import type { Problem } from "../../schemas/problems";

export interface ClusterVerdict {
  problems: Problem[];
  warnings: string[];
}

export async function failOpen(what: string, check: () => Promise<Problem[]>, timeoutMs: number): Promise<ClusterVerdict> {
  try {
    return { problems: await withDeadline(check(), timeoutMs), warnings: [] };
  } catch (error) {
    return { problems: [], warnings: [`could not look up ${what} (${reason(error)}); admitted without that check`] };
  }
}

export function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Client libraries throw Errors or plain `{status, data: {message}}` objects; either way, say something useful. */
export function reason(error: unknown): string {
  const e = error as { message?: unknown; status?: unknown; data?: { message?: unknown } } | undefined;
  const text = e?.data?.message ?? e?.message ?? (e?.status !== undefined ? `HTTP ${e.status}` : String(error));
  return String(text).slice(0, 200);
}
