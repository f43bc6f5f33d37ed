// The Wukong Pepr module: admission, then the controllers that build and watch each Wukong's children.
import { PeprModule } from "pepr";
import cfg from "./package.json";
import { Admission } from "./capabilities/admission";
import { createController } from "./capabilities/lifecycle/controller";
import { installWukongCrd } from "./capabilities/lifecycle/crd";
import { lifecycleCapability } from "./capabilities/lifecycle";
import { networksCapability } from "./capabilities/networks";
import { storageCapability } from "./capabilities/storage";
import { virtualMachineCapability } from "./capabilities/virtual-machine";
import { isBuild, runsControllers, serverPort } from "./capabilities/runtime/mode";

const controller = createController();

if (runsControllers()) void installWukongCrd();

const module = new PeprModule(
  cfg,
  [Admission, lifecycleCapability(controller), networksCapability(controller), storageCapability(controller), virtualMachineCapability(controller)],
  { deferStart: true },
);
if (!isBuild()) module.start(serverPort());
