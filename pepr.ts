// The Wukong Pepr module. Bindings: capabilities/bindings.ts.
import { PeprModule } from "pepr";
import cfg from "./package.json";
import { wukongCapabilities } from "./capabilities/bindings";
import { installCrds } from "./capabilities/crd";
import { isBuild, runsControllers, serverPort } from "./capabilities/runtime/mode";

if (runsControllers()) void installCrds();

const module = new PeprModule(cfg, wukongCapabilities(), { deferStart: true });
if (!isBuild()) module.start(serverPort());
