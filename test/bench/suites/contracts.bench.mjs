// @ts-check
// @workspace-ops/contracts against raw ajv, side by side in one run.
//
// Throughput: `validate(contract, value)` (precompiled standalone validators + formatted errors)
// against Ajv2020 compiled in this process with the same options (tools/codegen/ajv.mjs) from the
// package's own `schemas` map, on the same payloads. On invalid payloads the anchor does what a
// raw-ajv user does: call the validator and read `.errors`; ours also turns them into ContractErrors.
//
// Cold start: a fresh process importing the package and validating one payload, against a fresh
// process that creates ajv, adds the published schema files, compiles every contract and validates.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { interleavedThroughput, makeLoop, median, significant, timeChild } from "../lib/measure.mjs";

export const suite = "contracts";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");
const ajvModule = join(root, "tools", "codegen", "ajv.mjs");
const packageDir = join(root, "packages", "contracts");

/** The payloads: one valid and one invalid per contract. The invalid ones fail an if/then rule, so
 * the error formatting does its real work (naming the condition), not only a one-line message. */
const cases = [
  { contract: "ToolExecutionRequest", validity: "valid", file: "mcp-read-file.json" },
  { contract: "ToolExecutionRequest", validity: "invalid", file: "shell-without-argv.json" },
  { contract: "WorkspaceOperationContract", validity: "valid", file: "governed-local-execution.json" },
  { contract: "WorkspaceOperationContract", validity: "invalid", file: "artifact-kind-mismatch.json" },
];

