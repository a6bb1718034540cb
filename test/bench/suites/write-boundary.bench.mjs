// @ts-check
// What the executor's write boundary costs a commit: redacting every record of a batch (the executor
// always does), and signing the audit head (when the store has an audit key). Both are measured on
// the real store (SQLite) with the batches the executor writes, against the same commit without them,
// in interleaved rounds.
//
// Batches: the first phase of a governed call (request, analysis, decision, transition, started event,
// each with its audit record) and the last (transition, completed event, a result whose stdout and
// stderr previews are 4 KiB of build-log text, audited) — no secrets in them, so what is measured is
// the scan every commit pays, not the rare replacement.
import { createPublicKey, generateKeyPairSync, sign, verify } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { filesystemOf } from "../lib/executor-fs.mjs";
import { toolCall } from "../lib/executor-payloads.mjs";
import { median, significant } from "../lib/measure.mjs";
import { interleaved } from "../lib/rounds.mjs";

export const suite = "write-boundary";

/** @param {string} name */
async function load(name) {
  return import(name).catch((error) => {
    throw new Error(`cannot import ${name}; build first: npx turbo run build`, { cause: error });
  });
}

const LOG = Array.from(
  { length: 80 },
  (_, i) =>
    `[${String(i).padStart(3, "0")}] compiling packages/app/src/module-${i}.ts … ok (${(i * 7) % 97} ms)`,
).join("\n");
const preview = LOG.slice(0, 4096);

/** The executor's two commits of one governed call, as batches for `stream` (fresh ids each time). */
function batches(stream) {
  const request = toolCall(["npm", "run", "build", "--", "--filter", "app"]);
  const analysis = {
    kind: "CommandAnalysis",
    parts: [
      { index: 0, argv: ["npm", "run", "build", "--", "--filter", "app"], program: "npm", redirects: [] },
    ],
    unknown: [],
  };
  const decision = {
    kind: "ToolExecutionDecision",
    decision: "allow",
    reasons: [],
    obligations: { timeoutSeconds: 600, envAllowlist: ["PATH", "HOME"], sandbox: { network: "none" } },
    classification: {
      class: "code_execution",
      rule: "profile_allows",
      parts: [
        {
          index: 0,
          class: "code_execution",
          source: "program",
          entry: "programs.npm.subcommands.run",
          token: "run",
        },
      ],
    },
  };
  const event = (state) => ({
    specversion: "1.0",
    type: `dev.workspace-ops.operation.${state}`,
    subject: stream,
    data: { state },
  });
  const result = {
    kind: "ToolExecutionResult",
    outcome: "succeeded",
    exitCode: 0,
    output: {
      stdout: { bytes: 9000, digest: `sha256:${"a".repeat(64)}`, preview, truncated: false },
      stderr: { bytes: 4096, digest: `sha256:${"b".repeat(64)}`, preview, truncated: false },
    },
  };
  const phase = (/** @type {[string, unknown][]} */ records, create) => ({
    appends: [
      {
        stream,
        records: records.map(([type, data]) => ({ type, data })),
        ...(create
          ? { expectSeq: 1, create: { kind: "tool_execution", sessionId: "s", actor: "agent:bench" } }
          : {}),
      },
    ],
    audit: records.map(([type, data]) => ({ type, subject: stream, data })),
  });
  return [
    phase(
      [
        ["request", { mode: "governed", request }],
        ["analysis", analysis],
        ["decision", decision],
        ["transition", { from: "pending", to: "running" }],
        ["event", event("started")],
      ],
      true,
    ),
    phase([
      ["transition", { from: "running", to: "succeeded" }],
      ["event", event("completed")],
      ["result", result],
    ]),
  ];
}

/** µs per call of `fn`, median of rounds. @param {() => unknown} fn @param {number} n */
function microseconds(fn, n) {
  const xs = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    for (let i = 0; i < n; i++) fn();
    xs.push(((performance.now() - t) * 1000) / n);
  }
  return median(xs);
}

