// The host suite (`npm run test:host`): tests that need root and what test/preflight/tools.tsv lists for `host`,
// such as the guest image's own cloud-init in a chroot. `npm test` runs it between the unit and the e2e suites;
// `npm run test:unit` leaves it out, so that it runs in seconds without root.
const unit = require("../../jest.config.cjs");

/** @type {import('jest').Config} */
module.exports = {
  ...unit,
  rootDir: "../..",
  roots: ["<rootDir>/test/host"],
  testPathIgnorePatterns: ["/node_modules/"],
  testTimeout: 600_000, // a cold guest image build takes minutes
};
