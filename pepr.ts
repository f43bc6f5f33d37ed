// The Wukong Pepr module: admission, then the controllers that build and watch each Wukong's children.
import { PeprModule } from "pepr";
import cfg from "./package.json";
import { Admission } from "./capabilities/admission";

new PeprModule(cfg, [Admission]);
