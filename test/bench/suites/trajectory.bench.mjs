// @ts-check
// @workspace-ops/trajectory: wsops export on a large store — throughput and peak RSS.
//
// The store: 1,000,000 records (--quick: 20,000) in SQLite, written through the store's commit API in
// large batches (one commit per session, each record with its audit record, as the executor writes
// them): 1,600 sessions of 78 governed calls (8 records each, cloned from a real governed exec of `ls`
// — request, analysis, decision, transitions, events, result — with fresh ids and a file name of its
// own in argv and output, so that no two calls are alike) and one annotation of 10 messages, 625
// records per session.
//
// Measured in a fresh process per run (so the peak RSS is the export's own, process.resourceUsage()
// .maxRSS): the export of the whole store to a file, --format sft, trajectory and rl (the last two also
// read the audit log once, for usage), against the anchor — the same records read raw from the store
// (every session a page at a time, its streams, every record parsed), nothing built, redacted,
// validated or written. Runs of each kind alternate; medians of 3 rounds (--quick: 1).
// Targets: ≥ 50,000 records/s and ≤ 200 MiB peak RSS.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { filesystemOf } from "../lib/executor-fs.mjs";
import { median, significant } from "../lib/measure.mjs";

export const suite = "trajectory";

const here = dirname(fileURLToPath(import.meta.url));
const CALLS_PER_SESSION = 78;
const RECORDS_PER_SESSION = CALLS_PER_SESSION * 8 + 1;
const THROUGHPUT_TARGET = 50_000;
const RSS_TARGET_MIB = 200;

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

/** A word of the template's argv and output that each clone replaces, so that no two calls are alike. */
const MARKER = "MARKERWORD0000";

