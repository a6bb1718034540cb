// export: governed runs as redacted training data (Trajectory, RL or SFT JSONL). Opens only the stores.
import { resolve } from "node:path";
import {
  type ExportProgress,
  type ExportSummary,
  exportRedaction,
  exportTrajectories,
  isTrajectoryError,
  lineageFileOf,
  loadExportRedaction,
  loadRewardTable,
  openSources,
  type StoreSelection,
  writeLines,
} from "@workspace-ops/trajectory";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { stateDirOf } from "./executor-shared.js";

export const exportUsage = `Usage:
  wsops export --format sft|rl|trajectory [options]

Builds a Trajectory per session (and per operation) of the store(s), redacts it, and writes one JSON
line per trajectory: trajectory (the Trajectory contract), rl (steps with per-step rewards from a reward
table: RlTrajectory), sft (chat messages for fine-tuning; the lineage of each line goes to a separate
file, line for line: SftExampleLineage). A record that does not satisfy its contract is left out and
counted; the summary says what was left out and why. See docs/trajectories.md.

Options:
  --format FORMAT      sft, rl or trajectory (required)
  --out FILE           write to FILE (through a temporary file renamed at the end; default: stdout)
  --lineage FILE       sft: where the lineage lines go (default with --out: FILE.jsonl → FILE.lineage.jsonl;
                       without --out, none is written unless this is given)
  --dialect NAME       sft: openai (default: weight 0/1 on assistant messages, and tools) or tinker
                       (trainable on every message)
  --cohort NAME        only trajectories of a cohort: an arm (candidate, control), a flag, or FLAG=ARM
  --since TIME         only sessions and operations updated since TIME (2026-11-21T00:00:00Z, or 30m, 24h, 7d)
  --session ID         only this session
  --strict             stop (exit 1) at the first record or trajectory that would be left out
  --rewards FILE       rl: the reward table (default: rewards.default.json of @workspace-ops/trajectory)
  --redaction FILE     more redaction: {"userNames": [...], "rules": [...], "homePaths", "highEntropy"}
  --state-dir DIR      a state directory to read (repeatable; default: the workspace's)
  --store URL          a store to read: sqlite:PATH or postgres://… (repeatable; default: $WSOPS_STORE_URL)
  --workspace DIR      the workspace whose state directory is the default (default: the current directory)
  --json               print the summary as JSON on stdout (needs --out)

On a terminal, a progress line is shown on stderr while it runs.
Exit codes: 0 written; 1 --strict stopped at a bad record; 2 usage error, a bad --rewards or --redaction
file, or an output that cannot be written; 69 a store is missing or cannot be opened.
`;

const DURATION = /^(\d+)(m|h|d)$/;
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** --since: a timestamp, or a duration back from now. */
function sinceOf(value: string, now: Date): Date {
  const duration = DURATION.exec(value);
  if (duration)
    return new Date(now.getTime() - Number(duration[1]) * UNIT_MS[duration[2] as keyof typeof UNIT_MS]);
  return new Date(value);
}

const schema = z.object({
  format: z.enum(["sft", "rl", "trajectory"], { error: "must be sft, rl or trajectory" }),
  out: z.string().min(1).optional(),
  lineage: z.string().min(1).optional(),
  dialect: z.enum(["openai", "tinker"], { error: "must be openai or tinker" }).optional(),
  cohort: z.string().min(1).max(257).optional(),
  since: z
    .string()
    .refine((s) => DURATION.test(s) || !Number.isNaN(Date.parse(s)), {
      error: "must be a time (2026-11-21T00:00:00Z) or a duration (30m, 24h, 7d)",
    })
    .optional(),
  session: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "must be a session id (an identifier)" })
    .optional(),
  strict: z.boolean().optional(),
  rewards: z.string().min(1).optional(),
  redaction: z.string().min(1).optional(),
  "state-dir": z.array(z.string().min(1)).optional(),
  store: z
    .array(
      z.string().regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
        error: "must be sqlite:PATH, postgres://… or postgresql://…",
      }),
    )
    .optional(),
  workspace: z.string().optional(),
  json: z.boolean().optional(),
});

function selectionsOf(values: z.infer<typeof schema>): StoreSelection[] {
  const selections: StoreSelection[] = [
    ...(values["state-dir"] ?? []).map((dir) => ({ stateDir: resolve(dir) })),
    ...(values.store ?? []).map((url) => ({ url })),
  ];
  if (selections.length > 0) return selections;
  const url = process.env.WSOPS_STORE_URL;
  return [url ? { url } : { stateDir: stateDirOf({ workspace: values.workspace }) }];
}

function checkCombination(values: z.infer<typeof schema>): void {
  if (values.format !== "sft" && values.dialect) throw new UsageError("--dialect belongs to --format sft");
  if (values.format !== "sft" && values.lineage) throw new UsageError("--lineage belongs to --format sft");
  if (values.format !== "rl" && values.rewards) throw new UsageError("--rewards belongs to --format rl");
  if (values.json && !values.out)
    throw new UsageError(
      "--json reports on an export written with --out FILE; without it the export is the output",
    );
}

