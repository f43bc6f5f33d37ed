// The Wukong Pepr module. Bindings: capabilities/bindings.ts.
import { Log, PeprModule } from "pepr";
import cfg from "./package.json";
import { wukongCapabilities } from "./capabilities/bindings";
import { installCrds } from "./capabilities/crd";
import { exitOnUncaughtErrors } from "./capabilities/runtime/fatal-exit";
import { redactPeprLogs } from "./capabilities/runtime/log-redaction";
import { configOrExit } from "./capabilities/runtime/config";

redactPeprLogs();
const settings = configOrExit(message => Log.fatal(message));
if (!settings.build) exitOnUncaughtErrors();

if (settings.runsControllers) void installCrds();

const module = new PeprModule(cfg, wukongCapabilities(), { deferStart: true });
if (!settings.build) module.start(settings.port);
