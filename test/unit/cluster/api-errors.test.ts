import { isNotFound, isTransient } from "../../../lib/cluster/api-errors";

// kubernetes-fluent-client throws {status, statusText, data}; data is the API server's Status when it answered.
const answered = (status: number, reason: string, message = "") => ({ status, statusText: reason, data: { kind: "Status", reason, message } });

describe("API failure classification", () => {
  it.each([
    ["a conflict", answered(409, "Conflict")],
    ["throttling", answered(429, "TooManyRequests")],
    ["a server error", answered(503, "ServiceUnavailable")],
    ["a network failure reported as a synthetic 400 without a Status body", { status: 400, statusText: "fetch failed", data: undefined }],
    ["a thrown Error", new Error("socket hang up")],
    ["a namespace being deleted", answered(403, "Forbidden", "unable to create new content in namespace x because it is being terminated")],
  ])("retries %s", (_case, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    ["an invalid child", answered(422, "Invalid", "spec.template: Invalid value")],
    ["a forbidden write", answered(403, "Forbidden", "secrets is forbidden")],
    ["a bad request the server answered", answered(400, "BadRequest")],
  ])("gives up on %s", (_case, error) => {
    expect(isTransient(error)).toBe(false);
  });

  it("knows a 404", () => {
    expect(isNotFound(answered(404, "NotFound"))).toBe(true);
    expect(isNotFound(answered(409, "Conflict"))).toBe(false);
  });
});
