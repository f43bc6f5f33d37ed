// A Pepr module that admits every Wukong unchanged: the same kind and the same Mutate + Validate binding as
// Wukong's admission capability, with callbacks that do nothing but approve. test/bench/admission.ts serves it
// exactly like the real module (controller.js, deployed shape) to measure what Pepr itself costs per request.
// Build: test/stack/deployed/stage.sh --build with WUKONG_MODULE_DIR=test/bench/noop-module (links the repo's node_modules).
import { Capability, PeprModule, RegisterKind, a } from "pepr";
import cfg from "./package.json";

class Wukong extends a.GenericKind {}
RegisterKind(Wukong, { group: "vm.novasphere.dev", version: "v1alpha1", kind: "Wukong", plural: "wukongs" });

const NoopAdmission = new Capability({ name: "noop-admission", description: "Approves every Wukong unchanged." });
NoopAdmission.When(Wukong)
  .IsCreatedOrUpdated()
  .Mutate(() => {})
  .Validate(request => request.Approve());

const module = new PeprModule(cfg, [NoopAdmission], { deferStart: true });
// Like Wukong's pepr.ts: not while `pepr build` loads the module, and on WUKONG_PORT when set.
if (process.env.PEPR_MODE !== "build") module.start(Number(process.env.WUKONG_PORT ?? 3000));
