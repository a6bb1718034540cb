// @ts-check
// @workspace-ops/policy's PolicyRuntime against three ways of evaluating the same Rego, side by side in
// one run, on the tool-execution entrypoint with one realistic input.
//
// The input: policy-fixtures/tool_execution/allow-old-and-foreign-usage-ignored.json, the richest
// realistic "allow" among the fixtures (request with a token estimate, profile, model binding and three
// usage records the budget rules walk and time-parse; 2.6 kB of JSON). No fixture carries grants as well
// as a binding and usage.
//
// Anchors:
//  a. the plain opa-wasm SDK on the same policy.wasm and data.json: loadPolicy, setData, then
//     policy.evaluate(input, entrypoint) per call. It encodes the input with a new TextEncoder into a new
//     buffer, copies that into WebAssembly memory, finds the result's end byte by byte and decodes with a
//     new TextDecoder. Ours (runtime.ts) encodes with one shared TextEncoder straight into WebAssembly
//     memory (encodeInto) and finds the end with indexOf, but also checks the input, validates the
//     decision with zod and builds a decision record (randomUUID, sha256 of the input JSON, timestamps).
//     A replica of our fast path without zod and record (lib/policy-anchors.mjs) shows the split.
//  b. OPA's Go evaluator: `opa bench` on the Rego source (policies/, the build's ignore list), same input.
//     Its figures are the histogram of its `timer_rego_query_eval_ns` metric (p50, p99) and N/T (mean
//     ns/op, which also covers converting the input per op) for throughput.
//  c. An OPA server on loopback (`opa run --server`), POST /v1/data/<entrypoint> with {"input": ...},
//     sequentially over one keep-alive connection, each round trip timed in this process.
// All sides must produce the same decision before anything is timed (`opa eval` too).
//
// Memory: a fresh child process makes 1,000,000 decisions (50,000 with --quick) after 1,000 warm-up
// ones, reporting RSS after warm-up and at the end (both after a forced GC).
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { interleavedThroughput, makeLoop, median, significant } from "../lib/measure.mjs";
import {
  fastPathReplica,
  makeLatencyLoop,
  opaLoadArgs,
  parseConcatenatedJson,
  plainHostBuiltins,
  runOpaSync,
  startOpaServer,
  summarize,
} from "../lib/policy-anchors.mjs";

