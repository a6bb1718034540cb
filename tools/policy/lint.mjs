#!/usr/bin/env node
// @ts-check
// Policy lint, part of `npm run lint`: generated capabilities and input schemas up to date, `opa fmt`
// clean, `opa check --strict` clean with the contract schemas as input schemas, Regal clean.
// Exit 1 naming every problem.
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { ensureOpa } from "../opa/install.mjs";

const root = new URL("../../", import.meta.url).pathname;
const policies = join(root, "policies");
const { opa, regal } = await ensureOpa();
/** @type {string[]} */
const problems = [];

/** @param {string} what @param {string} cmd @param {string[]} args @param {(out: string) => boolean} [clean] */
function check(what, cmd, args, clean = () => true) {
  const r = spawnSync(cmd, args, { encoding: "utf8", cwd: root });
  const out = `${r.stdout}${r.stderr}`.trim();
  if (r.status !== 0 || !clean(r.stdout)) problems.push(`${what}:\n${out}`);
  else console.log(`ok  ${what}`);
}

const capabilities = join(root, "packages/policy/capabilities.json");
const inputSchemas = join(root, "tools/policy/input-schemas");

check("capabilities up to date", process.execPath, [join(root, "tools/policy/capabilities.mjs"), "--check"]);
check("input schemas up to date", process.execPath, [
  join(root, "tools/policy/input-schemas.mjs"),
  "--check",
]);
check("opa fmt", opa, ["fmt", "--list", policies], (out) => out.trim() === "");
// --schema: every package annotated with an entrypoint's input is type-checked against the contracts.
check("opa check --strict (contract schemas as input schemas)", opa, [
  "check",
  "--strict",
  "--capabilities",
  capabilities,
  "--schema",
  inputSchemas,
  policies,
]);
if (regal) check("regal lint", regal, ["lint", "--config-file", join(root, ".regal/config.yaml"), policies]);
else problems.push("regal lint: Regal is not installed (see the tools/opa/install.mjs output)");

if (problems.length) {
  console.error(`policy lint: ${problems.length} problem(s)\n${problems.join("\n\n")}`);
  process.exit(1);
}
