// @ts-check
// What OpenTelemetry tracing costs the executor's gate, on and off, measured side by side.
//
// On: Executor.open with the OTEL_* variables set (tracing "env": the SDK loaded, a BatchSpanProcessor
// and the OTLP/HTTP JSON exporter) to a receiver in another process on this machine. Off: the same
// executor options with tracing "off" (what every executor without OTEL_* variables gets). Both on
// durability relaxed, each in its own workspace, in interleaved rounds:
//   - gate: a denied call (curl, network_denied): validate, analyse, decide, one commit, its event —
//     three spans on (tool call, decision) — no process started;
//   - exec: an allowed /bin/true: the gate, two commits, the run (spans: tool call, decision, run).
// p50 of each; ratio = on / off. Then the off path itself: the span calls one exec makes (tool call,
// decision and run spans, and a current() per event) on the no-op tracing, per exec, against the off
// exec's p50.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { toolCall } from "../lib/executor-payloads.mjs";
import { median, significant } from "../lib/measure.mjs";
import { interleaved } from "../lib/rounds.mjs";

export const suite = "tracing";

const here = dirname(fileURLToPath(import.meta.url));

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

/** @param {number} ms */
const fmt = (ms) => (ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { Executor } = await load("@workspace-ops/executor");
  const plan = ctx.quick
    ? { warmup: 5, rounds: 3, each: 5, offLoop: 2000 }
    : { warmup: 20, rounds: 15, each: 20, offLoop: 200_000 };

  const receiver = fork(join(here, "..", "children", "otlp-receiver.mjs"), [], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  /** @returns {Promise<any>} */
  const ask = () => new Promise((resolve) => receiver.once("message", resolve));
  const { port } = await ask();
  const scratch = mkdtempSync(join(tmpdir(), "wsops-bench-tracing-"));
  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];
  try {
    const common = /** @param {string} name */ (name) => ({
      workspaceRoot: mkdtempSync(join(scratch, `${name}-`)),
      stateDir: mkdtempSync(join(scratch, `${name}-state-`)),
      mode: "governed",
      durability: "relaxed",
      sandbox: { backend: "process" },
    });
    const off = await Executor.open({ ...common("off"), tracing: "off" });
    const saved = { ...process.env };
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = `http://127.0.0.1:${port}/v1/traces`;
    const on = await Executor.open({ ...common("on"), tracing: "env" });
    process.env = saved;
    if (!on.context.tracing.enabled || off.context.tracing.enabled)
      throw new Error("tracing on/off not as set");

    const call =
      (/** @type {any} */ executor, /** @type {string[]} */ argv, /** @type {string} */ want) => async () => {
        const payload = toolCall(argv);
        const t = performance.now();
        const out = await executor.exec(payload);
        const ms = performance.now() - t;
        if (out.kind !== "finished" || out.result.outcome !== want)
          throw new Error(`${argv[0]}: expected ${want}, got ${JSON.stringify(out).slice(0, 300)}`);
        return ms;
      };
    const sides = {
      gateOff: call(off, ["curl", "https://example.com"], "denied"),
      gateOn: call(on, ["curl", "https://example.com"], "denied"),
      execOff: call(off, ["/bin/true"], "succeeded"),
      execOn: call(on, ["/bin/true"], "succeeded"),
    };
    ctx.progress(
      `tracing: warm-up, then ${plan.rounds} rounds of ${plan.each} calls per side (gate and exec, on and off)`,
    );
    await interleaved(sides, Object.fromEntries(Object.keys(sides).map((k) => [k, plan.warmup])), 1);
    const per = Object.fromEntries(Object.keys(sides).map((k) => [k, plan.each]));
    const s = await interleaved(sides, per, plan.rounds);

    // The off path: the span calls of one exec on the no-op tracing (no OpenTelemetry loaded).
    const noop = off.context.tracing;
    const tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const body = async () => 0;
    const oneExec = async () => {
      await noop.span("wsops.tool_call", tp, {}, async () => {
        await noop.span("wsops.decision", tp, { "wsops.subject.id": "x" }, body);
        await noop.span("wsops.run", tp, { "wsops.tool_execution.id": "x" }, body);
        noop.current();
        noop.current();
        return 0;
      });
    };
    for (let i = 0; i < plan.offLoop / 10; i++) await oneExec();
    const t = performance.now();
    for (let i = 0; i < plan.offLoop; i++) await oneExec();
    const offPathUs = ((performance.now() - t) / plan.offLoop) * 1000;

    await Promise.all([off.close(), on.close()]); // on: flushes the last spans
    const asked = ask();
    receiver.send("count");
    const { spans } = await asked;
    const calls = 2 * (plan.warmup + plan.rounds * plan.each);
    const expectedSpans = (calls / 2) * 2 + (calls / 2) * 3; // gate: tool call + decision; exec: + run
    if (spans < expectedSpans)
      throw new Error(
        `the receiver got ${spans} spans, expected ${expectedSpans}: tracing on did not export`,
      );

    const p50 = (/** @type {string} */ k) => median(/** @type {number[]} */ (s[k]));
    for (const [what, kOn, kOff, detail] of /** @type {const} */ ([
      [
        "gate (a denied curl: validate, analyse, decide, one commit, its event)",
        "gateOn",
        "gateOff",
        "2 spans",
      ],
      ["governed exec of /bin/true", "execOn", "execOff", "3 spans"],
    ])) {
      const vOn = p50(kOn);
      const vOff = p50(kOff);
      figures.push({
        name: `${what} p50 with tracing on, durability relaxed (lower is better)`,
        value: significant(vOn),
        unit: "ms",
        anchor: "the same with tracing off (no OTEL_* variables), p50, same interleaved rounds",
        anchorValue: significant(vOff),
        target: "(none)",
        note: `on ${fmt(vOn)} ms vs off ${fmt(vOff)} ms: +${fmt(vOn - vOff)} ms (${detail}, batched, OTLP/HTTP JSON to a receiver in another process); ${s[kOn]?.length} calls per side pooled over ${plan.rounds} rounds; the receiver got ${spans} spans`,
      });
    }
    figures.push({
      name: "tracing off: the span calls of one governed exec on the no-op tracing (lower is better)",
      value: significant(offPathUs),
      unit: "µs",
      anchor: "governed exec of /bin/true p50 with tracing off, same run (µs)",
      anchorValue: significant(p50("execOff") * 1000),
      target: "≈ 0 (ratio ≪ 0.01)",
      note: `three spans (tool call, decision, run) and two current() calls, awaited as the executor awaits them, mean of ${plan.offLoop}; OpenTelemetry is not loaded`,
    });
  } finally {
    receiver.disconnect();
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
