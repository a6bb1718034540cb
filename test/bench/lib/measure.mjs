// @ts-check
// Measurement helpers shared by the suites: interleaved throughput and fresh-process timings.
// Everything reported is a median over rounds in which ours and the anchor alternate, so drift
// (thermal, frequency scaling, a noisy neighbour) hits both sides alike.
import { spawnSync } from "node:child_process";
import { performance } from "node:perf_hooks";

/** @param {readonly number[]} xs */
export function median(xs) {
  if (xs.length === 0) throw new Error("median of nothing");
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const hi = s[mid] ?? Number.NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2;
}

let loops = 0;

/**
 * A tight loop calling `body` n times, compiled from its own source so that each side and each case
 * gets its own inline caches: a loop shared between cases would turn the call site polymorphic and
 * slow down whichever side happened to share it. `body` sees `fn`, `arg`, `value` and adds to `sink`.
 * @param {string} label
 * @param {string} body
 * @returns {(fn: Function, arg: unknown, value: unknown, n: number) => number}
 */
export function makeLoop(label, body) {
  const id = ++loops;
  return /** @type {any} */ (
    new Function(
      "fn",
      "arg",
      "value",
      "n",
      `"use strict"; // bench loop ${id}: ${label.replace(/[\r\n]/g, " ")}\nlet sink = 0;\nfor (let i = 0; i < n; i++) {\n${body}\n}\nreturn sink;`,
    )
  );
}

/**
 * @typedef {object} Side
 * @property {(n: number) => number} step  runs n operations, returns a sink value
 * @property {number} [batch]              operations per timing check, calibrated on warm-up
 */

/**
 * Runs `side` for about `ms` milliseconds; returns operations per second.
 * @param {Side} side
 * @param {number} ms
 * @param {boolean} calibrate  grow the batch until one takes ~1 ms (warm-up only)
 */
function runFor(side, ms, calibrate = false) {
  let batch = side.batch ?? 1;
  let ops = 0;
  let sink = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    const t = performance.now();
    sink += side.step(batch);
    now = performance.now();
    ops += batch;
    // Aim for ~1 ms per batch: a clock read per batch is then noise.
    if (calibrate && now - t < 0.5) batch *= 2;
  }
  side.batch = batch;
  if (!Number.isFinite(sink)) throw new Error("sink went non-finite");
  return ops / ((now - start) / 1000);
}

/**
 * Throughput of ours and the anchor, measured in alternating rounds after a warm-up.
 * @param {{ ours: (n: number) => number, anchor: (n: number) => number, rounds: number, roundMs: number, warmupMs: number }} o
 * @returns {{ ours: number, anchor: number, oursRounds: number[], anchorRounds: number[] }}
 */
export function interleavedThroughput(o) {
  /** @type {Side} */
  const ours = { step: o.ours };
  /** @type {Side} */
  const anchor = { step: o.anchor };
  // Warm-up (also calibrates the batch size): two alternations so both sides reach optimised code.
  for (let k = 0; k < 2; k++) {
    runFor(ours, o.warmupMs / 2, true);
    runFor(anchor, o.warmupMs / 2, true);
  }
  /** @type {number[]} */
  const oursRounds = [];
  /** @type {number[]} */
  const anchorRounds = [];
  for (let r = 0; r < o.rounds; r++) {
    // Alternate who goes first, so neither side always runs right after the other's garbage.
    if (r % 2 === 0) {
      oursRounds.push(runFor(ours, o.roundMs));
      anchorRounds.push(runFor(anchor, o.roundMs));
    } else {
      anchorRounds.push(runFor(anchor, o.roundMs));
      oursRounds.push(runFor(ours, o.roundMs));
    }
  }
  return { ours: median(oursRounds), anchor: median(anchorRounds), oursRounds, anchorRounds };
}

/**
 * Runs `node script ...args` in a fresh process; the child prints one JSON object on stdout.
 * @param {string} script
 * @param {string[]} args
 * @param {string} cwd
 * @returns {{ wallMs: number, report: any }}
 */
export function timeChild(script, args, cwd) {
  const env = { ...process.env };
  // A compile cache (Node >= 22) would turn a cold start into a warm one.
  delete env.NODE_COMPILE_CACHE;
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [script, ...args], {
    cwd,
    env,
    encoding: "utf8",
    timeout: 60_000,
  });
  const wallMs = performance.now() - t0;
  if (child.error) throw child.error;
  if (child.status !== 0) {
    throw new Error(`${script} exited with ${child.status ?? child.signal}:\n${child.stderr}${child.stdout}`);
  }
  let report;
  try {
    report = JSON.parse(child.stdout);
  } catch {
    throw new Error(`${script} printed no JSON report:\n${child.stdout}\n${child.stderr}`);
  }
  return { wallMs, report };
}

/** Rounds to `digits` significant digits (figures are medians of noisy rounds; more is false precision). */
export function significant(/** @type {number} */ x, digits = 5) {
  return Number(x.toPrecision(digits));
}
