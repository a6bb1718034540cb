// @ts-check
// Cold start, anchor: a fresh process does what a raw-ajv user does at startup: import ajv (through
// tools/codegen/ajv.mjs, the same options codegen uses), load the published schema files, add them,
// compile every contract, validate one payload.
// Argument: a JSON object { payloadFile, contract, contractIds, schemaDir, ajvModule }. Prints { ms }.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";

const { payloadFile, contract, contractIds, schemaDir, ajvModule } = JSON.parse(process.argv[2] ?? "{}");
const payload = JSON.parse(readFileSync(payloadFile, "utf8"));

/** @param {string} dir @returns {string[]} */
const walk = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".schema.json") ? [join(dir, e.name)] : [],
  );

const t0 = performance.now();
/** @type {typeof import("../../../tools/codegen/ajv.mjs")} */
const { createAjv } = await import(pathToFileURL(ajvModule).href);
const ajv = createAjv();
for (const file of walk(schemaDir)) ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));
/** @type {Record<string, import("ajv").ValidateFunction>} */
const validators = {};
for (const [name, id] of Object.entries(/** @type {Record<string, string>} */ (contractIds))) {
  const validator = ajv.getSchema(id);
  if (!validator) throw new Error(`no schema ${id}`);
  validators[name] = validator;
}
const validator = /** @type {import("ajv").ValidateFunction} */ (validators[contract]);
const ok = validator(payload);
const ms = performance.now() - t0;

if (!ok) {
  process.stderr.write(
    `expected ${payloadFile} to be a valid ${contract}: ${JSON.stringify(validator.errors)}\n`,
  );
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ms, compiled: Object.keys(validators).length }));
