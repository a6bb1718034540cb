#!/usr/bin/env node
// @ts-check
// Writes packages/policy/capabilities.json: the builtins a policy may call, which is exactly what the
// in-process runtime provides — the opa-wasm SDK's own list (native WASM plus its JS builtins), plus
// the host builtins @workspace-ops/policy implements itself (their declarations come from the pinned
// OPA). `opa build --capabilities` then refuses any other builtin at build time.
//   node tools/policy/capabilities.mjs [--check]
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ensureOpa } from "../opa/install.mjs";

/** Implemented in packages/policy/src/host-builtins.ts; keep the two lists equal (a test checks). */
export const hostBuiltins = ["time.now_ns", "time.parse_rfc3339_ns"];
/** Rewritten into constants by the compiler, so they never reach the runtime. */
const compileTime = ["rego.metadata.chain", "rego.metadata.rule"];

const root = new URL("../../", import.meta.url).pathname;
export const capabilitiesFile = join(root, "packages/policy/capabilities.json");

export async function buildCapabilities() {
  const require = createRequire(join(root, "packages/policy/package.json"));
  // The SDK exports no package.json; its entry point sits at src/index.cjs.
  const sdkDir = join(require.resolve("@open-policy-agent/opa-wasm"), "..", "..");
  const sdk = JSON.parse(readFileSync(join(sdkDir, "capabilities.json"), "utf8"));
  const { opa } = await ensureOpa();
  const current = JSON.parse(execFileSync(opa, ["capabilities", "--current"], { encoding: "utf8" }));
  const byName = new Map(current.builtins.map((/** @type {{ name: string }} */ b) => [b.name, b]));
  const extra = [...hostBuiltins, ...compileTime].map((name) => {
    const b = byName.get(name);
    if (!b) throw new Error(`the pinned OPA does not know the builtin ${name}`);
    return b;
  });
  const builtins = [...sdk.builtins, ...extra].sort((a, b) => a.name.localeCompare(b.name));
  return `${JSON.stringify(
    { builtins, wasm_abi_versions: sdk.wasm_abi_versions, features: current.features ?? [] },
    null,
    2,
  )}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  const content = await buildCapabilities();
  const same = existsSync(capabilitiesFile) && readFileSync(capabilitiesFile, "utf8") === content;
  if (check && !same) {
    console.error("packages/policy/capabilities.json is out of date: run node tools/policy/capabilities.mjs");
    process.exit(1);
  }
  if (!check && !same) writeFileSync(capabilitiesFile, content);
  console.log(`packages/policy/capabilities.json: ${same ? "up to date" : "written"}`);
}
