// @ts-check
// @workspace-ops/executor: what governing a tool call costs, against starting the process bare.
//
// Gate overhead: per call, what the executor's gate adds in front of a command — validate the
// ToolExecutionRequest, analyse and decide (the command analysis, then PolicyRuntime.evaluate on
// workspace_ops/tool_execution/decision with the input the executor builds when no profile or grant
// exists: { now, grants: [], request, analysis }) and one
// audit append (openAuditLog(dir, { fsync })) of the decision record — p50 and p99, with fsync off and
// on. Its goal is in milliseconds (p99 ≤ 1 ms without fsync); the anchor is the p50 of a bare
// child_process.spawn('/bin/true') measured in the same rounds, so the ratio says what fraction of a
// process start the gate costs.
//
// Governed exec: the whole Executor.exec of /bin/true in governed mode with the process sandbox
// (validate, persist, decide, transitions, lifecycle events, run, result) with fsync on (as shipped)
// and off, against spawn('/bin/true') awaited to exit; p50, interleaved rounds.
//
// Breakdown: a child process (children/executor-profile.mjs) counts, per exec, the store and audit
// appends (from the state dir's records), the fsyncs and the other file-system calls, and times each part.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { filesystemOf } from "../lib/executor-fs.mjs";
import { toolCall } from "../lib/executor-payloads.mjs";
import { median, significant, timeChild } from "../lib/measure.mjs";

export const suite = "executor";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const entrypoint = "workspace_ops/tool_execution/decision";
const GATE_P99_TARGET_MS = 1;
const EXEC_RATIO_TARGET = 1.3;

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

/** Nearest-rank percentile of pooled samples. @param {readonly number[]} xs @param {number} q */
function percentile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  return /** @type {number} */ (s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]);
}

/** A bare spawn of /bin/true, awaited to its exit; returns ms. */
function bareSpawn() {
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

/**
 * Rounds in which every side runs `per[side]` calls in a row; the order of the sides rotates each
 * round, so drift and each side's garbage hit all of them alike. Samples are pooled per side.
 * @param {Record<string, () => Promise<number>>} sides
 * @param {Record<string, number>} per
 * @param {number} rounds
 */
async function interleaved(sides, per, rounds) {
  const names = Object.keys(sides);
  /** @type {Record<string, number[]>} */
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    const order = names.map((_, k) => /** @type {string} */ (names[(k + r) % names.length]));
    for (const name of order) {
      const side = /** @type {() => Promise<number>} */ (sides[name]);
      const into = /** @type {number[]} */ (samples[name]);
      for (let i = 0; i < (per[name] ?? 0); i++) into.push(await side());
    }
  }
  return samples;
}

