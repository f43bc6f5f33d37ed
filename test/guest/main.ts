// The VM-runtime simulator with the real-guest runtime plugged in (test/guest/README.md): what the local stack
// runs. A Wukong labelled `sim.novasphere.dev/runtime: qemu` gets a QEMU guest; every other one stays simulated.
//   KUBECONFIG=... npx tsx test/guest/main.ts
import { runSimulator } from "../simulator/main";
import { GuestRuntime } from "./runtime/runtime";

runSimulator((clients, logger) => new GuestRuntime(clients, logger));
