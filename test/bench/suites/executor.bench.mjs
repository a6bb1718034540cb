// @ts-check
// @workspace-ops/executor on its embedded SQLite store: what governing a tool call costs, against
// starting the process bare.
//
// Commit anchor: fdatasync of a 4 KiB append to a file in the state directory's file system (what one
// durable commit needs at least), p50, measured here in the same run.
//
// Gate: per call, what the executor puts in front of a command — validate the ToolExecutionRequest,
// analyse and decide (the command analysis, then PolicyRuntime.evaluate on
// workspace_ops/tool_execution/decision with the input the executor builds when no profile or grant
// exists: { now, grants: [], request, analysis }) and record (the store commit of request, decision,
// transition and started event with their audit records, as the executor's first phase writes it) —
// p50 and p99, durability relaxed and full; the anchor is a bare spawn('/bin/true') in the same rounds.
//
// Governed exec: the whole Executor.exec of /bin/true in governed mode with the process sandbox
// (validate, decide, two commits, run, events) with durability relaxed and full, against
// spawn('/bin/true') awaited to exit; p50 of interleaved rounds. The full figure's anchor is a bare
// spawn plus the two commits it needs (2 × the fdatasync above) plus 1 ms.
//
// Wake-up: a resolution committed by another process, until a ChangeFeed here sees it (the mechanism
// of a waiting exec and of the cancel watcher): SQLite polls PRAGMA data_version.
import { fork, spawn } from "node:child_process";
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { filesystemOf } from "../lib/executor-fs.mjs";
import { toolCall } from "../lib/executor-payloads.mjs";
import { median, significant } from "../lib/measure.mjs";
import { interleaved, percentile } from "../lib/rounds.mjs";

export const suite = "executor";

const here = dirname(fileURLToPath(import.meta.url));
const entrypoint = "workspace_ops/tool_execution/decision";
const GATE_P99_TARGET_MS = 1;
const EXEC_RATIO_TARGET = 1.3;
const WAKE_TARGET_MS = 200;

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

/** A bare spawn of /bin/true, awaited to its exit; returns ms. */
export function bareSpawn() {
  return new Promise(
    /** @param {(ms: number) => void} resolve @param {(e: Error) => void} reject */ (resolve, reject) => {
      const t = performance.now();
      const child = spawn("/bin/true");
      child.once("error", reject);
      child.once("exit", (code, signal) => {
        const ms = performance.now() - t;
        if (code === 0) resolve(ms);
        else reject(new Error(`/bin/true exited with ${code ?? signal}`));
      });
    },
  );
}

/** fdatasync after a 4 KiB append, p50 over `n` (the file grows, as a WAL does). @param {string} dir @param {number} n */
export function fdatasyncMs(dir, n) {
  const path = join(dir, "fdatasync-probe");
  const fd = openSync(path, "a");
  const page = Buffer.alloc(4096, 120);
  const xs = [];
  try {
    for (let i = 0; i < n; i++) {
      writeSync(fd, page);
      const t = performance.now();
      fsyncSync(fd); // Node's fsyncSync is fsync(2); SQLite's unix VFS calls fsync too (no HAVE_FDATASYNC)
      xs.push(performance.now() - t);
    }
  } finally {
    closeSync(fd);
    rmSync(path, { force: true });
  }
  return median(xs);
}

