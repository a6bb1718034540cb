export {
  createRedactor,
  type RedactionReport,
  type RedactOptions,
  type Redactor,
  redact,
  redactText,
} from "./redact.js";
export { defaultRules, type RedactionRule } from "./rules.js";
export { redactorVersion } from "./version.js";
