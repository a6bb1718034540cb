export { type Bundle, type BundleManifest, loadBundle } from "./bundle.js";
export {
  type Decision,
  type DecisionClassification,
  type DecisionReason,
  type DecisionRoute,
  type DecisionSkippedEntry,
  decisionSchema,
} from "./decision.js";
export { type Entrypoint, entrypoints } from "./entrypoints.js";
export type { PolicyError, PolicyErrorCode } from "./errors.js";
export { hostBuiltinNames } from "./host-builtins.js";
export {
  type DecisionRecord,
  defaultBundleDir,
  type Evaluation,
  PolicyRuntime,
  type RuntimeOptions,
} from "./runtime.js";