/** "\r…" on a terminal, at most every 200 ms. */
function progressLine(io: Io) {
  let last = 0;
  let shown = false;
  return {
    update(p: ExportProgress) {
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      io.stderr(
        `\rwsops export: ${p.units} sessions/operations, ${p.records} records read, ${p.written} written`,
      );
    },
    clear() {
      if (shown) io.stderr("\r\x1b[K");
    },
  };
}

const counted = (list: { reason: string; count: number; example: string; detail: string }[]) =>
  list.map((s) => `    ${s.reason}: ${s.count} (first: ${s.example}: ${s.detail})`).join("\n");

function describe(summary: ExportSummary, out: string | undefined, lineage: string | undefined): string {
  const lines = [
    `exported ${summary.written} ${summary.format}${summary.dialect ? ` (${summary.dialect})` : ""} line(s) to ${out ?? "stdout"}${lineage ? `, lineage to ${lineage}` : ""}`,
    `  read ${summary.sessions} session(s), ${summary.operations} operation(s), ${summary.records} record(s) from ${summary.stores.join(", ")}`,
  ];
  const records = summary.skipped.records.reduce((n, s) => n + s.count, 0);
  const trajectories = summary.skipped.trajectories.reduce((n, s) => n + s.count, 0);
  if (records > 0) lines.push(`  skipped ${records} record(s):`, counted(summary.skipped.records));
  if (trajectories > 0)
    lines.push(`  skipped ${trajectories} trajectory(ies):`, counted(summary.skipped.trajectories));
  if (summary.filtered > 0) lines.push(`  left out by --cohort: ${summary.filtered}`);
  const r = summary.redactions;
  lines.push(
    `  redacted ${r.total} value(s)${r.rules.length ? ` (${r.rules.map((x) => `${x.rule} ${x.count}`).join(", ")})` : ""} with rules ${r.redactorVersion}`,
  );
  if (summary.rewardTable)
    lines.push(
      `  rewards: ${summary.rewardTable.source} v${summary.rewardTable.version} ${summary.rewardTable.digest}`,
    );
  return `${lines.join("\n")}\n`;
}

export async function exportCommand(argv: string[], io: Io): Promise<number> {
  try {
    return await runExport(argv, io);
  } catch (error) {
    if (!isTrajectoryError(error)) throw error;
    // A mistake in a file or a refused record: one line, no usage, no stack.
    io.stderr(`wsops export: ${error.message}\n`);
    if (error.code === "strict_violation") return ExitCode.problems;
    if (error.code === "store_missing") return ExitCode.storeUnavailable;
    return ExitCode.usage;
  }
}

async function runExport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      format: { type: "string" },
      out: { type: "string" },
      lineage: { type: "string" },
      dialect: { type: "string" },
      cohort: { type: "string" },
      since: { type: "string" },
      session: { type: "string" },
      strict: { type: "boolean" },
      rewards: { type: "string" },
      redaction: { type: "string" },
      "state-dir": { type: "string", multiple: true },
      store: { type: "string", multiple: true },
      workspace: { type: "string" },
      json: { type: "boolean" },
    },
    schema,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  checkCombination(values);
  const out = values.out ? resolve(values.out) : undefined;
  const lineage =
    values.format !== "sft"
      ? undefined
      : values.lineage
        ? resolve(values.lineage)
        : out
          ? lineageFileOf(out)
          : undefined;
  // The configuration files first: a mistake in one is reported before any store is opened.
  const rewards = values.rewards ? await loadRewardTable(resolve(values.rewards)) : undefined;
  const redaction = values.redaction
    ? await loadExportRedaction(resolve(values.redaction))
    : exportRedaction();
  const { sources, close } = await openSources(selectionsOf(values));
  const progress = process.stderr.isTTY ? progressLine(io) : undefined;
  let summary: ExportSummary;
  try {
    const run = exportTrajectories({
      sources,
      format: values.format,
      ...(values.dialect ? { dialect: values.dialect } : {}),
      ...(rewards ? { rewards } : {}),
      redaction,
      ...(values.cohort ? { cohort: values.cohort } : {}),
      ...(values.since ? { since: sinceOf(values.since, new Date()) } : {}),
      ...(values.session ? { session: values.session } : {}),
      strict: values.strict === true,
      ...(progress ? { onProgress: progress.update } : {}),
    });
    await writeLines(run.lines, { out, lineageOut: lineage, stdout: io.stdout });
    summary = run.summary();
  } finally {
    progress?.clear();
    await close();
  }
  if (values.json)
    io.stdout(`${JSON.stringify({ ...summary, out, ...(lineage ? { lineage } : {}) }, null, 2)}\n`);
  else io.stderr(describe(summary, out, lineage));
  return ExitCode.ok;
}
