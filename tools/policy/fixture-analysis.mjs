#!/usr/bin/env node
// @ts-check
// Writes the command analysis into the decision fixtures, as the executor would compute it: input.analysis
// for every shell tool call in policy-fixtures/tool_execution, input.stepAnalysis for every
// execution.start in policy-fixtures/operation. A fixture whose description starts with "Hand-written
// analysis" keeps its own (a missing or forged one, to exercise the rules that refuse it).
//   node tools/policy/fixture-analysis.mjs [--check]     (needs npm run build: it uses @workspace-ops/analysis)
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { repoRoot } from "../codegen/contracts.mjs";

const { loadAnalyzer } = await import("@workspace-ops/analysis").catch((error) => {
  console.error(`cannot import @workspace-ops/analysis; build first: npx turbo run build (${error.message})`);
  process.exit(2);
});
const analyzer = await loadAnalyzer();
const check = process.argv.includes("--check");
const fixturesDir = join(repoRoot, "policy-fixtures");

/** The input with its analysis in place (after the key it describes), or the input unchanged. */
function analysed(input) {
  const tool = input.request?.tool;
  if (tool?.kind === "shell" && Array.isArray(tool.argv))
    return placeAfter(input, "request", "analysis", analyzer.analyzeArgv(tool.argv));
  const artifact = input.operation?.artifact;
  if (artifact?.kind === "LocalAgentExecution" && Array.isArray(artifact.steps))
    return placeAfter(
      input,
      "operation",
      "stepAnalysis",
      artifact.steps.map((s) => analyzer.analyzeStep(s)),
    );
  return input;
}

function placeAfter(object, after, key, value) {
  const out = {};
  for (const [k, v] of Object.entries(object)) {
    if (k === key) continue;
    out[k] = v;
    if (k === after) out[key] = value;
  }
  return out;
}

const stale = [];
for (const entrypoint of ["tool_execution", "operation"]) {
  for (const file of readdirSync(join(fixturesDir, entrypoint))
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    const path = join(fixturesDir, entrypoint, file);
    const fixture = JSON.parse(readFileSync(path, "utf8"));
    if (String(fixture.description).startsWith("Hand-written analysis")) continue;
    const input = analysed(fixture.input);
    if (isDeepStrictEqual(input, fixture.input)) continue;
    stale.push(`${entrypoint}/${file}`);
    if (!check) writeFileSync(path, `${JSON.stringify({ ...fixture, input }, null, 2)}\n`);
  }
}
if (check && stale.length) {
  console.error(
    `policy-fixtures: the analysis of ${stale.join(", ")} is stale: run node tools/policy/fixture-analysis.mjs`,
  );
  process.exit(1);
}
console.log(
  `policy-fixtures: ${stale.length ? (check ? "stale" : `wrote ${stale.length} analyses`) : "analyses up to date"}`,
);
