// Every environment variable the module reads, parsed once into a typed config. A bad value stops the process at
// start with a message naming the variable (pepr.ts), instead of turning into NaN somewhere later. While
// `pepr build` loads the module to read its bindings, only PEPR_MODE is read: the build never fails on them.
// Documented in the README (Operations, Configuration); a test keeps that table in step with this schema.
import { z } from "zod";

const wholeNumber = (unit: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^[0-9]+$/, `must be a whole number (${unit})`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .default(fallback);

/** The variables, each with its default; the keys are the variable names. */
export const ENVIRONMENT = z.object({
  PEPR_MODE: z.string().optional(),
  PEPR_WATCH_MODE: z.enum(["true", "false"], "must be true or false").optional(),
  WUKONG_PORT: wholeNumber("port", 3000, 1, 65535),
  PEPR_RELIST_INTERVAL_SECONDS: wholeNumber("seconds", 600, 1),
  WUKONG_ERROR_RESYNC_MS: wholeNumber("milliseconds", 15_000, 1),
  WUKONG_DISCOVERY_INTERVAL_MS: wholeNumber("milliseconds", 60_000, 1),
  HOSTNAME: z.string().optional(),
});

export interface Config {
  /** `pepr build` loading the module to read its bindings: start nothing. */
  build: boolean;
  /** This process runs the controllers: the watcher, or `pepr dev`. */
  runsControllers: boolean;
  /** This process serves admission: the admission pods, or `pepr dev`. */
  servesAdmission: boolean;
  /** Pepr's pods listen on 3000; the local stack runs admission and watcher side by side on others. */
  port: number;
  /** How often the operator's own watches list everything again (Pepr's variable, read by its watches too). */
  relistIntervalSec: number;
  /** How soon a Wukong in phase Error is reconciled again. */
  errorResyncMs: number;
  /** How often API discovery looks again for the optional APIs and device resources. */
  discoveryIntervalMs: number;
  /** Events' reportingInstance: the pod's name. */
  instance?: string;
}

export class ConfigError extends Error {}

/** The config of `env`, or a ConfigError naming every bad variable. */
export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const build = env.PEPR_MODE === "build";
  const parsed = ENVIRONMENT.safeParse(build ? { PEPR_MODE: env.PEPR_MODE } : env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(issue => {
      const name = String(issue.path[0]);
      return `${name}=${JSON.stringify(env[name])}: ${issue.message}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join("; ")}`);
  }
  const vars = parsed.data;
  const dev = vars.PEPR_MODE === "dev";
  const watcher = vars.PEPR_WATCH_MODE === "true";
  return {
    build,
    runsControllers: !build && (watcher || dev),
    servesAdmission: !build && !watcher,
    port: vars.WUKONG_PORT,
    relistIntervalSec: vars.PEPR_RELIST_INTERVAL_SECONDS,
    errorResyncMs: vars.WUKONG_ERROR_RESYNC_MS,
    discoveryIntervalMs: vars.WUKONG_DISCOVERY_INTERVAL_MS,
    instance: vars.HOSTNAME,
  };
}

let loaded: Config | undefined;

/** This process's config, parsed on first use. */
export function config(): Config {
  return (loaded ??= parseConfig(process.env));
}

/** config() at start: a bad variable ends the process with one line naming it, before anything starts. */
export function configOrExit(fail: (message: string) => void): Config {
  try {
    return config();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    fail(error.message);
    process.exit(1);
  }
}