export const suite = "policy";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const policiesDir = join(root, "policies");
const fixtureFile = join(
  root,
  "policy-fixtures",
  "tool_execution",
  "allow-old-and-foreign-usage-ignored.json",
);
const fixtureName = "tool_execution/allow-old-and-foreign-usage-ignored";
const entrypoint = "workspace_ops/tool_execution/decision";
const query = `data.${entrypoint.replaceAll("/", ".")}`;
const memoryChild = join(here, "..", "children", "policy-memory.mjs");

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const policyPkg = await import("@workspace-ops/policy").catch((error) => {
    throw new Error("cannot import @workspace-ops/policy; build first: npx turbo run build", {
      cause: error,
    });
  });
  const { PolicyRuntime, defaultBundleDir } = policyPkg;
  const { loadPolicy } = await import("@open-policy-agent/opa-wasm");
  const { ensureOpa } = await import("../../../tools/opa/install.mjs");
  const { opa } = await ensureOpa();
  const require = createRequire(join(root, "packages", "policy", "package.json"));
  // The SDK's exports map hides its package.json: read it next to the resolved entry (src/index.cjs).
  const sdkEntry = require.resolve("@open-policy-agent/opa-wasm");
  const sdkVersion = JSON.parse(readFileSync(join(dirname(sdkEntry), "..", "package.json"), "utf8")).version;
  const opaVersion = /^Version: (\S+)/m.exec(runOpaSync(opa, ["version"]))?.[1] ?? "?";

  const fixture = JSON.parse(readFileSync(fixtureFile, "utf8"));
  const input = fixture.input;
  const expected = fixture.expected;
  const tmp = mkdtempSync(join(os.tmpdir(), "wsops-bench-policy-"));
  const inputFile = join(tmp, "input.json");
  writeFileSync(inputFile, JSON.stringify(input));
  const load1 = os.loadavg()[0].toFixed(2);

  try {
    // ---- the sides, and the same decision on each --------------------------------------------------
    const loaded = await PolicyRuntime.load(defaultBundleDir);
    if (!loaded.ok) throw new Error(`PolicyRuntime.load: ${loaded.error.message}`);
    const runtime = loaded.runtime;
    const ours = runtime.evaluate(entrypoint, input);
    if (!ours.ok) throw new Error(`ours: ${ours.error.code}: ${ours.error.message}`);
    if (!isDeepStrictEqual(ours.decision, expected)) {
      throw new Error(
        `ours decided ${JSON.stringify(ours.decision)}, the fixture expects ${JSON.stringify(expected)}`,
      );
    }
    const decision = ours.decision;

    const policy = await loadPolicy(
      readFileSync(join(defaultBundleDir, "policy.wasm")),
      undefined,
      plainHostBuiltins,
    );
    policy.setData(JSON.parse(readFileSync(join(defaultBundleDir, "data.json"), "utf8")));
    const sdkResult = policy.evaluate(input, entrypoint);
    if (!isDeepStrictEqual(sdkResult?.[0]?.result, decision)) {
      throw new Error(`plain SDK decided ${JSON.stringify(sdkResult)}, ours ${JSON.stringify(decision)}`);
    }
    const entrypointId = /** @type {any} */ (policy).entrypoints[entrypoint];
    const replicaResult = fastPathReplica(policy, entrypointId, input);
    if (!isDeepStrictEqual(replicaResult?.[0]?.result, decision)) {
      throw new Error(
        `fast-path replica decided ${JSON.stringify(replicaResult)}, ours ${JSON.stringify(decision)}`,
      );
    }

    const loadArgs = opaLoadArgs(policiesDir).flatMap((a) => (a === policiesDir ? ["-d", a] : [a]));
    const evaluated = JSON.parse(
      runOpaSync(opa, ["eval", "--format", "json", ...loadArgs, "-i", inputFile, query]),
    );
    const goDecision = evaluated?.result?.[0]?.expressions?.[0]?.value;
    if (!isDeepStrictEqual(goDecision, decision)) {
      throw new Error(`opa eval decided ${JSON.stringify(evaluated)}, ours ${JSON.stringify(decision)}`);
    }
    ctx.progress(`same decision (${decision.decision}) from ours, plain SDK, fast-path replica and opa eval`);

    /** @type {import("../run.mjs").SuiteFigure[]} */
    const figures = [];
    const us = (/** @type {number} */ x) => significant(x, 4);
    const oursLoop = makeLatencyLoop("ours", "fn.evaluate(arg, value)", "r.ok");
    const oursCall = (/** @type {number} */ n, /** @type {number[]} */ samples) =>
      oursLoop(runtime, entrypoint, input, n, samples);

    // ---- a. plain SDK, in process ------------------------------------------------------------------
    const sdkHow =
      "ours: one shared TextEncoder.encodeInto straight into WASM memory, indexOf for the result's end, then input checks, zod parse of the decision and a decision record (randomUUID, sha256 of the input JSON, two timestamps); SDK: new TextEncoder().encode into a new buffer + copy into WASM memory, byte-by-byte loop for the result's end, new TextDecoder, nothing else";
    {
      const sdkLoop = makeLatencyLoop(
        "plain SDK",
        "fn.evaluate(value, arg)",
        "r[0].result.decision === 'allow'",
      );
      const replicaLoop = makeLatencyLoop(
        "fast-path replica",
        "fn(arg, value)",
        "r[0].result.decision === 'allow'",
      );
      const replicaFn = (/** @type {number} */ id, /** @type {unknown} */ v) =>
        fastPathReplica(policy, id, v);
      /** @type {Record<"ours" | "sdk" | "replica", { call: (n: number) => void, samples: number[] }>} */
      const sides = {
        ours: { call: (n) => oursCall(n, sides.ours.samples), samples: [] },
        sdk: { call: (n) => sdkLoop(policy, entrypoint, input, n, sides.sdk.samples), samples: [] },
        replica: {
          call: (n) => replicaLoop(replicaFn, entrypointId, input, n, sides.replica.samples),
          samples: [],
        },
      };
      const order = /** @type {const} */ (["ours", "sdk", "replica"]);
      const warm = ctx.quick ? 200 : 1000;
      for (const k of order) sides[k].call(warm);
      for (const k of order) sides[k].samples.length = 0;
      const rounds = ctx.quick ? 3 : 9;
      const perRound = ctx.quick ? 150 : 1000;
      ctx.progress(
        `plain SDK: latency, ${rounds} rotating rounds of ${perRound} calls per side (ours, SDK, replica)`,
      );
      // Rotate who goes first, so no side always runs right after the same other side's garbage.
      for (let r = 0; r < rounds; r++)
        for (let k = 0; k < 3; k++) sides[order[(r + k) % 3] ?? "ours"].call(perRound);
      const o = summarize(sides.ours.samples);
      const a = summarize(sides.sdk.samples);
      const f = summarize(sides.replica.samples);
      const anchor = `plain opa-wasm ${sdkVersion} SDK: loadPolicy, setData, policy.evaluate(input, entrypoint); no zod, no record`;
      const latencyNote = `${o.n} calls per side, each timed with performance.now(), in ${rounds} rotating rounds (ours, SDK, fast-path replica) after ${warm} warm-up calls; same host builtins on both sides (time.parse_rfc3339_ns is called 4 times per decision); ${sdkHow}`;
      figures.push(
        {
          name: "decision latency p50, tool_execution, vs plain SDK (lower is better)",
          value: us(o.p50),
          unit: "µs",
          anchor,
          anchorValue: us(a.p50),
          target: "< 1",
          note: latencyNote,
        },
        {
          name: "decision latency p99, tool_execution, vs plain SDK (lower is better)",
          value: us(o.p99),
          unit: "µs",
          anchor,
          anchorValue: us(a.p99),
          target: "(secondary)",
          note: latencyNote,
        },
        {
          name: "eval-path latency p50 without checks/zod/record: runtime fast path replicated vs plain SDK (lower is better)",
          value: us(f.p50),
          unit: "µs",
          anchor,
          anchorValue: us(a.p50),
          target: "< 1",
          note: `ours here is runtime.ts #evaluateFast replicated on the SDK's own instance (lib/policy-anchors.mjs: JSON.stringify, shared encodeInto into WASM memory, opa_eval, indexOf, JSON.parse) and nothing else, i.e. only the eval path differs from the SDK's; from the same rotating rounds as the figures above`,
        },
        {
          name: "decision latency p50, ours vs its own fast path without checks/zod/record (lower is better)",
          value: us(o.p50),
          unit: "µs",
          anchor:
            "runtime.ts fast path replicated on the SDK's instance: no input checks, no zod, no decision record",
          anchorValue: us(f.p50),
          target: "(split)",
          note: `input checks + zod safeParse + record (randomUUID, sha256 of ${JSON.stringify(input).length} B of input JSON, two timestamps) add about ${(o.p50 - f.p50).toFixed(1)} µs per decision at p50; from the same rotating rounds as the figures above`,
        },
      );

      const opts = ctx.quick
        ? { rounds: 3, roundMs: 25, warmupMs: 40 }
        : { rounds: 9, roundMs: 200, warmupMs: 400 };
      const spread = (/** @type {number[]} */ xs) =>
        `${Math.round(Math.min(...xs)).toLocaleString("en-US")}–${Math.round(Math.max(...xs)).toLocaleString("en-US")}`;
      ctx.progress("plain SDK: throughput, ours vs SDK");
      const oursT = makeLoop("policy ours", "const r = fn.evaluate(arg, value); sink += r.ok ? 1 : 2;");
      const sdkT = makeLoop(
        "policy plain SDK",
        "sink += fn.evaluate(value, arg)[0].result.reasons.length + 1;",
      );
      const m1 = interleavedThroughput({
        ours: (n) => oursT(runtime, entrypoint, input, n),
        anchor: (n) => sdkT(policy, entrypoint, input, n),
        ...opts,
      });
      figures.push({
        name: "decision throughput, tool_execution, vs plain SDK (higher is better)",
        value: significant(m1.ours),
        unit: "decisions/s",
        anchor,
        anchorValue: significant(m1.anchor),
        target: "> 1",
        note: `median of ${opts.rounds} interleaved ${opts.roundMs} ms rounds after ${opts.warmupMs} ms warm-up (whole rounds: more exposed to a noisy neighbour than the p50s); ours ${spread(m1.oursRounds)}, anchor ${spread(m1.anchorRounds)}`,
      });
    }

    // ---- b. OPA's Go evaluator (opa bench) -----------------------------------------------------------
    {
      const runs = ctx.quick ? 1 : 3;
      const perRound = ctx.quick ? 300 : 5000;
      ctx.progress(`opa bench: ${runs} run(s) alternating with rounds of ${perRound} of our decisions`);
      oursCall(ctx.quick ? 200 : 1000, []);
      /** @type {number[]} */
      const oursSamples = [];
      /** @type {number[]} */
      const oursRates = [];
      /** @type {{ p50: number, p99: number, rate: number, n: number }[]} */
      const go = [];
      const benchArgs = ["bench", "--format", "json", ...loadArgs, "-i", inputFile, query];
      const oursRound = () => {
        const t0 = performance.now();
        oursCall(perRound, oursSamples);
        oursRates.push(perRound / ((performance.now() - t0) / 1000));
      };
      const goRun = () => {
        const results = parseConcatenatedJson(runOpaSync(opa, benchArgs));
        const b = results[0];
        const h = (/** @type {string} */ k) => b?.Extra?.[`histogram_timer_rego_query_eval_ns_${k}`];
        if (
          results.length !== 1 ||
          !(b?.N > 0) ||
          typeof h("median") !== "number" ||
          typeof h("99%") !== "number"
        ) {
          throw new Error(`unexpected opa bench output: ${JSON.stringify(results).slice(0, 2000)}`);
        }
        go.push({ p50: h("median") / 1000, p99: h("99%") / 1000, rate: (b.N / b.T) * 1e9, n: b.N });
      };
      for (let r = 0; r < runs; r++) {
        if (r % 2 === 0) {
          oursRound();
          goRun();
        } else {
          goRun();
          oursRound();
        }
      }
      const o = summarize(oursSamples);
      const goN = go.map((g) => g.n).join(", ");
      const anchorBase = `OPA ${opaVersion} Go evaluator, \`opa bench\` on policies/ (same query, data, input)`;
      const note = `ours: ${o.n} calls timed one by one in ${runs} round(s) alternating with ${runs} opa bench run(s) (N = ${goN} ops each; Go's testing.Benchmark for ~1 s); opa's percentiles are its timer_rego_query_eval_ns histogram (evaluation of the prepared query), median over runs; its throughput is N/T, i.e. 1 / mean ns/op, which also covers converting the input each op`;
      figures.push(
        {
          name: "decision latency p50, tool_execution, vs OPA Go evaluator (lower is better)",
          value: us(o.p50),
          unit: "µs",
          anchor: `${anchorBase}: median of timer_rego_query_eval_ns`,
          anchorValue: us(median(go.map((g) => g.p50))),
          target: "≤ 1",
          note,
        },
        {
          name: "decision latency p99, tool_execution, vs OPA Go evaluator (lower is better)",
          value: us(o.p99),
          unit: "µs",
          anchor: `${anchorBase}: 99% of timer_rego_query_eval_ns`,
          anchorValue: us(median(go.map((g) => g.p99))),
          target: "(secondary)",
          note,
        },
        {
          name: "decision throughput, tool_execution, vs OPA Go evaluator (higher is better)",
          value: significant(median(oursRates)),
          unit: "decisions/s",
          anchor: `${anchorBase}: 1e9 / mean ns/op (N/T)`,
          anchorValue: significant(median(go.map((g) => g.rate))),
          target: "≥ 1",
          note: `ours: median over rounds of calls / round time (the per-call clock reads included); ${note}`,
        },
      );
    }

    // ---- c. OPA server on loopback --------------------------------------------------------------------
    {
      ctx.progress("opa server: starting on loopback");
      const server = await startOpaServer(opa, policiesDir);
      try {
        const path = `/v1/data/${entrypoint}`;
        const body = JSON.stringify({ input });
        const first = await server.post(path, body);
        const served = first.status === 200 ? JSON.parse(first.text)?.result : undefined;
        if (!isDeepStrictEqual(served, decision)) {
          throw new Error(
            `opa server answered ${first.status} ${first.text.slice(0, 2000)}, ours ${JSON.stringify(decision)}`,
          );
        }
        const rounds = ctx.quick ? 2 : 7;
        const perRound = ctx.quick ? 40 : 200;
        const oursPerRound = ctx.quick ? 200 : 1000;
        const warm = ctx.quick ? 30 : 200;
        ctx.progress(
          `opa server: ${warm} warm-up requests, then ${rounds} alternating rounds of ${perRound} requests`,
        );
        /** @type {number[]} */
        const serverSamples = [];
        /** @type {number[]} */
        const serverRates = [];
        /** @type {number[]} */
        const oursSamples = [];
        /** @type {number[]} */
        const oursRates = [];
        /** @param {number} n @param {number[] | undefined} into */
        const serverRound = async (n, into) => {
          const t0 = performance.now();
          for (let i = 0; i < n; i++) {
            const res = await server.post(path, body);
            if (res.status !== 200)
              throw new Error(`opa server answered ${res.status}: ${res.text.slice(0, 500)}`);
            into?.push(res.us);
          }
          if (into) serverRates.push(n / ((performance.now() - t0) / 1000));
        };
        const oursRound = () => {
          const t0 = performance.now();
          oursCall(oursPerRound, oursSamples);
          oursRates.push(oursPerRound / ((performance.now() - t0) / 1000));
        };
        await serverRound(warm, undefined);
        oursCall(ctx.quick ? 200 : 1000, []);
        for (let r = 0; r < rounds; r++) {
          if (r % 2 === 0) {
            oursRound();
            await serverRound(perRound, serverSamples);
          } else {
            await serverRound(perRound, serverSamples);
            oursRound();
          }
        }
        const o = summarize(oursSamples);
        const a = summarize(serverSamples);
        const anchor = `OPA ${opaVersion} server (opa run --server, loopback): POST ${path}, node:http keep-alive, sequential`;
        const note = `ours ${o.n} calls, server ${a.n} requests (after ${warm} warm-up), ${rounds} alternating rounds; a round trip is timed from http.request to the response's end, the request body serialized once beforehand; the server's answer checked equal to ours first`;
        figures.push(
          {
            name: "decision latency p50, tool_execution, vs OPA server round trip (lower is better)",
            value: us(o.p50),
            unit: "µs",
            anchor,
            anchorValue: us(a.p50),
            target: "≤ 0.05",
            note,
          },
          {
            name: "decision latency p99, tool_execution, vs OPA server round trip (lower is better)",
            value: us(o.p99),
            unit: "µs",
            anchor,
            anchorValue: us(a.p99),
            target: "(secondary)",
            note,
          },
          {
            name: "decision throughput, tool_execution, vs OPA server sequential (higher is better)",
            value: significant(median(oursRates)),
            unit: "decisions/s",
            anchor,
            anchorValue: significant(median(serverRates)),
            target: "≥ 20",
            note: `median over rounds of decisions / round time; ${note}`,
          },
        );
      } finally {
        await server.stop();
        ctx.progress("opa server: stopped");
      }
    }

    // ---- memory: a fresh process, many decisions ------------------------------------------------------
    {
      const decisions = ctx.quick ? 50_000 : 1_000_000;
      const warmup = 1000;
      ctx.progress(`memory: ${decisions.toLocaleString("en-US")} decisions in a fresh process`);
      const t0 = performance.now();
      const report = await runChild(
        memoryChild,
        [JSON.stringify({ inputFile, entrypoint, warmup, decisions, expect: decision.decision })],
        (line) => ctx.progress(`memory: ${line}`),
      );
      const wallS = (performance.now() - t0) / 1000;
      const count = decisions.toLocaleString("en-US");
      figures.push({
        name: `rss growth over ${count} decisions (lower is better)`,
        value: significant(report.end.rss, 4),
        unit: "MiB",
        anchor: `RSS at start, after ${warmup.toLocaleString("en-US")} warm-up decisions`,
        anchorValue: significant(report.start.rss, 4),
        target: "≈ 1",
        note: `fresh node --expose-gc process, RSS read after a forced GC at start and end; end ${report.end.rss.toFixed(1)} MiB vs start ${report.start.rss.toFixed(1)} MiB, peak ${report.peakRss.toFixed(1)} MiB (sampled every 10%, no GC forced); RSS after each tenth ${report.trajectory.join(", ")} MiB; heapTotal ${report.start.heapTotal.toFixed(1)} → ${report.end.heapTotal.toFixed(1)} MiB, heapUsed ${report.start.heapUsed.toFixed(1)} → ${report.end.heapUsed.toFixed(1)} MiB, external ${report.start.external.toFixed(1)} → ${report.end.external.toFixed(1)} MiB; runtime.replacements = ${report.replacements}; ${count} decisions took ${(report.ms / 1000).toFixed(1)} s (${Math.round(decisions / (report.ms / 1000)).toLocaleString("en-US")} decisions/s), the child ${wallS.toFixed(1)} s wall`,
      });
    }

    for (const f of figures) f.note = `${fixtureName}; load average ${load1} at start; ${f.note ?? ""}`;
    return figures;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs `node --expose-gc script ...args`; stderr lines go to `onLine`, stdout is one JSON object.
 * @param {string} script
 * @param {string[]} args
 * @param {(line: string) => void} onLine
 * @returns {Promise<any>}
 */
function runChild(script, args, onLine, timeoutMs = 900_000) {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.NODE_COMPILE_CACHE;
    const child = spawn(process.execPath, ["--expose-gc", script, ...args], {
      cwd: root,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let pending = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d) => {
      stderr += d;
      pending += d;
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) if (line) onLine(line);
    });
    const kill = () => child.kill("SIGKILL");
    process.once("exit", kill);
    const timer = setTimeout(kill, timeoutMs);
    child.once("error", reject);
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      process.removeListener("exit", kill);
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code ?? signal}:\n${stderr}${stdout}`));
        return;
      }
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`${script} printed no JSON report:\n${stdout}\n${stderr}`));
      }
    });
  });
}
