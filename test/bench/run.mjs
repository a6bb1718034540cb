// @ts-check
// Benchmark runner: `npm run bench [-- --json FILE] [--suite NAME] [--quick]`.
// Runs every test/bench/suites/*.bench.mjs, prints a table (machine first), and with --json writes one
// JSON array of figures { suite, name, value, unit, anchor, anchorValue, ratio }, ratio = value / anchorValue
// (ours over the anchor's, measured side by side in this run). Targets are printed, never asserted.
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/**
 * @typedef {object} Context
 * @property {boolean} quick              fewer, shorter rounds (smoke test); figures are then rough
 * @property {(message: string) => void} progress  a progress line on stderr
 */

/**
 * What a suite's `run` returns. `target` and `note` are printed, not written to the JSON.
 * @typedef {object} SuiteFigure
 * @property {string} name    says whether higher or lower is better
 * @property {number} value   ours
 * @property {string} unit
 * @property {string} anchor  what we are compared with
 * @property {number} anchorValue
 * @property {string} [target]
 * @property {string} [note]
 */

/** @typedef {{ suite: string, name: string, value: number, unit: string, anchor: string, anchorValue: number, ratio: number }} Figure */

const usage = `usage: node test/bench/run.mjs [--json FILE] [--suite NAME] [--quick]
  (npm run bench -- [options])

  --json FILE    also write the figures as one JSON array to FILE
  --suite NAME   run only the suite NAME (repeatable)
  --quick        few short rounds: checks the harness, figures are rough
  --help         this message`;

const suitesDir = join(dirname(fileURLToPath(import.meta.url)), "suites");

/** @param {string} message @returns {never} */
function fail(message) {
  process.stderr.write(`${message}\n\n${usage}\n`);
  process.exit(2);
}

/** @param {string[]} argv */
function parseArgs(argv) {
  /** @type {{ json: string | undefined, suites: string[], quick: boolean }} */
  const opts = { json: undefined, suites: [], quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    const eq = arg.indexOf("=");
    const flag = arg.startsWith("--") && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith("--") && eq > 0 ? arg.slice(eq + 1) : undefined;
    const takeValue = () => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) fail(`${flag} needs a value`);
      return next;
    };
    switch (flag) {
      case "--json":
        opts.json = takeValue();
        break;
      case "--suite":
        opts.suites.push(takeValue());
        break;
      case "--quick":
        if (inline !== undefined) fail("--quick takes no value");
        opts.quick = true;
        break;
      case "--help":
      case "-h":
        process.stdout.write(`${usage}\n`);
        process.exit(0);
        break;
      default:
        fail(`unknown argument: ${arg}`);
    }
  }
  if (opts.json === "") fail("--json needs a file name");
  return opts;
}

