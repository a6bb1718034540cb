// Scenario 4: the demo's governed session as training data. The runtime attaches the conversation and
// the cohort (a SessionAnnotation), then the session and the operations are exported in each format —
// redacted, every line checked against its contract, the SFT lines against the fine-tuning format.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validate } from "@workspace-ops/contracts";
import { annotateSession, openStore } from "@workspace-ops/executor";
import {
  checkSftExample,
  exportTrajectories,
  lineageFileOf,
  openSources,
  writeLines,
} from "@workspace-ops/trajectory";

/**
 * @param {string} stateDir the demo executor's state directory
 * @param {number} [number] the scenario's place in the demo
 */
export async function trajectoryScenario(stateDir, number = 6) {
  console.log(`\n${number}. Trajectory export: the demo session as redacted training data\n`);
  const problems = [];
  const store = await openStore({ stateDir, durability: "full" });
  try {
    const at = (offset) => new Date(Date.now() + offset).toISOString();
    const annotated = await annotateSession(store, {
      kind: "SessionAnnotation",
      apiVersion: "workspace-ops.dev/v1",
      sessionId: "sess-demo",
      messages: [
        { role: "user", content: "Look around, then push the branch.", at: at(-600_000) },
        {
          role: "assistant",
          content: "Listed the workspace; the force push was refused, so I stopped.",
          at: at(0),
        },
      ],
      cohort: { arm: "candidate", flag: "governed-exec-rollout", model: "claude-sonnet-4-5" },
      eval: { evalId: "eval-demo", scenarioId: "scn-demo", success: true },
    });
    if (!annotated.ok) problems.push(`annotation refused: ${annotated.error.message}`);
  } finally {
    await store.close();
  }

  const out = mkdtempSync(join(tmpdir(), "wsops-demo-export-"));
  const contractOf = { trajectory: "Trajectory", rl: "RlTrajectory" };
  for (const format of ["trajectory", "rl", "sft"]) {
    const file = join(out, `${format}.jsonl`);
    const { sources, close } = await openSources([{ stateDir }]);
    let summary;
    try {
      const run = exportTrajectories({ sources, format });
      await writeLines(run.lines, {
        out: file,
        lineageOut: format === "sft" ? lineageFileOf(file) : undefined,
        stdout: () => {},
      });
      summary = run.summary();
    } finally {
      await close();
    }
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    const bad =
      format === "sft"
        ? lines.flatMap((l) => checkSftExample(l, "openai"))
        : lines.flatMap((l) => (validate(contractOf[format], l).ok ? [] : [l]));
    if (bad.length > 0) problems.push(`${format}: ${bad.length} line(s) do not hold`);
    const skipped = summary.skipped.records.length + summary.skipped.trajectories.length;
    const detail =
      format === "rl"
        ? `total rewards ${lines.map((l) => l.totalReward).join(", ")}`
        : format === "sft"
          ? `${lines.map((l) => l.messages.length).join(", ")} messages; lineage in ${lineageFileOf(file)}`
          : `${lines.map((l) => `${l.lineage.sessionId}: ${l.steps.length} steps`).join("; ")}`;
    console.log(
      `  --format ${format.padEnd(10)} ${summary.written} line(s), ${skipped} skipped, ${summary.redactions.total} redacted  ${detail}`,
    );
  }
  console.log(
    `\n  files: ${out}\n  the same with the CLI: npx wsops export --state-dir ${stateDir} --format sft --out train.jsonl`,
  );
  return problems;
}
