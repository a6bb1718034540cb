// Request bodies checked against the API's schemas and, through them, the contracts' published schemas
// (by $id: one copy of each contract). ajv compiles each schema once, on first use.
import { schemas } from "@workspace-ops/contracts";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { apiBase, withIds } from "./api-schemas.js";
import { ApiError } from "./problem.js";

let ajv: Ajv2020 | undefined;
const compiled = new Map<string, ValidateFunction>();

function validatorOf(name: string): ValidateFunction {
  const known = compiled.get(name);
  if (known) return known;
  if (!ajv) {
    // The contracts' own compile options (tools/codegen/ajv.mjs): strict, with their annotation keywords.
    ajv = new Ajv2020({ allErrors: false, strict: true, strictRequired: false });
    addFormats.default(ajv);
    for (const keyword of ["x-contract-role", "x-contract-envelope", "tsType"])
      ajv.addKeyword({ keyword, schemaType: "string" });
    for (const schema of Object.values(schemas)) ajv.addSchema(schema as object);
    for (const schema of withIds()) ajv.addSchema(schema);
  }
  const validate = ajv.getSchema(`${apiBase}${name}`);
  if (!validate) throw new TypeError(`no API schema ${name}`);
  compiled.set(name, validate);
  return validate;
}

/** The body as the named API schema describes it, or a 400 problem naming the first thing wrong. */
export function checkBody<T>(name: string, value: unknown): T {
  const validate = validatorOf(name);
  if (validate(value)) return value as T;
  const first = validate.errors?.[0];
  const pointer = first?.instancePath ?? "";
  throw new ApiError(400, "request_invalid", `${pointer || "the body"} ${first?.message ?? "is not valid"}`, {
    pointer,
  });
}