/** @param {number} ms */
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { Executor } = await load("@workspace-ops/executor");
  const { openSqliteStore, ChangeFeed } = await load("@workspace-ops/store");
  const { validate } = await load("@workspace-ops/contracts");
  const { PolicyRuntime, defaultBundleDir } = await load("@workspace-ops/policy");
  const analyzer = await (await load("@workspace-ops/analysis")).loadAnalyzer();

  const plan = ctx.quick
    ? {
        fsyncs: 20,
        gate: { warmup: 10, rounds: 3, relaxed: 40, full: 15, spawn: 10 },
        exec: { warmup: 3, rounds: 3, each: 5 },
        wakes: 5,
      }
    : {
        fsyncs: 200,
        gate: { warmup: 60, rounds: 12, relaxed: 200, full: 60, spawn: 40 },
        exec: { warmup: 10, rounds: 15, each: 20 },
        wakes: 40,
      };

  const loaded = await PolicyRuntime.load(defaultBundleDir);
  if (!loaded.ok) throw new Error(`policy bundle did not load: ${loaded.error.code} ${loaded.error.message}`);
  const policy = loaded.runtime;

  const scratch = mkdtempSync(join(tmpdir(), "wsops-bench-executor-"));
  const fs = filesystemOf(scratch);
  if (fs === "tmpfs") ctx.progress(`warning: ${tmpdir()} is tmpfs, where fsync costs nothing`);
  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];
  try {
    // ---- one durable commit's floor on this disk --------------------------------------------------
    const syncMs = fdatasyncMs(scratch, plan.fsyncs);
    ctx.progress(`fsync after a 4 KiB append on ${fs}: ${fmt(syncMs)} ms (p50 of ${plan.fsyncs})`);

    // ---- gate: validate + decide + record ---------------------------------------------------------
    const stores = {
      relaxed: await openSqliteStore(join(scratch, "gate-relaxed", "state.db"), { durability: "relaxed" }),
      full: await openSqliteStore(join(scratch, "gate-full", "state.db"), { durability: "full" }),
    };
    /** @type {Record<"relaxed" | "full", { validate: number[], decide: number[], record: number[] }>} */
    const parts = {
      relaxed: { validate: [], decide: [], record: [] },
      full: { validate: [], decide: [], record: [] },
    };
    /** One gated call; returns ms (the request is built outside the timing). */
    const gate = (/** @type {"relaxed" | "full"} */ which) => async () => {
      const payload = toolCall(["/bin/true"]);
      const t0 = performance.now();
      const checked = validate("ToolExecutionRequest", payload);
      if (!checked.ok) throw new Error(`request invalid: ${checked.errors[0]?.message}`);
      const request = checked.value;
      const t1 = performance.now();
      const analysis = analyzer.analyzeTool(request.tool);
      const evaluation = policy.evaluate(entrypoint, {
        now: new Date().toISOString(),
        grants: [],
        request,
        analysis,
      });
      if (!evaluation.ok || evaluation.decision.decision !== "allow")
        throw new Error(`/bin/true was not allowed: ${JSON.stringify(evaluation)}`);
      const t2 = performance.now();
      const { decision, record } = evaluation;
      const decided = {
        kind: "ToolExecutionDecision",
        apiVersion: "workspace-ops.dev/v1",
        decisionId: record.decisionId,
        toolExecutionId: request.toolExecutionId,
        decision: decision.decision,
        reasons: decision.reasons,
        obligations: decision.obligations,
        policyRevision: record.bundleRevision,
        decidedAt: record.evaluatedAt,
        entrypoint: record.entrypoint,
        inputDigest: record.inputDigest,
        durationMs: record.durationMs,
        traceparent: request.correlation.traceparent,
      };
      const id = request.toolExecutionId;
      const transition = { from: "pending", to: "running", pid: process.pid };
      await stores[which].commit({
        appends: [
          {
            stream: id,
            records: [
              { type: "request", data: { mode: "governed", request } },
              { type: "decision", data: decided },
              { type: "transition", data: transition },
            ],
            expectSeq: 1,
            create: { kind: "tool_execution", sessionId: request.context.sessionId, actor: "agent:bench" },
            state: "running",
          },
        ],
        audit: [
          { type: "request", subject: id, data: { mode: "governed", kind: "ToolExecutionRequest" } },
          { type: "decision", subject: id, data: decided },
          { type: "transition", subject: id, data: transition },
        ],
      });
      const t3 = performance.now();
      parts[which].validate.push(t1 - t0);
      parts[which].decide.push(t2 - t1);
      parts[which].record.push(t3 - t2);
      return t3 - t0;
    };
    const g = plan.gate;
    ctx.progress(
      `gate: warm-up, then ${g.rounds} rounds of ${g.relaxed} (relaxed) / ${g.full} (full) gated calls / ${g.spawn} bare spawns`,
    );
    await interleaved(
      { relaxed: gate("relaxed"), full: gate("full"), spawn: bareSpawn },
      { relaxed: g.warmup, full: g.warmup / 2, spawn: 10 },
      1,
    );
    for (const p of Object.values(parts)) for (const xs of Object.values(p)) xs.length = 0;
    const gs = await interleaved(
      { relaxed: gate("relaxed"), full: gate("full"), spawn: bareSpawn },
      g,
      g.rounds,
    );
    await stores.relaxed.close();
    await stores.full.close();
    const gateSpawn = median(/** @type {number[]} */ (gs.spawn));
    const spawnAnchor = "bare child_process.spawn('/bin/true') to exit, p50 in the same rounds";
    for (const which of /** @type {const} */ (["relaxed", "full"])) {
      const xs = /** @type {number[]} */ (gs[which]);
      const p99 = percentile(xs, 0.99);
      const part = (/** @type {number[]} */ ys) => `${fmt(median(ys))}/${fmt(percentile(ys, 0.99))}`;
      const split = `parts p50/p99: validate ${part(parts[which].validate)} ms, analyse + decide ${part(parts[which].decide)} ms, record (one commit) ${part(parts[which].record)} ms`;
      const common = `${xs.length} calls pooled over ${g.rounds} interleaved rounds; SQLite on ${fs}`;
      const goal =
        which === "relaxed"
          ? `goal p99 ≤ ${GATE_P99_TARGET_MS} ms: p99 is ${fmt(p99)} ms, ${p99 <= GATE_P99_TARGET_MS ? "met" : "missed"}`
          : `no ms goal with durability full (the commit's fsync alone is ${fmt(syncMs)} ms here)`;
      for (const [q, value] of /** @type {const} */ ([
        ["p50", median(xs)],
        ["p99", p99],
      ])) {
        figures.push({
          name: `gate per call ${q}, validate + decide + record, durability ${which} (lower is better)`,
          value: significant(value),
          unit: "ms",
          anchor: spawnAnchor,
          anchorValue: significant(gateSpawn),
          target:
            which === "relaxed"
              ? q === "p99"
                ? `p99 ≤ ${GATE_P99_TARGET_MS} ms`
                : "(goal on p99)"
              : "(none)",
          note: `${q === "p99" ? `${goal}; ` : "ratio = the gate as a fraction of a process start; "}${split}; ${common}`,
        });
      }
    }

    // ---- governed exec ----------------------------------------------------------------------------
    const executors = {
      relaxed: await Executor.open({
        workspaceRoot: mkdtempSync(join(scratch, "exec-relaxed-")),
        stateDir: mkdtempSync(join(scratch, "exec-relaxed-state-")),
        mode: "governed",
        durability: "relaxed",
        sandbox: { backend: "process" },
      }),
      full: await Executor.open({
        workspaceRoot: mkdtempSync(join(scratch, "exec-full-")),
        stateDir: mkdtempSync(join(scratch, "exec-full-state-")),
        mode: "governed",
        durability: "full",
        sandbox: { backend: "process" },
      }),
    };
    /** @type {Record<"relaxed" | "full", { runMs: number[], decisionMs: number[] }>} */
    const durations = { relaxed: { runMs: [], decisionMs: [] }, full: { runMs: [], decisionMs: [] } };
    const exec = (/** @type {"relaxed" | "full"} */ which) => async () => {
      const payload = toolCall(["/bin/true"]);
      const t = performance.now();
      const out = await executors[which].exec(payload);
      const ms = performance.now() - t;
      if (out.kind !== "finished" || out.result.outcome !== "succeeded")
        throw new Error(`governed exec of /bin/true did not succeed: ${JSON.stringify(out)}`);
      durations[which].runMs.push(out.result.durations.runMs ?? Number.NaN);
      durations[which].decisionMs.push(out.result.durations.decisionMs ?? Number.NaN);
      return ms;
    };
    const e = plan.exec;
    ctx.progress(
      `governed exec: warm-up, then ${e.rounds} rounds of ${e.each} execs (relaxed, full) and ${e.each} bare spawns`,
    );
    await interleaved(
      { relaxed: exec("relaxed"), full: exec("full"), spawn: bareSpawn },
      { relaxed: e.warmup, full: e.warmup, spawn: e.warmup },
      1,
    );
    for (const d of Object.values(durations)) for (const xs of Object.values(d)) xs.length = 0;
    const es = await interleaved(
      { relaxed: exec("relaxed"), full: exec("full"), spawn: bareSpawn },
      { relaxed: e.each, full: e.each, spawn: e.each },
      e.rounds,
    );
    const breakdown = await commitBreakdown(executors.relaxed, e.each);
    await executors.relaxed.close();
    await executors.full.close();
    const execSpawn = median(/** @type {number[]} */ (es.spawn));
    for (const which of /** @type {const} */ (["relaxed", "full"])) {
      const xs = /** @type {number[]} */ (es[which]);
      const p50 = median(xs);
      const runP50 = median(durations[which].runMs);
      const decisionP50 = median(durations[which].decisionMs);
      const anchorValue = which === "relaxed" ? execSpawn : execSpawn + 2 * syncMs + 1;
      const limit = which === "relaxed" ? EXEC_RATIO_TARGET : 1;
      const ratio = p50 / anchorValue;
      const verdict = ratio <= limit ? "met" : `missed by ${(ratio / limit).toFixed(2)}×`;
      figures.push({
        name: `governed exec of /bin/true p50, durability ${which}${which === "full" ? " (as shipped)" : ""} (lower is better)`,
        value: significant(p50),
        unit: "ms",
        anchor:
          which === "relaxed"
            ? "bare child_process.spawn('/bin/true') awaited to exit, p50, same rounds"
            : "bare spawn p50 + 2 commits × fsync p50 on the same disk + 1 ms, same run",
        anchorValue: significant(anchorValue),
        target: `≤ ${limit}`,
        note:
          `${verdict} (${fmt(p50)} ms vs ${fmt(anchorValue * limit)} ms allowed${which === "full" ? `: spawn ${fmt(execSpawn)} + 2 × ${fmt(syncMs)} + 1` : ""}); ` +
          `${xs.length} execs pooled over ${e.rounds} interleaved rounds; from the results, p50: run ${fmt(runP50)} ms, ` +
          `policy evaluation ${fmt(decisionP50)} ms, so ${fmt(p50 - runP50 - decisionP50)} ms is validation and bookkeeping` +
          (which === "relaxed" ? `; ${breakdown}` : ""),
      });
    }

    // ---- wake-up across processes -------------------------------------------------------------------
    const wakes = await wakeLatencies(
      openSqliteStore,
      ChangeFeed,
      join(scratch, "wake", "state.db"),
      plan.wakes,
    );
    figures.push(wakeFigure("SQLite", wakes, WAKE_TARGET_MS));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}

