// Compiles schemas at run time with exactly the ajv options the generated validators are built with
// (tools/codegen/ajv.mjs; test/contracts/compile-options.test.ts proves they are the same), so a
// repository with its own contracts gets the verdicts and errors @workspace-ops/contracts would give.
import { createRequire } from "node:module";
import type { AjvError } from "../compiled-validator.js";
import { type ContractError, explainErrors } from "../errors.js";

// ajv and ajv-formats are CommonJS; their classes are their `default` exports.
const require = createRequire(import.meta.url);
const Ajv2020 = (require("ajv/dist/2020.js") as typeof import("ajv/dist/2020.js")).default;
const addFormats = (require("ajv-formats") as typeof import("ajv-formats")).default;

/** The options of tools/codegen/ajv.mjs. */
export const ajvOptions = {
  strict: true,
  strictRequired: false,
  allErrors: true,
  verbose: true,
} as const;

/** Annotation keywords of the contracts, besides any `x-…` keyword a schema uses. */
export const annotationKeywords = ["x-contract-role", "x-contract-envelope", "tsType"] as const;

export interface CompiledSchema {
  id: string;
  /** The schema's title (the contract's name), else its $id. */
  name: string;
  validate: (value: unknown) => { ok: true } | { ok: false; errors: ContractError[] };
}

export type CompileResult =
  | { ok: true; schemas: CompiledSchema[] }
  | { ok: false; error: { code: "schema_invalid"; message: string; pointer: string } };

function extensionKeywords(node: unknown, found: Set<string>): Set<string> {
  if (typeof node === "object" && node !== null)
    for (const [key, value] of Object.entries(node)) {
      if (key.startsWith("x-")) found.add(key);
      extensionKeywords(value, found);
    }
  return found;
}

/** Compiles every schema (each needs an $id; they may $ref each other by it). */
export function compileSchemas(schemas: readonly Record<string, unknown>[]): CompileResult {
  const ajv = new Ajv2020({ ...ajvOptions });
  addFormats(ajv);
  const keywords = extensionKeywords(schemas, new Set(annotationKeywords));
  for (const keyword of keywords) ajv.addKeyword({ keyword, schemaType: "string" });
  const ids: string[] = [];
  try {
    for (const schema of schemas) {
      if (typeof schema.$id !== "string")
        return {
          ok: false,
          error: { code: "schema_invalid", message: "a schema has no $id", pointer: "/$id" },
        };
      ajv.addSchema(schema);
      ids.push(schema.$id);
    }
    const compiled = schemas.map((schema, i): CompiledSchema => {
      const id = ids[i] as string;
      const validator = ajv.getSchema(id);
      if (!validator) throw new Error(`${id} did not compile`);
      return {
        id,
        name: typeof schema.title === "string" ? schema.title : id,
        validate: (value) =>
          validator(value)
            ? { ok: true }
            : { ok: false, errors: explainErrors((validator.errors ?? []) as AjvError[]) },
      };
    });
    return { ok: true, schemas: compiled };
  } catch (error) {
    return { ok: false, error: { code: "schema_invalid", message: (error as Error).message, pointer: "" } };
  }
}
