// Just the journeys that check the real control planes themselves (docs/real-and-simulated.md): virt-api's
// admission, every sample through virt-controller, cdi-controller and kube-scheduler, snapshots and restores, storage.
// The main suite (npm run test:e2e) runs them too; this runs only them, on the same stack:
//   npm run test:e2e:upstream [-- <file pattern>]
const base = require("../jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: "../../..",
  testMatch: ["<rootDir>/test/e2e/upstream/**/*.e2e.test.ts"],
};
