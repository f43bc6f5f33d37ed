// The VM-runtime simulator alone, every VMI simulated (test/simulator/README.md):
//   KUBECONFIG=... npx tsx test/simulator/main.ts   (env knobs: see config.ts / README.md)
// The local stack runs test/guest/main.ts instead: the same loop with real guests for the Wukongs labelled for one.
import { runSimulator } from "./simulator";

runSimulator();
