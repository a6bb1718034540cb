// @ts-check
// Loads contracts/ and checks the layout rules every contract must follow.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

export const repoRoot = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
export const contractsDir = join(repoRoot, "contracts");
export const idBase = "https://workspace-ops.dev/contracts/";
export const commonId = `${idBase}common/v1/common.schema.json`;

/**
 * @typedef {{ name: string, file: string, id: string, family: string, version: string,
 *   role: "request" | "record" | null, schema: Record<string, any> }} Contract
 */

/** @param {string} dir @returns {string[]} */
function schemaFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => {
      const path = join(dir, e.name);
      if (e.isDirectory()) return schemaFiles(path);
      return e.name.endsWith(".schema.json") ? [path] : [];
    });
}

/** @returns {{ contracts: Contract[], common: Contract, problems: string[] }} */
export function loadContracts() {
  /** @type {Contract[]} */
  const all = [];
  const problems = [];
  for (const path of schemaFiles(contractsDir)) {
    const file = relative(repoRoot, path).split(sep).join("/");
    /** @type {Record<string, any>} */
    let schema;
    try {
      schema = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      problems.push(`${file}: not valid JSON (${/** @type {Error} */ (error).message})`);
      continue;
    }
    const match = /^contracts\/([a-z][a-z0-9-]*)\/(v\d+)\/([A-Za-z][A-Za-z0-9]*)\.schema\.json$/.exec(file);
    if (!match) {
      problems.push(`${file}: path must be contracts/<family>/v<major>/<Title>.schema.json`);
      continue;
    }
    const [, family = "", version = "", base = ""] = match;
    const name = family === "common" ? "Common" : base;
    const role = schema["x-contract-role"] ?? null;
    all.push({ name, file, id: schema.$id, family, version, role, schema });
    problems.push(...lintContract(file, schema, { family, version, base, name }));
  }
  const common = all.find((c) => c.name === "Common");
  if (!common) problems.push("contracts/common/v1/common.schema.json is missing");
  const contracts = all.filter((c) => c.name !== "Common").sort((a, b) => a.name.localeCompare(b.name));
  const names = new Set();
  for (const c of contracts) {
    if (names.has(c.name)) problems.push(`${c.file}: a second contract named ${c.name}`);
    names.add(c.name);
  }
  return { contracts, common: /** @type {Contract} */ (common), problems };
}

/**
 * @param {string} file
 * @param {Record<string, any>} schema
 * @param {{ family: string, version: string, base: string, name: string }} where
 */
function lintContract(file, schema, { family, version, base, name }) {
  const problems = [];
  const say = (/** @type {string} */ pointer, /** @type {string} */ message) =>
    problems.push(`${file}#${pointer}: ${message}`);
  if (schema.$schema !== "https://json-schema.org/draft/2020-12/schema")
    say("/$schema", "must be Draft 2020-12");
  const expectedId = `${idBase}${family}/${version}/${base}.schema.json`;
  if (schema.$id !== expectedId) say("/$id", `must be ${expectedId} (mirrors the path)`);
  if (schema.title !== (family === "common" ? "Common" : base)) say("/title", `must be ${base}`);
  if (typeof schema.description !== "string") say("/description", "must describe the contract");
  if (family !== "common" && schema["x-contract-envelope"] === "cloudevents") {
    problems.push(...lintCloudEvent(file, schema, expectedId));
  } else if (family !== "common") {
    if (schema.properties?.kind?.const !== name) say("/properties/kind/const", `must be "${name}"`);
    if (schema.properties?.apiVersion?.$ref !== `${commonId}#/$defs/ApiVersion`)
      say("/properties/apiVersion/$ref", "must reference common ApiVersion");
    for (const key of ["kind", "apiVersion"])
      if (!schema.required?.includes(key)) say("/required", `must require ${key}`);
  }
  if (family !== "common") {
    if (!["request", "record"].includes(schema["x-contract-role"]))
      say("/x-contract-role", 'must be "request" (consumed) or "record" (produced)');
  }
  walkOwnedObjects(schema, "", say);
  walkPatterns(schema, "", say);
  return problems;
}

/**
 * A CloudEvents contract names itself the way CloudEvents consumers can read: through a constant
 * `dataschema` under its own $id, never through `kind`/`apiVersion` (attribute names that are not
 * lowercase alphanumerics make the official SDKs refuse the event).
 * @param {string} file @param {Record<string, any>} schema @param {string} id
 */
function lintCloudEvent(file, schema, id) {
  const problems = [];
  const say = (/** @type {string} */ pointer, /** @type {string} */ message) =>
    problems.push(`${file}#${pointer}: ${message}`);
  if (schema.properties?.specversion?.const !== "1.0") say("/properties/specversion/const", 'must be "1.0"');
  const dataschema = schema.properties?.dataschema?.const;
  if (typeof dataschema !== "string" || !dataschema.startsWith(`${id}#`))
    say("/properties/dataschema/const", `must be ${id}#<fragment of the data's schema>`);
  for (const key of ["specversion", "id", "source", "type", "dataschema"])
    if (!schema.required?.includes(key)) say("/required", `must require ${key}`);
  for (const key of Object.keys(schema.properties ?? {}))
    if (!/^[a-z0-9]{1,20}$/.test(key) && key !== "data")
      say(`/properties/${key}`, "CloudEvents attribute names are 1-20 lowercase letters and digits");
  return problems;
}

/**
 * Python's (and Java's) `$` also matches before a final newline, ECMAScript's does not: a pattern
 * ending in a bare `$` lets "id\n" through in one language and not the other. `(?!\n)$` means the
 * same everywhere.
 * @param {any} node @param {string} pointer @param {(p: string, m: string) => void} say
 */
function walkPatterns(node, pointer, say) {
  if (!node || typeof node !== "object") return;
  for (const [key, child] of Object.entries(node)) {
    const here = `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
    if (
      key === "pattern" &&
      typeof child === "string" &&
      /(?<!\\)\$$/.test(child) &&
      !child.endsWith("(?!\\n)$")
    )
      say(
        here,
        'end the pattern with "(?!\\n)$", not a bare "$" (Python\'s $ also matches before a final newline)',
      );
    else if (!["examples", "const", "enum", "default"].includes(key)) walkPatterns(child, here, say);
  }
}

/**
 * Objects we own are closed and every property is described. Conditional branches (if/then/else)
 * only narrow what the base schema declares, so they are exempt.
 * @param {any} node @param {string} pointer @param {(p: string, m: string) => void} say
 */
function walkOwnedObjects(node, pointer, say) {
  if (!node || typeof node !== "object") return;
  if (Array.isArray(node)) {
    for (const [i, child] of node.entries()) walkOwnedObjects(child, `${pointer}/${i}`, say);
    return;
  }
  if (node.properties && typeof node.properties === "object") {
    if (node.additionalProperties !== false && node.unevaluatedProperties !== false && !node.tsType)
      say(pointer, "an object we own needs additionalProperties: false");
    for (const [key, prop] of Object.entries(node.properties)) {
      if (typeof prop?.description !== "string") say(`${pointer}/properties/${key}`, "needs a description");
    }
  }
  for (const [key, child] of Object.entries(node)) {
    if (["if", "then", "else", "examples", "const", "enum", "default"].includes(key)) continue;
    walkOwnedObjects(child, `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`, say);
  }
}
