// The export: every session (and operation) of each store, built into a Trajectory, redacted as a
// whole, checked against its contract, then serialized as the format asks — one line at a time, so
// memory holds one trajectory (and the usage index), whatever the size of the store.
import type { RlTrajectory, SftExampleLineage, Trajectory } from "@workspace-ops/contracts";
import type { SessionInfo, Store } from "@workspace-ops/store";
import { operationTrajectory } from "./operations.js";
import { assumeContract, checkContract } from "./record-check.js";
import { type ExportRedaction, exportRedaction, exportRedactor } from "./redaction.js";
import { defaultRewardTable, type RewardTable, rlTrajectory } from "./rewards.js";
import { type BuildContext, pagedStreams, sessionTrajectory } from "./sessions.js";
import { type SftDialect, sftExample } from "./sft.js";
import { checkSftExample } from "./sft-check.js";
import { type SkipCount, Tally } from "./tally.js";
import { UsageIndex } from "./usage-index.js";

export type ExportFormat = "trajectory" | "rl" | "sft";

export interface ExportSource {
  store: Store;
  /** Where it is, without credentials: part of every trajectoryId of the store. */
  location: string;
}

export interface ExportOptions {
  sources: readonly ExportSource[];
  format: ExportFormat;
  /** sft only (default openai). */
  dialect?: SftDialect;
  /** rl only (default: rewards.default.json of this package). */
  rewards?: RewardTable;
  /** Default: the default rules, random-looking tokens and home directory user names. */
  redaction?: ExportRedaction;
  /** Only trajectories of this cohort: an arm (candidate, control), a flag, or FLAG=ARM. */
  cohort?: string;
  /** Only sessions and operations updated at or after this time. */
  since?: Date;
  /** Only this session (operations are then left out). */
  session?: string;
  /** Stop at the first record or trajectory that would be left out (a TrajectoryError). */
  strict?: boolean;
  now?: () => Date;
  /** Told after each session or operation. */
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportProgress {
  /** Sessions and operations looked at. */
  units: number;
  records: number;
  written: number;
}

/** One line to write (without its newline), and for sft the lineage line that goes with it. */
export interface ExportedLine {
  text: string;
  lineage?: string;
}

export interface ExportSummary {
  format: ExportFormat;
  dialect?: SftDialect;
  stores: string[];
  /** Sessions and operations looked at. */
  sessions: number;
  operations: number;
  /** Records read from the stores (stream records, and usage records of the audit log). */
  records: number;
  /** Lines written. */
  written: number;
  /** Trajectories left out by --cohort. */
  filtered: number;
  skipped: { records: SkipCount[]; trajectories: SkipCount[] };
  redactions: { redactorVersion: string; total: number; rules: { rule: string; count: number }[] };
  rewardTable?: { source: string; version: number; digest: string };
}

/** Whether a trajectory belongs to the cohort a --cohort value names. */
export function inCohort(trajectory: Trajectory, cohort: string): boolean {
  const c = trajectory.cohort;
  if (!c) return false;
  const eq = cohort.indexOf("=");
  if (eq >= 0) return c.flag === cohort.slice(0, eq) && c.arm === cohort.slice(eq + 1);
  return c.arm === cohort || c.flag === cohort;
}

/** Runs an export: `lines` yields what to write; `summary()` says what happened (complete once `lines` ends). */
export function exportTrajectories(options: ExportOptions): {
  lines: AsyncGenerator<ExportedLine>;
  summary: () => ExportSummary;
} {
  const format = options.format;
  const dialect = options.dialect ?? "openai";
  const rewards = format === "rl" ? (options.rewards ?? defaultRewardTable()) : undefined;
  const redaction = options.redaction ?? exportRedaction();
  const now = options.now ?? (() => new Date());
  const redactor = exportRedactor(redaction, now);
  const tally = new Tally(options.strict === true, redactor.text);
  const redacted = new Map<string, number>();
  const counts = { sessions: 0, operations: 0, written: 0, filtered: 0 };

  const progress = () =>
    options.onProgress?.({
      units: counts.sessions + counts.operations,
      records: tally.records,
      written: counts.written,
    });

  type Prepared =
    | { kind: "filtered" }
    | { kind: "invalid"; detail: string }
    | { kind: "ready"; trajectory: Trajectory; report: Trajectory["redaction"]; rl?: RlTrajectory };

  /**
   * A built trajectory, redacted as a whole and checked against its contract — for rl, the RL line
   * built from it is checked instead: its contract holds the trajectory's lineage, cohort and steps.
   */
  function prepare(built: Trajectory): Prepared {
    if (options.cohort !== undefined && !inCohort(built, options.cohort)) return { kind: "filtered" };
    const { value, report } = redactor.redact(built);
    const trajectory = { ...value, redaction: report };
    if (format === "rl") {
      const rl = rlTrajectory(trajectory, rewards as RewardTable);
      const checked = checkContract("RlTrajectory", rl);
      return checked.ok
        ? { kind: "ready", trajectory, report, rl }
        : { kind: "invalid", detail: checked.detail };
    }
    const checked = checkContract("Trajectory", trajectory);
    return checked.ok ? { kind: "ready", trajectory, report } : { kind: "invalid", detail: checked.detail };
  }

  /**
   * Builds a unit's trajectory. Fast path: records are taken as their contracts say, and the whole
   * trajectory is checked. When that fails (or the build stumbles on a malformed record), the unit is
   * built again checking every record, so that only the bad records are left out. --strict always
   * checks every record.
   */
  async function build(make: (ctx: BuildContext) => Promise<Trajectory | undefined>, ctx: BuildContext) {
    if (!options.strict) {
      const draft = ctx.tally.draft();
      let fast: Prepared | "stumbled" | undefined;
      try {
        const built = await make({ ...ctx, tally: draft, check: assumeContract });
        fast = built ? prepare(built) : undefined;
      } catch (error) {
        if ((error as { name?: string }).name === "StateError") throw error;
        fast = "stumbled";
      }
      if (fast !== "stumbled" && fast?.kind !== "invalid") {
        ctx.tally.absorb(draft);
        return fast;
      }
    }
    const built = await make(ctx);
    return built ? prepare(built) : undefined;
  }

  /** The line(s) of one prepared trajectory, or nothing (counted) when it is filtered or left out. */
  function serialize(prepared: Prepared | undefined, where: string): ExportedLine | undefined {
    if (!prepared) return undefined;
    if (prepared.kind === "filtered") {
      counts.filtered++;
      return undefined;
    }
    if (prepared.kind === "invalid") {
      tally.skipTrajectory("invalid_trajectory", where, prepared.detail);
      return undefined;
    }
    const { trajectory, report } = prepared;
    let line: ExportedLine;
    if (format === "trajectory") line = { text: JSON.stringify(trajectory) };
    else if (prepared.rl) line = { text: JSON.stringify(prepared.rl) };
    else {
      const sft = sftExample(trajectory, dialect);
      if (!sft.ok) {
        tally.skipTrajectory("no_assistant_turns", where, sft.detail);
        return undefined;
      }
      const problems = checkSftExample(sft.example, dialect);
      const lineage: SftExampleLineage = {
        kind: "SftExampleLineage",
        apiVersion: "workspace-ops.dev/v1",
        line: counts.written + 1,
        trajectoryId: trajectory.trajectoryId,
        lineage: trajectory.lineage,
        ...(trajectory.cohort ? { cohort: trajectory.cohort } : {}),
        dialect,
        messages: sft.messages,
        trainableMessages: sft.trainable,
        redaction: report,
      };
      const lineageOk = checkContract("SftExampleLineage", lineage);
      if (problems.length > 0 || !lineageOk.ok) {
        const first = problems[0];
        tally.skipTrajectory(
          "invalid_output",
          where,
          first ? `${first.pointer} ${first.message}` : (lineageOk as { detail: string }).detail,
        );
        return undefined;
      }
      line = { text: JSON.stringify(sft.example), lineage: JSON.stringify(lineage) };
    }
    for (const r of report.rules) redacted.set(r.rule, (redacted.get(r.rule) ?? 0) + r.count);
    counts.written++;
    return line;
  }

  async function* sessionsOf(store: Store): AsyncGenerator<SessionInfo> {
    if (options.session !== undefined) {
      const [stream] = await store.listStreams({ sessionId: options.session, limit: 1 });
      if (stream)
        yield {
          sessionId: options.session,
          streams: 0,
          createdAt: stream.createdAt,
          updatedAt: stream.updatedAt,
        };
      return;
    }
    const since = options.since?.toISOString();
    for (let before: { updatedAt: string; sessionId: string } | undefined; ; ) {
      const page = await store.listSessions({ limit: 1000, ...(before ? { before } : {}) });
      for (const session of page) {
        // Most recently updated first: the first one older than --since ends the listing.
        if (since !== undefined && Date.parse(session.updatedAt) < Date.parse(since)) return;
        yield session;
      }
      const last = page.at(-1);
      if (!last || page.length < 1000) return;
      before = { updatedAt: last.updatedAt, sessionId: last.sessionId };
    }
  }

  async function* lines(): AsyncGenerator<ExportedLine> {
    for (const source of options.sources) {
      const ctx: BuildContext = {
        store: source.store,
        location: source.location,
        tally,
        // SFT examples hold no usage, so an SFT export never reads the audit log.
        usage: format === "sft" ? UsageIndex.empty() : await UsageIndex.read(source.store, tally),
        check: checkContract,
      };
      for await (const session of sessionsOf(source.store)) {
        counts.sessions++;
        const prepared = await build((c) => sessionTrajectory(c, session), ctx);
        const line = serialize(prepared, `session ${session.sessionId}`);
        progress();
        if (line) yield line;
      }
      if (options.session !== undefined) continue;
      for await (const info of pagedStreams(source.store, { kind: "operation" })) {
        if (options.since && Date.parse(info.updatedAt) < options.since.getTime()) continue;
        counts.operations++;
        const prepared = await build((c) => operationTrajectory(c, info), ctx);
        const line = serialize(prepared, `operation ${info.stream}`);
        progress();
        if (line) yield line;
      }
    }
  }

  const summary = (): ExportSummary => {
    const rules = [...redacted]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([rule, count]) => ({ rule, count }));
    return {
      format,
      ...(format === "sft" ? { dialect } : {}),
      stores: options.sources.map((s) => s.location),
      sessions: counts.sessions,
      operations: counts.operations,
      records: tally.records,
      written: counts.written,
      filtered: counts.filtered,
      skipped: { records: tally.skippedRecords, trajectories: tally.skippedTrajectories },
      redactions: {
        redactorVersion: redaction.version,
        total: rules.reduce((n, r) => n + r.count, 0),
        rules,
      },
      ...(rewards
        ? { rewardTable: { source: rewards.source, version: rewards.version, digest: rewards.digest } }
        : {}),
    };
  };

  return { lines: lines(), summary };
}