function machine() {
  const cpus = os.cpus();
  const model = cpus[0]?.model.trim() || "unknown CPU";
  const cores = typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length;
  const gib = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cores} cores, ${gib} GiB RAM, ${os.type()} ${os.release()} ${os.arch()}, node ${process.version}`;
}

/**
 * @param {string} suite
 * @param {unknown} f
 * @returns {Figure}
 */
function toFigure(suite, f) {
  const bad = (/** @type {string} */ why) =>
    new Error(`suite ${suite} returned a bad figure (${why}): ${JSON.stringify(f)}`);
  if (typeof f !== "object" || f === null) throw bad("not an object");
  const o = /** @type {Record<string, unknown>} */ (f);
  for (const key of ["name", "unit", "anchor"])
    if (typeof o[key] !== "string" || o[key] === "") throw bad(key);
  for (const key of ["value", "anchorValue"])
    if (typeof o[key] !== "number" || !Number.isFinite(o[key])) throw bad(key);
  if (o.anchorValue === 0) throw bad("anchorValue is 0");
  if (o.suite !== undefined && o.suite !== suite) throw bad("suite");
  const value = /** @type {number} */ (o.value);
  const anchorValue = /** @type {number} */ (o.anchorValue);
  return {
    suite,
    name: /** @type {string} */ (o.name),
    value,
    unit: /** @type {string} */ (o.unit),
    anchor: /** @type {string} */ (o.anchor),
    anchorValue,
    ratio: value / anchorValue,
  };
}

/** @param {number} x @param {string} unit */
function show(x, unit) {
  const digits = Math.abs(x) >= 1000 ? 0 : Math.abs(x) >= 100 ? 1 : Math.abs(x) >= 10 ? 2 : 3;
  return `${x.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })} ${unit}`;
}

/** @param {string[]} header @param {string[][]} rows */
function table(header, rows) {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => (r[k] ?? "").length)));
  const numeric = new Set([2, 4, 5]);
  const line = (/** @type {string[]} */ cells) =>
    cells
      .map((c, k) =>
        numeric.has(k)
          ? c.padStart(/** @type {number} */ (widths[k]))
          : c.padEnd(/** @type {number} */ (widths[k])),
      )
      .join("  ")
      .trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const files = readdirSync(suitesDir)
    .filter((f) => f.endsWith(".bench.mjs"))
    .sort();
  /** @type {{ suite: string, run: (ctx: Context) => Promise<unknown> }[]} */
  const suites = [];
  for (const file of files) {
    const mod = await import(pathToFileURL(join(suitesDir, file)).href);
    if (typeof mod.suite !== "string" || typeof mod.run !== "function") {
      throw new Error(`${file} must export \`suite\` (a name) and \`async function run(ctx)\``);
    }
    suites.push({ suite: mod.suite, run: mod.run });
  }
  const known = suites.map((s) => s.suite);
  for (const name of opts.suites)
    if (!known.includes(name)) fail(`unknown suite: ${name} (known: ${known.join(", ")})`);
  const selected = opts.suites.length === 0 ? suites : suites.filter((s) => opts.suites.includes(s.suite));

  const host = machine();
  process.stderr.write(`machine: ${host}${opts.quick ? " (--quick: rough figures)" : ""}\n`);

  /** @type {Figure[]} */
  const figures = [];
  /** @type {{ target: string, note: string }[]} */
  const extras = [];
  let failed = 0;
  const started = performance.now();
  for (const s of selected) {
    const t0 = performance.now();
    /** @type {Context} */
    const ctx = {
      quick: opts.quick,
      progress: (message) => process.stderr.write(`  [${s.suite}] ${message}\n`),
    };
    try {
      const out = await s.run(ctx);
      if (!Array.isArray(out)) throw new Error(`suite ${s.suite}: run() must return an array of figures`);
      for (const f of out) {
        figures.push(toFigure(s.suite, f));
        extras.push({ target: String(f.target ?? ""), note: String(f.note ?? "") });
      }
      process.stderr.write(`  [${s.suite}] done in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      failed++;
      process.stderr.write(
        `suite ${s.suite} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
  }

  const rows = figures.map((f, k) => [
    f.suite,
    f.name,
    show(f.value, f.unit),
    f.anchor,
    show(f.anchorValue, f.unit),
    f.ratio.toFixed(3),
    extras[k]?.target ?? "",
  ]);
  const out = [
    `machine: ${host}`,
    `ratio = ours / anchor, medians measured side by side in this run${opts.quick ? " (--quick: rough figures)" : ""}`,
    "",
    table(["suite", "figure", "ours", "anchor", "anchor value", "ratio", "target"], rows),
  ];
  const notes = figures
    .map((f, k) => (extras[k]?.note ? `  ${f.suite} / ${f.name}: ${extras[k]?.note}` : ""))
    .filter(Boolean);
  if (notes.length > 0) out.push("", "notes:", ...notes);
  out.push("", `${figures.length} figures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  process.stdout.write(`${out.join("\n")}\n`);

  if (opts.json !== undefined) {
    const path = resolve(opts.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(figures, null, 2)}\n`);
    process.stderr.write(`wrote ${figures.length} figures to ${path}\n`);
  }
  if (failed > 0) process.exit(1);
}

await main();