/**
 * What an exec's store work costs, from an instrumented executor (after the timed rounds): commits and
 * reads per exec and their time. @param {any} executor @param {number} n
 */
async function commitBreakdown(executor, n) {
  const { store } = executor.context;
  /** @type {{ op: string, ms: number }[]} */
  const calls = [];
  for (const op of /** @type {const} */ (["commit", "read", "stream"])) {
    const original = store[op].bind(store);
    store[op] = async (/** @type {unknown[]} */ ...args) => {
      const t = performance.now();
      try {
        return await original(...args);
      } finally {
        calls.push({ op, ms: performance.now() - t });
      }
    };
  }
  for (let i = 0; i < n; i++) await executor.exec(toolCall(["/bin/true"]));
  const per = (/** @type {string} */ op) => calls.filter((c) => c.op === op);
  const ms = (/** @type {string} */ op) => per(op).reduce((a, c) => a + c.ms, 0) / n;
  return (
    `per exec ${per("commit").length / n} commits (${fmt(ms("commit"))} ms) and ${per("read").length / n} record reads ` +
    `(${fmt(ms("read"))} ms: governance, the cancel watcher's first look) — means of ${n} instrumented execs`
  );
}

/**
 * Another process commits an approval resolution; how long until a ChangeFeed here wakes, from the
 * moment the other process started its commit (so the commit itself is included: with NOTIFY the
 * waiter is often woken before the committer has its own acknowledgement). @returns {Promise<number[]>}
 */
