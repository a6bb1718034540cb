// The report every CI-facing command prints, its formats, and the results of validate and policy test
// as reports. Light on purpose: commands import it without the checks.
export { describeCase, policyLintCheck, policyTestChecks } from "./from-policy.js";
export { validationCheck } from "./from-validation.js";
export { toGithub } from "./github.js";
export { escapeXml, toJUnit } from "./junit.js";
export {
  type CheckResult,
  type CheckStatus,
  counted,
  exitCodeOf,
  type Finding,
  findingsOf,
  type Level,
  type Report,
  type RuleCatalog,
  statusOf,
  type TestCase,
} from "./model.js";
export { sarifSchemaUri, toSarif } from "./sarif.js";
