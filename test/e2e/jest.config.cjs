// End-to-end suite: the real control planes (Kubernetes, kube-scheduler, KubeVirt's virt-api and virt-controller,
// CDI's cdi-apiserver and cdi-controller), the simulated nodes (test/simulator) and the operator (test/stack/up.sh).
// Journeys run one at a time, each in its own namespace, driving kubectl as a user would. test/e2e/upstream/ holds
// the journeys that check the real controllers themselves (npm run test:e2e:upstream runs just those).
//   npm run test:e2e                         brings the stack up, runs, brings it down
//   WUKONG_KEEP_STACK=1 npm run test:e2e     leaves the stack running afterwards (fast re-runs)
//   WUKONG_RUNTIME=dev npm run test:e2e      the operator under `pepr dev` instead of as deployed (no root needed);
//                                            the journeys about the deployed shape (RBAC, /metrics, the watcher
//                                            restarting on its own) do not apply
// By default the operator runs as users deploy it (WUKONG_RUNTIME=deployed: the built module, its generated
// RBAC, TLS and webhooks), which needs root.
process.env.WUKONG_RUNTIME ||= "deployed";
const DEPLOYED_ONLY = ["rbac", "metrics", "crd-upgrade"].map(name => `/test/e2e/${name}\\.e2e\\.test\\.ts$`);
const esmOnly = ["kubernetes-fluent-client", "@kubernetes/client-node", "openid-client", "oauth4webapi", "jose"];

/** @type {import('jest').Config} */
module.exports = {
  rootDir: "../..",
  testEnvironment: "node",
  testMatch: ["<rootDir>/test/e2e/**/*.e2e.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", ...(process.env.WUKONG_RUNTIME === "dev" ? DEPLOYED_ONLY : [])],
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
