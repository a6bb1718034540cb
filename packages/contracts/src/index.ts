export type { ContractInfo, JsonSchema } from "./catalog-types.js";
export type { DocumentError, DocumentOptions, DocumentResult } from "./document.js";
export { defaultMaxDepth, validateDocument } from "./document.js";
export { type ContractError, errorsInOneLine } from "./errors.js";
export { apiVersion, type ContractName, contractNames, contracts, schemas } from "./generated/catalog.js";
export type * from "./generated/types.js";
export {
  type Detection,
  type DetectionError,
  detectContract,
  isContract,
  isContractName,
  type ValidationResult,
  validate,
} from "./validate.js";