/** The 8 records of one real governed `ls`, as JSON text with its ids marked for replacement. */
async function template() {
  const { Executor } = await load("@workspace-ops/executor");
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-bench-traj-ws-"));
  writeFileSync(join(workspaceRoot, "README.md"), "# bench\n");
  writeFileSync(join(workspaceRoot, `${MARKER}.md`), "notes\n");
  const stateDir = mkdtempSync(join(tmpdir(), "wsops-bench-traj-template-"));
  const executor = await Executor.open({
    workspaceRoot,
    stateDir,
    mode: "governed",
    sandbox: { backend: "process" },
    durability: "relaxed",
  });
  try {
    const outcome = await executor.exec({
      kind: "ToolExecutionRequest",
      apiVersion: "workspace-ops.dev/v1",
      toolExecutionId: "texec-template-0000",
      requestedAt: new Date().toISOString(),
      context: {
        organizationId: "org-bench",
        workspaceId: "ws-bench",
        sessionId: "sess-template-0000",
        agentRunId: "run-bench",
        agentRunStepId: "run-bench-step",
        actor: { type: "agent", id: "agent-bench" },
        surface: "cli",
        cwd: ".",
      },
      tool: { kind: "shell", name: "ls", argv: ["ls", "-la", `${MARKER}.md`, "README.md"] },
      correlation: { traceparent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" },
    });
    if (outcome.kind !== "finished" || outcome.result.outcome !== "succeeded")
      throw new Error(`the template call did not succeed: ${JSON.stringify(outcome)}`);
    const records = await executor.records("texec-template-0000");
    if (records.length !== 8) throw new Error(`the template call has ${records.length} records, not 8`);
    return JSON.stringify(records.map((r) => ({ type: r.type, data: r.data })));
  } finally {
    await executor.close();
    rmSync(workspaceRoot, { recursive: true, force: true });
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** A store of `sessions` sessions of RECORDS_PER_SESSION records each. @param {number} sessions */
export async function bigStore(sessions) {
  const { openSqliteStore } = await load("@workspace-ops/store");
  const text = await template();
  const stateDir = mkdtempSync(join(tmpdir(), "wsops-bench-traj-"));
  const store = await openSqliteStore(join(stateDir, "state.db"), { durability: "relaxed" });
  const messagesOf = (/** @type {number} */ s) =>
    Array.from({ length: 10 }, (_, i) => ({
      role: i === 0 ? "system" : i % 2 === 1 ? "user" : "assistant",
      content: `Message ${i} of session ${s}: please list the workspace, then summarize what you found in a few lines.`,
      at: new Date(Date.now() - 3_600_000 + i * 1000).toISOString(),
    }));
  try {
    for (let s = 0; s < sessions; s++) {
      const sessionId = `sess-bench-${String(s).padStart(5, "0")}`;
      const appends = [];
      const audit = [];
      for (let c = 0; c < CALLS_PER_SESSION; c++) {
        const id = `texec-bench-${String(s).padStart(5, "0")}-${String(c).padStart(3, "0")}`;
        /** @type {{ type: string, data: unknown }[]} */
        const word = `notes-${s}-${c}-${((s * 7919 + c * 104729) % 1_000_003).toString(36)}`;
        const records = JSON.parse(
          text
            .replaceAll("texec-template-0000", id)
            .replaceAll("sess-template-0000", sessionId)
            .replaceAll(MARKER, word),
        );
        appends.push({
          stream: id,
          records,
          create: { kind: "tool_execution", sessionId, actor: "agent:agent-bench" },
          state: "succeeded",
        });
        for (const r of records)
          audit.push({
            type: r.type,
            subject: id,
            data: r.type === "request" ? { kind: "ToolExecutionRequest" } : r.data,
          });
      }
      const messages = messagesOf(s);
      const annotation = {
        annotation: {
          kind: "SessionAnnotation",
          apiVersion: "workspace-ops.dev/v1",
          sessionId,
          messages,
          cohort: { arm: s % 2 ? "candidate" : "control", flag: "bench", model: "bench-model" },
        },
        redaction: {
          redactedAt: new Date().toISOString(),
          redactorVersion: "0.1.0",
          rules: [],
          totalRedactions: 0,
        },
      };
      const stream = `wsops.session.bench${String(s).padStart(5, "0")}`;
      appends.push({
        stream,
        records: [{ type: "annotation", data: annotation }],
        create: { kind: "reserved", sessionId },
      });
      audit.push({
        type: "session_annotated",
        subject: stream,
        data: { sessionId, messages: messages.length },
      });
      await store.commit({ appends, audit });
    }
  } finally {
    await store.close();
  }
  return stateDir;
}

/** One export (or the raw read) in a fresh process. @param {string} stateDir @param {string} mode */
function measure(stateDir, mode) {
  const out = join(stateDir, `export-${mode}.jsonl`);
  const stdout = execFileSync(
    process.execPath,
    [join(here, "..", "children", "trajectory-export.mjs"), stateDir, mode, out],
    {
      encoding: "utf8",
      maxBuffer: 1024 * 1024,
    },
  );
  rmSync(out, { force: true });
  return /** @type {{ ms: number, records: number, written: number, maxRssMiB: number }} */ (
    JSON.parse(stdout)
  );
}

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const sessions = ctx.quick ? 32 : 1600;
  const rounds = ctx.quick ? 1 : 3;
  const expected = sessions * RECORDS_PER_SESSION;
  ctx.progress(`writing ${expected.toLocaleString("en-US")} records (${sessions} sessions)`);
  const t = Date.now();
  const stateDir = await bigStore(sessions);
  ctx.progress(`written in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  /** @type {Record<string, { ms: number, records: number, written: number, maxRssMiB: number }[]>} */
  const runs = { raw: [], sft: [], trajectory: [], rl: [] };
  try {
    for (let round = 0; round < rounds; round++)
      for (const mode of /** @type {const} */ (["raw", "sft", "trajectory", "rl"])) {
        const result = measure(stateDir, mode);
        if (result.records !== expected)
          throw new Error(`${mode} read ${result.records} records, not ${expected}`);
        if (mode !== "raw" && result.written !== sessions)
          throw new Error(`${mode} wrote ${result.written} lines, not ${sessions}`);
        runs[mode]?.push(result);
        ctx.progress(
          `round ${round + 1}: ${mode} ${(result.ms / 1000).toFixed(1)} s, peak RSS ${result.maxRssMiB.toFixed(0)} MiB`,
        );
      }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
  const rate = (/** @type {string} */ mode) =>
    significant(median((runs[mode] ?? []).map((r) => (expected / r.ms) * 1000)));
  const rss = (/** @type {string} */ mode) => significant(median((runs[mode] ?? []).map((r) => r.maxRssMiB)));
  const note = `${expected.toLocaleString("en-US")} records in ${sessions} sessions, SQLite on ${filesystemOf(tmpdir())}`;
  const anchor = "raw read of the same records from the store, fresh process";
  return [
    ...["sft", "trajectory", "rl"].map((mode) => ({
      name: `export --format ${mode}, throughput (higher is better)`,
      value: rate(mode),
      unit: "records/s",
      anchor,
      anchorValue: rate("raw"),
      target: `≥ ${THROUGHPUT_TARGET.toLocaleString("en-US")} records/s`,
      note,
    })),
    ...["sft", "trajectory", "rl"].map((mode) => ({
      name: `export --format ${mode}, peak RSS (lower is better)`,
      value: rss(mode),
      unit: "MiB",
      anchor,
      anchorValue: rss("raw"),
      target: `≤ ${RSS_TARGET_MIB} MiB`,
      note,
    })),
  ];
}
