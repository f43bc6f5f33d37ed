// The module's environment, parsed once (capabilities/runtime/config.ts): a bad value names its variable at start
// instead of becoming NaN later, `pepr build` never fails on one, and the README lists every variable.
import { readFileSync } from "node:fs";
import path from "node:path";
import { ConfigError, ENVIRONMENT, parseConfig } from "../../../capabilities/runtime/config";

const problemOf = (env: NodeJS.ProcessEnv) => {
  try {
    parseConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("accepted");
};

describe("the module's environment", () => {
  it("defaults: port 3000, relist every 600 s, an Error Wukong again after 15 s", () => {
    expect(parseConfig({})).toMatchObject({ port: 3000, relistIntervalSec: 600, errorResyncMs: 15_000, runsControllers: false, servesAdmission: true });
  });

  it("WUKONG_ERROR_RESYNC_MS=abc stops the start naming the variable (it was NaN: every Error Wukong re-ran at once, forever)", () => {
    expect(problemOf({ WUKONG_ERROR_RESYNC_MS: "abc" })).toBe('invalid environment: WUKONG_ERROR_RESYNC_MS="abc": must be a whole number (milliseconds)');
  });

  it("names every bad variable at once", () => {
    const message = problemOf({ WUKONG_PORT: "70000", PEPR_RELIST_INTERVAL_SECONDS: "1.5", WUKONG_ERROR_RESYNC_MS: "0", PEPR_WATCH_MODE: "yes" });
    expect(message).toContain('WUKONG_PORT="70000": must be at most 65535');
    expect(message).toContain('PEPR_RELIST_INTERVAL_SECONDS="1.5": must be a whole number (seconds)');
    expect(message).toContain('WUKONG_ERROR_RESYNC_MS="0": must be at least 1');
    expect(message).toContain('PEPR_WATCH_MODE="yes": must be true or false');
  });

  it("reads the values it is given", () => {
    const env = { WUKONG_PORT: "3100", PEPR_RELIST_INTERVAL_SECONDS: "30", WUKONG_ERROR_RESYNC_MS: "500", HOSTNAME: "pepr-wukong-watcher-0" };
    expect(parseConfig(env)).toMatchObject({ port: 3100, relistIntervalSec: 30, errorResyncMs: 500, instance: "pepr-wukong-watcher-0" });
  });

  it("which process: the watcher runs the controllers, admission serves admission, pepr dev does both, pepr build neither", () => {
    const roles = (env: NodeJS.ProcessEnv) => {
      const { build, runsControllers, servesAdmission } = parseConfig(env);
      return { build, runsControllers, servesAdmission };
    };
    expect(roles({ PEPR_WATCH_MODE: "true" })).toEqual({ build: false, runsControllers: true, servesAdmission: false });
    expect(roles({ PEPR_WATCH_MODE: "false" })).toEqual({ build: false, runsControllers: false, servesAdmission: true });
    expect(roles({ PEPR_MODE: "dev" })).toEqual({ build: false, runsControllers: true, servesAdmission: true });
    expect(roles({ PEPR_MODE: "build" })).toEqual({ build: true, runsControllers: false, servesAdmission: false });
  });

  it("`pepr build` loads the module whatever the shell holds: a bad value does not fail the build", () => {
    expect(parseConfig({ PEPR_MODE: "build", WUKONG_PORT: "abc", WUKONG_ERROR_RESYNC_MS: "abc" })).toMatchObject({ build: true });
  });

  it("the README's Configuration documents every variable", () => {
    const docs = readFileSync(path.join(__dirname, "../../../README.md"), "utf8");
    for (const name of Object.keys(ENVIRONMENT.shape)) expect(docs).toMatch(new RegExp(`^\\| \`${name}\` \\|`, "m"));
  });
});
