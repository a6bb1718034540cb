// @ts-check
// Command analysis in the decision path, side by side in one run:
//  1. analysis + decision for a 200-character compound shell string (bash -lc "…", 10 parts) vs the
//     same for a plain argv (git status: analysis is trivial there) — what a shell string costs on top;
//  2. the plain-argv decision of today's bundle (analysis + per-program lookup) vs main's bundle before
//     command analysis (test/bench/anchors/policy-bundle-main-a27c33a: every decision scanned all 99
//     risk patterns), both through @workspace-ops/policy's PolicyRuntime on the same request.
// Inputs: the request of policy-fixtures/tool_execution/allow-read-only-git-status.json (offline coder
// profile, no grants, no binding); the analysis is computed per call, as the executor does.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { significant } from "../lib/measure.mjs";
import { makeLatencyLoop, summarize } from "../lib/policy-anchors.mjs";

export const suite = "analysis";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const mainBundle = join(here, "..", "anchors", "policy-bundle-main-a27c33a");
const fixture = join(root, "policy-fixtures", "tool_execution", "allow-read-only-git-status.json");
const entrypoint = "workspace_ops/tool_execution/decision";

/** 200 characters, 10 parts: what agents send through bash -lc. */
export const compound =
  "cd packages/app && git status --short && git diff --stat HEAD~1 | head -n 200; ls -la src | grep -v test || echo none; rg -n 'TODO' src --glob '*.ts' | wc -l && find . -name '*.md' -maxdepth 2 -type f";

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const [{ PolicyRuntime, defaultBundleDir }, { loadAnalyzer }] = await Promise.all([
    import("@workspace-ops/policy"),
    import("@workspace-ops/analysis"),
  ]).catch((error) => {
    throw new Error("cannot import the packages; build first: npx turbo run build", { cause: error });
  });
  if (compound.length !== 200)
    throw new Error(`the compound script is ${compound.length} characters, not 200`);
  const load = async (/** @type {string} */ dir) => {
    const loaded = await PolicyRuntime.load(dir);
    if (!loaded.ok) throw new Error(`${dir}: ${loaded.error.code}: ${loaded.error.message}`);
    return loaded.runtime;
  };
  const [today, main, analyzer] = await Promise.all([
    load(defaultBundleDir),
    load(mainBundle),
    loadAnalyzer(),
  ]);
  const base = JSON.parse(readFileSync(fixture, "utf8")).input;
  const { analysis: _, ...withoutAnalysis } = base;
  const requestFor = (/** @type {string[]} */ argv) => ({
    ...withoutAnalysis,
    request: { ...withoutAnalysis.request, tool: { kind: "shell", name: argv[0], argv } },
  });
  const plain = requestFor(["git", "status", "--short"]);
  const shell = requestFor(["bash", "-lc", compound]);
  /** What the executor does per call: analyse the request's argv, then decide. */
  const decide = (/** @type {any} */ input) =>
    today.evaluate(entrypoint, { ...input, analysis: analyzer.analyzeArgv(input.request.tool.argv) });

  // The same decision on every side before anything is timed.
  const checks = {
    shell: decide(shell),
    plain: decide(plain),
    main: main.evaluate(entrypoint, plain),
  };
  for (const [side, r] of Object.entries(checks)) {
    if (!r.ok || r.decision.decision !== "allow")
      throw new Error(`${side}: expected allow, got ${JSON.stringify(r.ok ? r.decision : r.error)}`);
  }
  if (checks.shell.ok && checks.shell.decision.classification?.parts.length !== 10)
    throw new Error("the compound script should have 10 parts");
  ctx.progress(
    "same decision (allow) for the compound script, the plain argv, and main's bundle on the plain argv",
  );

  const loop = makeLatencyLoop("decide", "fn(arg)", "r.ok");
  const mainLoop = makeLatencyLoop("main bundle", "fn.evaluate(arg, value)", "r.ok");
  const analyseLoop = makeLatencyLoop("analysis only", "fn.analyzeArgv(arg)", "r.parts.length > 0");
  /** @type {Record<string, { call: (n: number) => void, samples: number[] }>} */
  const sides = {
    shell: { call: (n) => loop(decide, shell, null, n, sides.shell?.samples), samples: [] },
    plain: { call: (n) => loop(decide, plain, null, n, sides.plain?.samples), samples: [] },
    main: { call: (n) => mainLoop(main, entrypoint, plain, n, sides.main?.samples), samples: [] },
    analysis: {
      call: (n) => analyseLoop(analyzer, ["bash", "-lc", compound], null, n, sides.analysis?.samples),
      samples: [],
    },
  };
  const order = ["shell", "plain", "main", "analysis"];
  const warm = ctx.quick ? 100 : 1000;
  for (const k of order) sides[k]?.call(warm);
  for (const k of order) if (sides[k]) sides[k].samples.length = 0;
  const rounds = ctx.quick ? 3 : 9;
  const perRound = ctx.quick ? 100 : 1000;
  ctx.progress(`latency: ${rounds} rotating rounds of ${perRound} calls per side (${order.join(", ")})`);
  for (let r = 0; r < rounds; r++)
    for (let k = 0; k < order.length; k++) sides[order[(r + k) % order.length] ?? "shell"]?.call(perRound);
  const s = summarize(sides.shell?.samples ?? []);
  const p = summarize(sides.plain?.samples ?? []);
  const m = summarize(sides.main?.samples ?? []);
  const a = summarize(sides.analysis?.samples ?? []);
  const us = (/** @type {number} */ x) => significant(x, 4);
  const how = `${s.n} calls per side, each timed with performance.now(), in ${rounds} rotating rounds after ${warm} warm-up calls`;
  return [
    {
      name: "analysis + decision p50, 200-character compound shell string vs plain argv (lower is better)",
      value: us(s.p50),
      unit: "µs",
      anchor: "analysis + decision of a plain argv (git status --short), same bundle, same run",
      anchorValue: us(p.p50),
      target: "≤ 1.5",
      note: `bash -lc with 10 parts (&&, |, ;, ||); analysis alone p50 ${us(a.p50)} µs; p99 ${us(s.p99)} vs ${us(p.p99)} µs; ${how}`,
    },
    {
      name: "decision p50, plain argv, analysis + per-program lookup vs main's pattern scan (lower is better)",
      value: us(p.p50),
      unit: "µs",
      anchor:
        "main's bundle (a27c33a, 99 risk patterns scanned per decision) on the same request, no analysis",
      anchorValue: us(m.p50),
      target: "≤ 0.5",
      note: `ours includes analysing the argv; p99 ${us(p.p99)} vs ${us(m.p99)} µs; ${how}`,
    },
  ];
}
