export { commandCheck } from "./checks/commands.js";
export {
  crossLanguageCheck,
  findGoValidator,
  findPython,
  goValidatorName,
  pointersAgree,
  pythonScript,
  runValidator,
  type Validator,
  type ValidatorReport,
} from "./checks/cross-language.js";
export { examplesCheck } from "./checks/examples.js";
export {
  ConfigError,
  type ConformanceConfig,
  configFileName,
  type DiffIgnore,
  loadConfig,
  type ResolvedConfig,
} from "./config.js";
export { type ConformanceOptions, checkIds, runConformance } from "./conformance.js";
export {
  type ContractsDiffOptions,
  type ContractsDiffResult,
  contractsDiff,
  diffRuleCatalog,
} from "./contracts-diff.js";
export { GitError } from "./git.js";
export type { CheckResult, Finding, Report, TestCase } from "./report/index.js";
