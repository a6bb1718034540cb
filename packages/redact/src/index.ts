export {
  highEntropyRule,
  homePathRule,
  looksRandom,
  shannonEntropy,
  userNameRule,
} from "./optional-rules.js";
export { type RedactionReport, type RedactOptions, redact, redactText } from "./redact.js";
export { defaultRules, type RedactionRule } from "./rules.js";
export { redactorVersion } from "./version.js";
