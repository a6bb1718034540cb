// @ts-check
// Cold start, ours: a fresh process imports the package (precompiled validators) and validates one
// payload. Argument: a JSON object { payloadFile, contract }. Prints { ms } on stdout.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

const { payloadFile, contract } = JSON.parse(process.argv[2] ?? "{}");
// Reading the payload is the caller's business, not the validator's: outside the timed region.
const payload = JSON.parse(readFileSync(payloadFile, "utf8"));

const t0 = performance.now();
const { validate } = await import("@workspace-ops/contracts");
const result = validate(contract, payload);
const ms = performance.now() - t0;

if (!result.ok) {
  process.stderr.write(
    `expected ${payloadFile} to be a valid ${contract}: ${JSON.stringify(result.errors)}\n`,
  );
  process.exit(1);
}
process.stdout.write(JSON.stringify({ ms }));