/** @param {number} ms */
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { Executor, openAuditLog } = await load("@workspace-ops/executor");
  const { validate } = await load("@workspace-ops/contracts");
  const { PolicyRuntime, defaultBundleDir } = await load("@workspace-ops/policy");
  const analyzer = await (await load("@workspace-ops/analysis")).loadAnalyzer();

  const plan = ctx.quick
    ? {
        gate: { warmup: 10, rounds: 3, off: 40, on: 15, spawn: 10 },
        exec: { warmup: 3, rounds: 3, each: 5 },
        profile: { warmup: 3, execs: 8, countExecs: 2, runs: 10 },
      }
    : {
        gate: { warmup: 60, rounds: 12, off: 200, on: 60, spawn: 40 },
        exec: { warmup: 10, rounds: 15, each: 20 },
        profile: { warmup: 10, execs: 40, countExecs: 5, runs: 60 },
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
    // ---- gate overhead ----------------------------------------------------------------------------
    const audits = {
      off: await openAuditLog(join(scratch, "gate-fsync-off"), { fsync: false }),
      on: await openAuditLog(join(scratch, "gate-fsync-on"), { fsync: true }),
    };
    /** @type {Record<"off" | "on", { validate: number[], decide: number[], append: number[] }>} */
    const parts = {
      off: { validate: [], decide: [], append: [] },
      on: { validate: [], decide: [], append: [] },
    };
    /** One gated call: validate, decide, append; returns ms (the request is built outside the timing). */
    const gate = (/** @type {"off" | "on"} */ which) => async () => {
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
      if (!evaluation.ok || evaluation.decision.decision !== "allow") {
        throw new Error(`/bin/true was not allowed: ${JSON.stringify(evaluation)}`);
      }
      const t2 = performance.now();
      const { decision, record } = evaluation;
      // The record the executor appends (decide.ts decisionRecord), so the line has its real size.
      await audits[which].append("decision", request.toolExecutionId, {
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
      });
      const t3 = performance.now();
      parts[which].validate.push(t1 - t0);
      parts[which].decide.push(t2 - t1);
      parts[which].append.push(t3 - t2);
      return t3 - t0;
    };
    const g = plan.gate;
    ctx.progress(
      `gate overhead: warm-up, then ${g.rounds} rounds of ${g.off} (fsync off) / ${g.on} (fsync on) gated calls / ${g.spawn} bare spawns`,
    );
    await interleaved(
      { off: gate("off"), on: gate("on"), spawn: bareSpawn },
      { off: g.warmup, on: g.warmup / 2, spawn: 10 },
      1,
    );
    for (const p of Object.values(parts)) for (const xs of Object.values(p)) xs.length = 0;
    const gs = await interleaved({ off: gate("off"), on: gate("on"), spawn: bareSpawn }, g, g.rounds);
    await audits.off.close();
    await audits.on.close();
    const gateSpawnP50 = median(/** @type {number[]} */ (gs.spawn));
    const spawnAnchor = "bare child_process.spawn('/bin/true') to exit, p50 in the same rounds";
    for (const which of /** @type {const} */ (["off", "on"])) {
      const xs = /** @type {number[]} */ (gs[which]);
      const p50 = median(xs);
      const p99 = percentile(xs, 0.99);
      const part = (/** @type {number[]} */ ys) => `${fmt(median(ys))}/${fmt(percentile(ys, 0.99))}`;
      const split =
        `parts p50/p99: validate ${part(parts[which].validate)} ms, analyse + decide ${part(parts[which].decide)} ms, ` +
        `audit append ${part(parts[which].append)} ms`;
      const common =
        `${xs.length} calls pooled over ${g.rounds} interleaved rounds with ${gs.spawn?.length} bare spawns; ` +
        `state dir on ${fs}`;
      const goal =
        which === "off"
          ? `goal p99 ≤ ${GATE_P99_TARGET_MS} ms: p99 is ${fmt(p99)} ms, ${p99 <= GATE_P99_TARGET_MS ? "met" : "missed"}`
          : "no ms goal with fsync on (the 1 ms goal is for fsync off)";
      figures.push({
        name: `gate overhead per call p50, validate + decide + audit append, fsync ${which} (lower is better)`,
        value: significant(p50),
        unit: "ms",
        anchor: spawnAnchor,
        anchorValue: significant(gateSpawnP50),
        target: which === "off" ? "(goal on p99)" : "(none)",
        note: `ratio = the gate's p50 as a fraction of a process start; ${split}; ${common}`,
      });
      figures.push({
        name: `gate overhead per call p99, validate + decide + audit append, fsync ${which} (lower is better)`,
        value: significant(p99),
        unit: "ms",
        anchor: spawnAnchor,
        anchorValue: significant(gateSpawnP50),
        target: which === "off" ? `p99 ≤ ${GATE_P99_TARGET_MS} ms` : "(none)",
        note: `${goal}; ${split}; ${common}`,
      });
    }

    // ---- governed exec ----------------------------------------------------------------------------
    const executors = {
      on: await Executor.open({
        workspaceRoot: mkdtempSync(join(scratch, "exec-fsync-on-")),
        mode: "governed",
        fsync: true,
        sandbox: { backend: "process" },
      }),
      off: await Executor.open({
        workspaceRoot: mkdtempSync(join(scratch, "exec-fsync-off-")),
        mode: "governed",
        fsync: false,
        sandbox: { backend: "process" },
      }),
    };
    /** @type {Record<"on" | "off", { runMs: number[], decisionMs: number[] }>} */
    const durations = { on: { runMs: [], decisionMs: [] }, off: { runMs: [], decisionMs: [] } };
    const exec = (/** @type {"on" | "off"} */ which) => async () => {
      const payload = toolCall(["/bin/true"]);
      const t = performance.now();
      const out = await executors[which].exec(payload);
      const ms = performance.now() - t;
      if (out.kind !== "finished" || out.result.outcome !== "succeeded") {
        throw new Error(`governed exec of /bin/true did not succeed: ${JSON.stringify(out)}`);
      }
      durations[which].runMs.push(out.result.durations.runMs ?? Number.NaN);
      durations[which].decisionMs.push(out.result.durations.decisionMs ?? Number.NaN);
      return ms;
    };
    const e = plan.exec;
    ctx.progress(
      `governed exec: warm-up, then ${e.rounds} rounds of ${e.each} execs (fsync on, off) and ${e.each} bare spawns`,
    );
    // Warm-up: the first exec loads the policy bundle, the first spawns warm the process machinery.
    await interleaved(
      { on: exec("on"), off: exec("off"), spawn: bareSpawn },
      { on: e.warmup, off: e.warmup, spawn: e.warmup },
      1,
    );
    for (const d of Object.values(durations)) for (const xs of Object.values(d)) xs.length = 0;
    const es = await interleaved(
      { on: exec("on"), off: exec("off"), spawn: bareSpawn },
      { on: e.each, off: e.each, spawn: e.each },
      e.rounds,
    );
    await executors.on.close();
    await executors.off.close();
    const execSpawnP50 = median(/** @type {number[]} */ (es.spawn));

    // ---- where the time goes (a child process, so its counting wrappers slow nothing above) -------
    ctx.progress(`breakdown: ${plan.profile.execs} instrumented execs per fsync setting in a child process`);
    const { report } = timeChild(
      join(here, "..", "children", "executor-profile.mjs"),
      [JSON.stringify(plan.profile)],
      root,
    );
    /** @type {Record<string, any>} */
    const profiles = Object.fromEntries(
      report.settings.map((/** @type {any} */ s) => [s.fsync ? "on" : "off", s]),
    );

    for (const which of /** @type {const} */ (["on", "off"])) {
      const xs = /** @type {number[]} */ (es[which]);
      const p50 = median(xs);
      const ratio = p50 / execSpawnP50;
      const runP50 = median(durations[which].runMs);
      const decisionP50 = median(durations[which].decisionMs);
      const verdict =
        ratio <= EXEC_RATIO_TARGET ? "met" : `missed by ${(ratio / EXEC_RATIO_TARGET).toFixed(1)}×`;
      figures.push({
        name: `governed exec of /bin/true p50, fsync ${which}${which === "on" ? " (as shipped)" : ""} (lower is better)`,
        value: significant(p50),
        unit: "ms",
        anchor: "bare child_process.spawn('/bin/true') awaited to exit, p50, same rounds",
        anchorValue: significant(execSpawnP50),
        target: `≤ ${EXEC_RATIO_TARGET}`,
        note:
          `${verdict} (${fmt(p50)} ms vs ${fmt(execSpawnP50 * EXEC_RATIO_TARGET)} ms allowed); ${xs.length} execs ` +
          `pooled over ${e.rounds} interleaved rounds; from the results, p50: run ${fmt(runP50)} ms, policy ` +
          `evaluation ${fmt(decisionP50)} ms, so ${fmt(p50 - runP50 - decisionP50)} ms is bookkeeping. ` +
          describeProfile(profiles[which], report),
      });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}

/** @param {Record<string, number>} calls fs calls by name → "N fs calls (+M fsyncs)" */
function primitive(calls) {
  const syncs = (calls["handle.sync"] ?? 0) + (calls["handle.datasync"] ?? 0);
  const other = Object.values(calls).reduce((a, n) => a + n, 0) - syncs;
  return `${other} fs calls${syncs ? ` + ${syncs} fsync${syncs > 1 ? "s" : ""}` : ""}`;
}

/**
 * What an instrumented exec did (children/executor-profile.mjs).
 * @param {any} p one fsync setting of the report
 * @param {any} report the whole report (round trip and sandbox-alone timings)
 */
function describeProfile(p, report) {
  if (!p) return "(no breakdown)";
  const m = p.mean;
  const f = p.fs;
  const n = (/** @type {string} */ k) => Math.round(f[k]?.n ?? 0);
  const calls = Object.values(f).reduce((a, c) => a + c.n, 0);
  const syncs = n("handle.sync") + n("handle.datasync");
  const syncMs = (f["handle.sync"]?.ms ?? 0) + (f["handle.datasync"]?.ms ?? 0);
  const other =
    m.totalMs - (m.storeAppendMs + m.auditAppendMs + m.storeReadSerialMs + m.runMs + m.decisionMs);
  const pr = p.primitives;
  return (
    `per exec ${m.storeAppends} store appends [${p.streamRecordTypes.join(", ")}] + ${m.auditAppends} audit appends ` +
    `(the same ${m.auditRecords} types, counted in audit.jsonl) + ${m.storeReads} store reads (duplicate check, ` +
    `governance, cancel watcher); ${syncs} fsyncs; ${Math.round(calls)} async fs calls (${n("open")} open, ` +
    `${n("handle.close")} close, ${n("handle.writeFile")} writeFile, ${n("unlink")} unlink, ${n("rename")} rename, ` +
    `${n("readFile")} readFile, ${n("handle.stat")} stat, ${n("handle.read")} read, ${n("handle.write")} write). ` +
    `Each primitive: audit append ${primitive(pr.auditAppend)}, store append ${primitive(pr.storeAppendExistingStream)} ` +
    `(new stream ${primitive(pr.storeAppendNewStream)}), store read ${primitive(pr.storeRead)}. ` +
    `Instrumented means over ${p.execs} execs (child process): total ${fmt(m.totalMs)} ms = audit appends ` +
    `${fmt(m.auditAppendMs)} + store appends ${fmt(m.storeAppendMs)} + serial reads ${fmt(m.storeReadSerialMs)} + ` +
    `run ${fmt(m.runMs)} (a ${fmt(m.storeReadWatcherMs)} ms cancel-watcher read overlaps it) + decision ` +
    `${fmt(m.decisionMs)} + other ${fmt(other)}; fsyncs ${fmt(syncMs)} ms of it. Process backend alone: ` +
    `runSandboxed ${fmt(report.sandbox.runSandboxedMs)} ms vs bare spawn ${fmt(report.sandbox.bareSpawnMs)} ms (p50 of ` +
    `${report.sandbox.runs}). One async fs round trip here: stat ${fmt(report.roundTrip.statMs)} ms, open+close ` +
    `${fmt(report.roundTrip.openCloseMs)} ms. State dir on ${p.filesystem}`
  );
}
