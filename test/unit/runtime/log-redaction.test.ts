// The redaction sits on Pepr's real logger: what Pepr itself logs at debug comes out without the secret.
import { Log } from "pepr";
import { symbols } from "pino";
import { redactPeprLogs } from "../../../capabilities/runtime/log-redaction";

describe("redactPeprLogs", () => {
  const logger = Log as unknown as Record<symbol, unknown>;
  const stream = logger[symbols.streamSym];
  const level = Log.level;
  const written: string[] = [];

  beforeAll(() => {
    logger[symbols.streamSym] = { write: (line: string) => written.push(line) };
    Log.level = "debug";
  });
  afterAll(() => {
    logger[symbols.streamSym] = stream;
    Log.level = level;
  });

  it("redacts every line Pepr's logger writes, also when installed twice", () => {
    redactPeprLogs();
    redactPeprLogs();
    const request = { uid: "u", object: { kind: "Wukong", spec: { cloudInitUser: { name: "ubuntu", password: "planted-marker" } } } };
    Log.debug({ uid: "u", request }, "Incoming request body");
    Log.info({ wukong: "apps/app-01" }, "reconcile failed; retrying");
    expect(written).toHaveLength(2);
    expect(written[0]).not.toContain("planted-marker");
    expect(JSON.parse(written[0]).request.object.spec.cloudInitUser).toEqual({ name: "ubuntu", password: "**redacted**" });
    expect(JSON.parse(written[1])).toMatchObject({ wukong: "apps/app-01", msg: "reconcile failed; retrying" });
  });
});
