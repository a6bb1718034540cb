// @ts-check
// Memory, ours: a fresh process loads the policy runtime, warms up, then makes `decisions` decisions on
// one input and reports RSS at the start (after warm-up) and at the end. Run with --expose-gc: both
// readings follow a full GC, so garbage not yet collected does not count as growth.
// Argument: a JSON object { inputFile, entrypoint, warmup, decisions, expect }. Progress on stderr;
// prints one JSON object on stdout.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { defaultBundleDir, PolicyRuntime } from "@workspace-ops/policy";

const { inputFile, entrypoint, warmup, decisions, expect } = JSON.parse(process.argv[2] ?? "{}");
const input = JSON.parse(readFileSync(inputFile, "utf8"));
const gc = /** @type {(() => void) | undefined} */ (globalThis.gc);
if (typeof gc !== "function") throw new Error("run with --expose-gc");

const loaded = await PolicyRuntime.load(defaultBundleDir);
if (!loaded.ok) throw new Error(`PolicyRuntime.load: ${loaded.error.message}`);
const runtime = loaded.runtime;

const MiB = 1024 * 1024;
const reading = () => {
  gc();
  const m = process.memoryUsage();
  return {
    rss: m.rss / MiB,
    heapTotal: m.heapTotal / MiB,
    heapUsed: m.heapUsed / MiB,
    external: m.external / MiB,
  };
};

let unexpected = 0;
for (let i = 0; i < warmup; i++) {
  const r = runtime.evaluate(entrypoint, input);
  if (!r.ok || r.decision.decision !== expect) unexpected++;
}
const start = reading();
const step = Math.max(1, Math.floor(decisions / 10));
let peakRss = process.memoryUsage().rss / MiB;
/** RSS (MiB, no GC forced) after each tenth of the run. */
const trajectory = [];
const t0 = performance.now();
for (let i = 1; i <= decisions; i++) {
  const r = runtime.evaluate(entrypoint, input);
  if (!r.ok || r.decision.decision !== expect) unexpected++;
  if (i % step === 0) {
    const rss = process.memoryUsage().rss / MiB;
    if (rss > peakRss) peakRss = rss;
    trajectory.push(Math.round(rss * 10) / 10);
    const s = (performance.now() - t0) / 1000;
    process.stderr.write(
      `${i.toLocaleString("en-US")} decisions, ${s.toFixed(1)} s, rss ${rss.toFixed(1)} MiB (no GC forced)\n`,
    );
  }
}
const ms = performance.now() - t0;
const end = reading();
if (unexpected > 0) {
  process.stderr.write(`${unexpected} decisions were not ${JSON.stringify(expect)}\n`);
  process.exit(1);
}
process.stdout.write(
  JSON.stringify({
    decisions,
    warmup,
    ms,
    start,
    end,
    peakRss,
    trajectory,
    replacements: runtime.replacements,
  }),
);