/** @param {import("../run.mjs").Context} ctx */
export async function run(ctx) {
  const { openSqliteStore } = await load("@workspace-ops/store");
  const { behindWriteBoundary } = await load("@workspace-ops/executor");
  const { createRedactor } = await load("@workspace-ops/redact");
  const { publicKeyText } = await load("@workspace-ops/signing");
  const plan = ctx.quick ? { warmup: 5, rounds: 3, each: 10 } : { warmup: 40, rounds: 12, each: 40 };
  const scratch = mkdtempSync(join(tmpdir(), "wsops-bench-boundary-"));
  const fs = filesystemOf(scratch);
  /** @type {import("../run.mjs").SuiteFigure[]} */
  const figures = [];
  const { privateKey } = generateKeyPairSync("ed25519");
  const key = { privateKey, publicKey: publicKeyText(privateKey) };
  try {
    for (const durability of /** @type {const} */ (["relaxed", "full"])) {
      // One database per side, so that no side pays for another's growth.
      const open = async (/** @type {string} */ name) =>
        openSqliteStore(join(scratch, `${durability}-${name}`, "state.db"), { durability });
      const plain = await open("plain");
      const redacted = behindWriteBoundary(await open("redacted"), {
        redactor: createRedactor(),
        auditKey: null,
      });
      const signed = await open("signed");
      let n = 0;
      /** Both commits of one call; returns ms. */
      const call = (/** @type {(batch: object) => Promise<unknown>} */ commit) => async () => {
        const [first, last] = batches(`texec-bench-${++n}`);
        const t = performance.now();
        await commit(/** @type {object} */ (first));
        await commit(/** @type {object} */ (last));
        return performance.now() - t;
      };
      const sides = {
        plain: call((batch) => plain.commit(batch)),
        redacted: call((batch) => redacted.commit(batch)),
        signed: call((batch) => signed.commit({ ...batch, signHead: key })),
      };
      ctx.progress(
        `write boundary, durability ${durability}: ${plan.rounds} rounds of ${plan.each} calls (two commits each) per side`,
      );
      await interleaved(sides, { plain: plan.warmup, redacted: plan.warmup, signed: plan.warmup }, 1);
      const s = await interleaved(
        sides,
        { plain: plan.each, redacted: plan.each, signed: plan.each },
        plan.rounds,
      );
      await Promise.all([plain.close(), redacted.close(), signed.close()]);
      const anchorValue = median(/** @type {number[]} */ (s.plain));
      const note = `${/** @type {number[]} */ (s.plain).length} calls per side pooled over ${plan.rounds} interleaved rounds; SQLite on ${fs}`;
      figures.push({
        name: `a governed call's two commits p50, redacted at the write boundary vs straight to the store, durability ${durability} (lower is better)`,
        value: significant(median(/** @type {number[]} */ (s.redacted))),
        unit: "ms",
        anchor: "the same two commits straight to the store, p50, same rounds",
        anchorValue: significant(anchorValue),
        target: "(none: measured to choose and document)",
        note: `${note}; 16 records (two 4 KiB previews) scanned by every rule`,
      });
      figures.push({
        name: `a governed call's two commits p50, audit head signed vs unsigned, durability ${durability} (lower is better)`,
        value: significant(median(/** @type {number[]} */ (s.signed))),
        unit: "ms",
        anchor: "the same two commits unsigned, p50, same rounds",
        anchorValue: significant(anchorValue),
        target: "(none: measured to choose and document)",
        note: `${note}; each signing commit also checks the head it extends is the one last signed (a cached verification here: one process)`,
      });
    }
    // The cryptography alone: what one signature and one verification cost here (Node's Ed25519).
    const message = Buffer.from(
      JSON.stringify({ kind: "wsops.audit-head", seq: 123456, hash: `sha256:${"c".repeat(64)}` }),
    );
    const signature = sign(null, message, privateKey);
    const publicKey = createPublicKey(privateKey);
    const signUs = microseconds(() => sign(null, message, privateKey), ctx.quick ? 200 : 2000);
    const verifyUs = microseconds(() => verify(null, message, publicKey, signature), ctx.quick ? 200 : 2000);
    figures.push({
      name: "Ed25519 verification of an audit head signature vs signing it, µs per operation (lower is better)",
      value: significant(verifyUs),
      unit: "µs",
      anchor: "Ed25519 signature of the same message, µs, same run",
      anchorValue: significant(signUs),
      target: "(none)",
      note: "node:crypto; a commit signs once, and verifies the previous head only when another process signed it",
    });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return figures;
}
