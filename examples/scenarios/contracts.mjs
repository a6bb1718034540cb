// Scenario 1: every example payload through the built @workspace-ops/contracts, each verdict checked
// against what examples/ records. Returns the problems it found.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { contractNames, contracts } from "@workspace-ops/contracts";
import { validateFile } from "@workspace-ops/contracts/files";

const root = new URL("../../", import.meta.url).pathname;
const examples = join(root, "examples");
const list = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();

export async function contractsScenario() {
  console.log("1. Contracts: every example, validated\n");
  const rows = [];
  const surprises = [];
  for (const name of contractNames) {
    const dir = join(examples, name);
    const recorded = JSON.parse(readFileSync(join(dir, "expectations.json"), "utf8")).invalid;
    let validOk = 0;
    let invalidOk = 0;
    const valid = list(join(dir, "valid"));
    const invalid = list(join(dir, "invalid"));
    for (const f of valid) {
      const r = await validateFile(join(dir, "valid", f), { contract: name });
      if (r.valid && r.contract === name) validOk++;
      else
        surprises.push(
          `${relative(root, r.file)} should be valid: ${r.errors.map((e) => e.message).join("; ")}`,
        );
    }
    for (const f of invalid) {
      const r = await validateFile(join(dir, "invalid", f), { contract: name });
      const got = JSON.stringify(
        r.errors.map(({ pointer, keyword }) => ({ pointer, keyword })).sort(byPointer),
      );
      const want = JSON.stringify([...(recorded[f]?.errors ?? [])].sort(byPointer));
      if (!r.valid && got === want) invalidOk++;
      else surprises.push(`${relative(root, r.file)} should fail as recorded (${want}) but gave ${got}`);
    }
    rows.push([name, contracts[name].role, `${validOk}/${valid.length}`, `${invalidOk}/${invalid.length}`]);
  }

  function byPointer(a, b) {
    return a.pointer.localeCompare(b.pointer) || a.keyword.localeCompare(b.keyword);
  }

  const header = ["contract", "role", "valid accepted", "invalid rejected as recorded"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join("  ");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const r of rows) console.log(line(r));

  const show = join(examples, "WorkspaceOperationContract/invalid/artifact-kind-mismatch.json");
  const explained = await validateFile(show);
  console.log(`\nHow an error reads (${relative(root, show)}):`);
  for (const e of explained.errors) console.log(`  ${e.line}:${e.column}  ${e.pointer}  ${e.message}`);

  const total = rows.reduce((n, r) => n + Number(r[2].split("/")[1]) + Number(r[3].split("/")[1]), 0);
  if (surprises.length) {
    console.log(`\n${surprises.length} example(s) did not behave as recorded:`);
    for (const s of surprises) console.log(`  ${s}`);
  } else console.log(`\n${total} examples across ${rows.length} contracts behaved exactly as recorded.`);
  return surprises;
}
