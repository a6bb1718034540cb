// Publishes each schema as a JSON file under dist/schemas/<family>/v<major>/<Title>.schema.json,
// from the built catalog (never from the repository's contracts/ folder).
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { schemas } from "../dist/generated/catalog.js";

const base = "https://workspace-ops.dev/contracts/";
const out = new URL("../dist/schemas/", import.meta.url).pathname;
// A schema that moved or went (a major version bump) must not linger from an earlier build.
rmSync(out, { recursive: true, force: true });
for (const [id, schema] of Object.entries(schemas)) {
  if (!id.startsWith(base)) throw new Error(`schema id outside ${base}: ${id}`);
  const path = join(out, id.slice(base.length));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(schema, null, 2)}\n`);
}
