// The Wukong Pepr module. Bindings: capabilities/bindings.ts.
import { PeprModule } from "pepr";
import cfg from "./package.json";
import { wukongCapabilities } from "./capabilities/bindings";
import { installCrds } from "./capabilities/crd";
import { exitOnUncaughtErrors } from "./capabilities/runtime/fatal-exit";
import { redactPeprLogs } from "./capabilities/runtime/log-redaction";
import { isBuild, runsControllers, serverPort } from "./capabilities/runtime/mode";

redactPeprLogs();
if (!isBuild()) exitOnUncaughtErrors();

if (runsControllers()) void installCrds();

const module = new PeprModule(cfg, wukongCapabilities(), { deferStart: true });
if (!isBuild()) module.start(serverPort());
