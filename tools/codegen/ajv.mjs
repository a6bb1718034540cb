// @ts-check
// The one place that says how contracts are compiled. Codegen, the example checker and the
// benchmark's raw-ajv anchor all use it, so "same options" is true by construction.
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** Annotation keywords our schemas carry; ajv strict mode must know them. */
export const annotationKeywords = ["x-contract-role", "x-contract-envelope", "tsType"];

/** @type {import("ajv").Options} */
export const ajvOptions = {
  strict: true,
  // if/then branches name properties declared beside the `if`, not inside the `then`.
  strictRequired: false,
  allErrors: true,
  // parentSchema/schema on errors let the validator explain which `if` a failed `then` belongs to.
  verbose: true,
};

/**
 * @param {import("ajv").Options} [extra]
 * @returns {import("ajv").default}
 */
export function createAjv(extra = {}) {
  const ajv = new Ajv2020.default({ ...ajvOptions, ...extra });
  addFormats.default(ajv);
  for (const keyword of annotationKeywords) ajv.addKeyword({ keyword, schemaType: "string" });
  return ajv;
}
