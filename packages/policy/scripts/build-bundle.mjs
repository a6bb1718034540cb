// Builds the policy library (../../policies) into dist/bundle with the pinned OPA, installing it
// first when needed (tools/opa/install.mjs: go install from the Go module proxy).
import { fileURLToPath } from "node:url";
import { ensureOpa } from "../../../tools/opa/install.mjs";
import { buildBundle } from "../dist/authoring/index.js";

const policiesDir = fileURLToPath(new URL("../../../policies", import.meta.url));
const outDir = fileURLToPath(new URL("../dist/bundle", import.meta.url));
const { opa } = await ensureOpa();
const result = await buildBundle({ opa, policiesDir, outDir });
if (!result.ok) {
  console.error(`policy bundle: ${result.error.message}`);
  process.exit(1);
}
console.log(
  `policy bundle ${result.manifest.revision} (${result.manifest.entrypoints.length} entrypoints) → dist/bundle`,
);
