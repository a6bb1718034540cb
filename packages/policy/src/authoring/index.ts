// Tools for policy authors: build the WASM bundle, run opa test, fixtures and Go/WASM parity.
// They need the OPA binary; the runtime (the package's main entry) does not.
export { type BuildOptions, type BuildResult, buildBundle } from "./build.js";
export {
  type CheckOptions,
  checkPolicies,
  type FixtureResult,
  type OpaTestFailure,
  type OpaTestResult,
  type PolicyTestReport,
  type TableCaseFailure,
} from "./check.js";
export { type FoundTool, findTool, isExecutable, type ToolLookup } from "./find-tool.js";
export { type Fixture, loadFixtures } from "./fixtures.js";
export { bundleFreshness, type Freshness, holdsRego, policySourceDigest } from "./freshness.js";
export { jsonDiff } from "./json-diff.js";
export { type LintOptions, type LintProblem, lintPolicies } from "./lint.js";
export {
  type AuthoringError,
  findOpa,
  findOpaLocation,
  locateOpa,
  type OpaLocation,
  opaMissing,
  runOpa,
  supportedOpa,
} from "./opa.js";
