// Tools for policy authors: build the WASM bundle, run opa test, fixtures and Go/WASM parity.
// They need the OPA binary; the runtime (the package's main entry) does not.
export { type BuildOptions, type BuildResult, buildBundle } from "./build.js";
export {
  type CheckOptions,
  checkPolicies,
  type FixtureResult,
  type OpaTestResult,
  type PolicyTestReport,
} from "./check.js";
export { type Fixture, loadFixtures } from "./fixtures.js";
export { type AuthoringError, findOpa, opaMissing, runOpa } from "./opa.js";