export async function wakeLatencies(
  /** @type {(where: string, options?: object) => Promise<any>} */ open,
  /** @type {any} */ ChangeFeed,
  /** @type {string} */ where,
  /** @type {number} */ n,
) {
  const store = await open(where, { durability: "full" });
  const child = fork(join(here, "..", "children", "commit-on-request.mjs"), [where], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  try {
    await new Promise((resolve) => child.once("message", resolve));
    const feed = new ChangeFeed(store);
    /** @type {number[]} */
    const latencies = [];
    for (let i = 0; i < n; i++) {
      await feed.next(0);
      const acknowledged = new Promise((resolve) => child.once("message", resolve));
      child.send(i);
      if (!(await feed.next(10_000))) throw new Error("no wake-up within 10 s");
      const woke = performance.timeOrigin + performance.now();
      const { started } = /** @type {{ started: number }} */ (await acknowledged);
      latencies.push(woke - started);
      await new Promise((resolve) => setTimeout(resolve, 5 + (i % 7)));
    }
    feed.close();
    return latencies;
  } finally {
    child.disconnect();
    await store.close();
  }
}

/** @param {string} backend @param {number[]} latencies @param {number} target */
export function wakeFigure(backend, latencies, target) {
  const p50 = median(latencies);
  const max = Math.max(...latencies);
  return {
    name: `approval wake-up across processes, ${backend}, p50 (lower is better)`,
    value: significant(p50),
    unit: "ms",
    anchor: `the ${target} ms target`,
    anchorValue: target,
    target: `≤ ${target} ms (ratio ≤ 1)`,
    note: `from the start of another process's commit of an approval resolution (the commit included) to a ChangeFeed here waking: p50 ${fmt(p50)} ms, max ${fmt(max)} ms over ${latencies.length}; ${max <= target ? "met" : "missed"} for every one`,
  };
}
