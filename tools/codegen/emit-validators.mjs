// @ts-check
// ajv standalone code for every contract: compiled here, at build time, never at import.

import { _ } from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { createAjv } from "./ajv.mjs";

/** @param {import("./contracts.mjs").Contract[]} contracts @param {import("./contracts.mjs").Contract} common */
export function emitValidators(contracts, common) {
  const ajv = createAjv({
    code: {
      source: true,
      esm: true,
      lines: true,
      formats: _`require("ajv-formats/dist/formats").fullFormats`,
    },
  });
  ajv.addSchema(common.schema);
  for (const c of contracts) ajv.addSchema(c.schema);
  const code = standaloneCode.default(ajv, Object.fromEntries(contracts.map((c) => [c.name, c.id])));
  let exported = 0;
  // Keep the per-contract functions private; the typed `validators` map below is the only export.
  const body = code
    .replace(/^"use strict";/, "")
    .replace(/export const (\w+) = (validate\d+);/g, (_match, name, fn) => {
      exported++;
      return `const ${name} = ${fn};`;
    });
  if (exported !== contracts.length)
    throw new Error(`ajv standalone exported ${exported} validators for ${contracts.length} contracts`);
  return [
    "// @ts-nocheck -- ajv standalone output; typed by the `validators` export at the end.",
    'import { createRequire } from "node:module";',
    'import type { CompiledValidator } from "../compiled-validator.js";',
    'import type { ContractName } from "./catalog.js";',
    "",
    "const require = createRequire(import.meta.url);",
    body,
    "",
    "export const validators: { readonly [C in ContractName]: CompiledValidator } = {",
    ...contracts.map((c) => `  ${c.name},`),
    "};",
    "",
  ].join("\n");
}
