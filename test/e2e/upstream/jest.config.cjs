// The real control planes' journeys (WUKONG_UPSTREAM=1; `npm test` runs them all; see docs/real-and-simulated.md):
// kube-scheduler, KubeVirt v1.7.4 virt-api and
// virt-controller, CDI v1.66.0 cdi-apiserver and cdi-controller run beside the kube-apiserver
// (test/stack/cluster/upstream/), and the simulator plays only the nodes. Their own stack bring-up, after the main suite:
//   npm run test:e2e:upstream
// Evidence that what we emit is what the upstream code accepts and acts on (docs/real-and-simulated.md).
process.env.WUKONG_UPSTREAM = "1";
// A state (etcd, logs, pki) of its own: nothing the main suite left behind meets the real controllers.
process.env.WUKONG_STATE ||= require("node:path").join(__dirname, "../../../.wukong/upstream");
const base = require("../jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: "../../..",
  testMatch: ["<rootDir>/test/e2e/upstream/**/*.e2e.test.ts"],
  testPathIgnorePatterns: ["/node_modules/"],
};
