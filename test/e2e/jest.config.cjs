// End-to-end suite: real control plane + VM-runtime simulator + the operator under `pepr dev`
// (test/stack/up.sh). Journeys run one at a time, each in its own namespace, driving kubectl as a user would.
//   npm run test:e2e                         brings the stack up, runs, brings it down
//   WUKONG_KEEP_STACK=1 npm run test:e2e     leaves the stack running afterwards (fast re-runs)
const esmOnly = ["kubernetes-fluent-client", "@kubernetes/client-node", "openid-client", "oauth4webapi", "jose"];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: "../..",
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/e2e/**/*.e2e.test.ts"],
  maxWorkers: 1,
  // Waits inside the tests carry their own, tighter deadlines with a message; this is the backstop.
  testTimeout: 240_000,
  slowTestThreshold: 60,
  verbose: true,
  globalSetup: "<rootDir>/test/e2e/support/global-setup.ts",
  globalTeardown: "<rootDir>/test/e2e/support/global-teardown.ts",
  reporters: ["default", "<rootDir>/test/e2e/support/failure-logs-reporter.cjs"],
  transform: {
    "^.+\\.[tj]sx?$": ["ts-jest", { tsconfig: { allowJs: true, module: "commonjs", isolatedModules: true, esModuleInterop: true, resolveJsonModule: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join("|")})/)`],
};
