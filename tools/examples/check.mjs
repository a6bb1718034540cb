// Interim example checker for contract authors (replaced by the contracts package test).
// Compiles every schema under contracts/ with ajv at run time and checks examples/<Contract>/.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const root = new URL("../../", import.meta.url).pathname;
const ajv = new Ajv2020.default({ strict: true, strictRequired: false, allErrors: true });
addFormats.default(ajv);
ajv.addKeyword({ keyword: "x-contract-role", schemaType: "string" });
ajv.addKeyword({ keyword: "tsType", schemaType: "string" });
const walk = (d) => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith(".schema.json") ? [join(d, e.name)] : []));
const ids = {};
for (const f of walk(join(root, "contracts"))) {
  const s = JSON.parse(readFileSync(f, "utf8"));
  ajv.addSchema(s);
  if (s.title !== "Common") ids[s.title] = s.$id;
}
const only = process.argv[2];
let bad = 0;
const show = (m) => { console.log(m); bad++; };
// Same reduction as the contracts package: drop if/then summaries; drop duplicates (same pointer, keyword, params); under a wrong kind, keep only the kind error.
function reduce(errors) {
  const seen = new Set();
  const e = errors.filter((x) => {
    if (x.keyword === "if") return false;
    if (x.propertyName !== undefined && x.keyword !== "propertyNames") return false;
    const k = `${x.instancePath}|${x.keyword}|${JSON.stringify(x.params)}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
  const kindFails = e.filter((x) => x.keyword === "const" && x.instancePath.endsWith("/kind")).map((x) => x.instancePath.slice(0, -5));
  return e.filter((x) => !kindFails.some((p) => (x.instancePath === p || x.instancePath.startsWith(p + "/")) && x.instancePath !== p + "/kind"));
}
for (const [name, id] of Object.entries(ids)) {
  if (only && name !== only) continue;
  const v = ajv.getSchema(id);
  const dir = join(root, "examples", name);
  if (!existsSync(dir)) { show(`${name}: no examples`); continue; }
  const exp = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")).invalid;
  const valid = readdirSync(join(dir, "valid"));
  const invalid = readdirSync(join(dir, "invalid"));
  if (valid.length < 3 || invalid.length < 5) show(`${name}: ${valid.length} valid, ${invalid.length} invalid (need 3 and 5)`);
  for (const f of valid) if (!v(JSON.parse(readFileSync(join(dir, "valid", f), "utf8")))) show(`${name}/valid/${f}: ${JSON.stringify(v.errors, null, 1)}`);
  for (const f of invalid) {
    if (v(JSON.parse(readFileSync(join(dir, "invalid", f), "utf8")))) { show(`${name}/invalid/${f}: passed`); continue; }
    const got = reduce(v.errors).map((x) => ({ pointer: x.instancePath, keyword: x.keyword }));
    const want = exp[f]?.errors;
    if (JSON.stringify(got) !== JSON.stringify(want)) show(`${name}/invalid/${f}: got ${JSON.stringify(got)} want ${JSON.stringify(want)}\n  ${JSON.stringify(reduce(v.errors))}`);
  }
  for (const f of Object.keys(exp)) if (!invalid.includes(f)) show(`${name}: expectation for missing ${f}`);
}
console.log(bad ? `${bad} problem(s)` : "all examples ok");
process.exit(bad ? 1 : 0);