const ajvVersion = () => {
  const require = createRequire(join(root, "package.json"));
  return /** @type {{ version: string }} */ (require("ajv/package.json")).version;
};

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const built = join(packageDir, "dist", "index.js");
  const pkg = await import("@workspace-ops/contracts").catch((error) => {
    throw new Error(`cannot import @workspace-ops/contracts (${built}); build first: npx turbo run build`, {
      cause: error,
    });
  });
  const { validate, isContract, schemas, contracts } = pkg;
  const { createAjv } = await import("../../../tools/codegen/ajv.mjs");

  const ajv = createAjv();
  for (const schema of Object.values(schemas)) ajv.addSchema(/** @type {object} */ (schema));
  const version = ajvVersion();

  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];

  // ---- throughput -------------------------------------------------------------------------------
  const opts = ctx.quick
    ? { rounds: 3, roundMs: 25, warmupMs: 40 }
    : { rounds: 7, roundMs: 200, warmupMs: 400 };

  for (const c of cases) {
    const contract = /** @type {keyof typeof contracts} */ (c.contract);
    const file = join(root, "examples", c.contract, c.validity, c.file);
    const value = JSON.parse(readFileSync(file, "utf8"));
    const raw = ajv.getSchema(contracts[contract].id);
    if (!raw) throw new Error(`ajv has no schema ${contracts[contract].id}`);

    // Both sides must agree before their speed means anything.
    const ours = validate(contract, value);
    const rawOk = raw(value);
    if (ours.ok !== (c.validity === "valid") || rawOk !== ours.ok) {
      throw new Error(`${c.contract}/${c.validity}/${c.file}: ours ok=${ours.ok}, raw ajv ok=${rawOk}`);
    }
    if (!ours.ok && (ours.errors.length === 0 || !raw.errors?.length)) {
      throw new Error(`${c.contract}/${c.validity}/${c.file}: rejected without errors`);
    }

    // Invalid payloads are measured twice: the verdict alone (ours: isContract, the verdict-only API),
    // and validate() with its errors read (ours: explained ContractErrors; ajv: its raw .errors).
    const modes = c.validity === "valid" ? ["verdict"] : ["verdict", "errors read"];
    for (const mode of modes) {
      const label =
        c.validity === "valid"
          ? `valid ${c.contract}`
          : `invalid ${c.contract}, ${mode === "verdict" ? "verdict via isContract" : "validate with errors read"}`;
      // Each loop reads the outcome, so neither call can be optimised away.
      const oursLoop = makeLoop(
        `ours ${label}`,
        c.validity === "invalid" && mode === "verdict"
          ? "sink += fn(arg, value) ? 1 : 2;"
          : "const r = fn(arg, value); sink += r.ok ? 1 : r.errors.length + r.errors[0].message.length;",
      );
      const anchorLoop = makeLoop(
        `anchor ${label}`,
        mode === "verdict"
          ? "sink += fn(value) ? 1 : 2;"
          : "sink += fn(value) ? 1 : fn.errors.length + fn.errors[0].instancePath.length;",
      );
      ctx.progress(`throughput: ${label} (${c.file})`);
      const m = interleavedThroughput({
        ours: (n) =>
          oursLoop(
            c.validity === "invalid" && mode === "verdict" ? isContract : validate,
            contract,
            value,
            n,
          ),
        anchor: (n) => anchorLoop(raw, undefined, value, n),
        ...opts,
      });
      const spread = (/** @type {number[]} */ xs) => `${fmtOps(Math.min(...xs))}–${fmtOps(Math.max(...xs))}`;
      figures.push({
        name: `validate throughput, ${label} (higher is better)`,
        value: significant(m.ours),
        unit: "ops/s",
        anchor:
          mode === "verdict"
            ? `raw Ajv2020 ${version}, same options, compiled in-process`
            : `raw Ajv2020 ${version}, same options, compiled in-process, reading .errors`,
        anchorValue: significant(m.anchor),
        target: "≥ 0.95",
        note: `${c.contract}/${c.validity}/${c.file}; median of ${opts.rounds} interleaved ${opts.roundMs} ms rounds; ours ${spread(m.oursRounds)}, anchor ${spread(m.anchorRounds)}`,
      });
    }
  }

  // ---- cold start -------------------------------------------------------------------------------
  const schemaDir = join(packageDir, "dist", "schemas");
  // The anchor loads the published schema files; make sure they are the schemas the package holds.
  assertSameSchemas(schemaDir, schemas);
  const contractIds = Object.fromEntries(Object.values(contracts).map((c) => [c.name, c.id]));
  const payloadFile = join(root, "examples", "ToolExecutionRequest", "valid", "mcp-read-file.json");
  const oursArgs = [JSON.stringify({ payloadFile, contract: "ToolExecutionRequest" })];
  const anchorArgs = [
    JSON.stringify({ payloadFile, contract: "ToolExecutionRequest", contractIds, schemaDir, ajvModule }),
  ];
  const oursScript = join(here, "..", "children", "contracts-cold-ours.mjs");
  const anchorScript = join(here, "..", "children", "contracts-cold-ajv.mjs");

  const runs = ctx.quick ? 2 : 7;
  ctx.progress(`cold start: ${runs} fresh processes each side, alternating`);
  // One discarded run each: the first spawn pays for cold disk caches, which is not what we compare.
  timeChild(oursScript, oursArgs, root);
  const firstAnchor = timeChild(anchorScript, anchorArgs, root);
  if (firstAnchor.report.compiled !== Object.keys(contractIds).length) {
    throw new Error(
      `anchor compiled ${firstAnchor.report.compiled} contracts, expected ${Object.keys(contractIds).length}`,
    );
  }
  /** @type {{ inner: number[], wall: number[] }} */
  const ours = { inner: [], wall: [] };
  /** @type {{ inner: number[], wall: number[] }} */
  const anchor = { inner: [], wall: [] };
  const once = (
    /** @type {string} */ script,
    /** @type {string[]} */ args,
    /** @type {typeof ours} */ into,
  ) => {
    const { wallMs, report } = timeChild(script, args, root);
    into.inner.push(report.ms);
    into.wall.push(wallMs);
  };
  for (let r = 0; r < runs; r++) {
    if (r % 2 === 0) {
      once(oursScript, oursArgs, ours);
      once(anchorScript, anchorArgs, anchor);
    } else {
      once(anchorScript, anchorArgs, anchor);
      once(oursScript, oursArgs, ours);
    }
  }
  const n = Object.keys(contractIds).length;
  figures.push({
    name: "cold start to first validation, import/compile in a fresh process (lower is better)",
    value: significant(median(ours.inner)),
    unit: "ms",
    anchor: `raw Ajv2020 ${version}: createAjv, add schemas, compile all ${n} contracts`,
    anchorValue: significant(median(anchor.inner)),
    target: "≤ 0.10",
    note: `performance.now() inside the child around import(+compile)+one validation; median of ${runs} alternating runs`,
  });
  figures.push({
    name: "cold start to first validation, whole-process wall time (lower is better)",
    value: significant(median(ours.wall)),
    unit: "ms",
    anchor: `raw Ajv2020 ${version}: createAjv, add schemas, compile all ${n} contracts`,
    anchorValue: significant(median(anchor.wall)),
    target: "(secondary)",
    note: `spawn to exit of \`node <child>\`, node's own startup included on both sides; median of ${runs} runs`,
  });
  return figures;
}

/** @param {number} x */
function fmtOps(x) {
  return x >= 1e6 ? `${(x / 1e6).toFixed(2)}M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)}k` : x.toFixed(0);
}

/**
 * @param {string} dir
 * @param {Readonly<Record<string, unknown>>} schemas
 */
function assertSameSchemas(dir, schemas) {
  const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".schema.json"));
  if (files.length !== Object.keys(schemas).length) {
    throw new Error(
      `${dir} holds ${files.length} schema files, the package ${Object.keys(schemas).length} schemas`,
    );
  }
  for (const [id, schema] of Object.entries(schemas)) {
    const path = join(dir, new URL(id).pathname.replace(/^\/contracts\//, ""));
    let onDisk;
    try {
      onDisk = JSON.parse(readFileSync(path, "utf8"));
    } catch (error) {
      throw new Error(`published schema for ${id} not found at ${path}; build first: npx turbo run build`, {
        cause: error,
      });
    }
    if (!isDeepStrictEqual(onDisk, schema)) throw new Error(`${path} differs from the package's schemas map`);
  }
}
