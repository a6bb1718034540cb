// The report every CI-facing command prints, and its formats.
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
