// Bad records never stop an export: each is left out and counted by reason (the first place and why),
// unless --strict, which stops at the first. Records are written straight into a real store, as an old
// or damaged store would hold them; one is corrupted with the database's own shell.
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSqliteStore } from "@workspace-ops/store";
import { beforeAll, describe, expect, it } from "vitest";
import { TrajectoryError } from "./errors.js";
import { exportTrajectories } from "./export.js";
import { openSources } from "./sources.js";
import { toolCall } from "./testing/governed-run.js";

let stateDir = "";
/** In the corrupt record: a parse error would quote it. */
const leaked = ["ghp", "_", "Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBa"].join("");

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), "wsops-traj-skips-"));
  const store = await openSqliteStore(join(stateDir, "state.db"));
  const call = (stream: string, sessionId: string, records: { type: string; data: unknown }[]) =>
    store.commit({ appends: [{ stream, records, create: { kind: "tool_execution", sessionId } }] });
  const good = toolCall("sess-mixed", ["ls"], "t-good");
  await call("t-good", "sess-mixed", [
    { type: "request", data: { mode: "governed", request: good } },
    { type: "decision", data: { decision: "allow", note: "not a ToolExecutionDecision" } },
  ]);
  await call("t-no-request", "sess-mixed", [
    { type: "request", data: { mode: "governed", request: { kind: "ToolExecutionRequest" } } },
    { type: "transition", data: { from: "pending", to: "denied" } },
  ]);
  // Sessions are read newest first, by the millisecond of their last write: sess-corrupt is the newer.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await call("t-corrupt", "sess-corrupt", [{ type: "request", data: { mode: "governed", request: good } }]);
  await store.close();
  execFileSync("sqlite3", [
    join(stateDir, "state.db"),
    `UPDATE records SET data = '{"token": ${leaked}' WHERE stream = 't-corrupt'`,
  ]);
});

/** A whole trajectory export of the store in `dir`: its lines and summary. */
async function exportAll(dir: string, strict: boolean) {
  const { sources, close } = await openSources([{ stateDir: dir }]);
  try {
    const { lines, summary } = exportTrajectories({ sources, format: "trajectory", strict });
    const written: string[] = [];
    for await (const line of lines) written.push(line.text);
    return { written, summary: summary() };
  } finally {
    await close();
  }
}

describe("skipped records", () => {
  it("are left out and counted by reason, with the first place and why; the rest is exported", async () => {
    const { written, summary } = await exportAll(stateDir, false);
    expect(written.map((t) => JSON.parse(t).lineage.toolExecutionIds)).toEqual([["t-good"]]);
    expect(JSON.stringify(summary)).not.toContain(leaked.slice(0, 8));
    expect(summary.skipped).toEqual({
      records: [
        {
          reason: "unreadable_stream",
          count: 1,
          example: "t-corrupt",
          detail: "a record does not parse as JSON",
        },
        {
          reason: "no_valid_request",
          count: 2,
          example: "t-no-request",
          detail: `not a valid ToolExecutionRequest: / payload is missing required property "apiVersion"`,
        },
        {
          reason: "invalid_record",
          count: 1,
          example: "t-good seq 2",
          detail: expect.stringMatching(/^decision: not a valid ToolExecutionDecision/),
        },
      ],
      trajectories: [
        {
          reason: "no_governed_records",
          count: 1,
          example: "session sess-corrupt",
          detail: "no tool call or model usage was recorded in it",
        },
      ],
    });
    expect(summary).toMatchObject({ sessions: 2, written: 1 });
    // The call without a result is still answered, so a chat export stays well formed.
    const steps = JSON.parse(written[0] as string).steps;
    expect(steps.map((s: { type: string }) => s.type)).toEqual(["tool_call", "message"]);
    expect(JSON.parse(steps[1].content)).toEqual({
      outcome: "pending",
      note: "no result was recorded before the export",
    });
  });

  it("stop a --strict export at the first, with a strict_violation naming it", async () => {
    const error = await exportAll(stateDir, true).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TrajectoryError);
    expect(error).toMatchObject({
      code: "strict_violation",
      message: expect.stringMatching(/^t-corrupt: unreadable_stream: /),
    });
  });
});

describe("stores", () => {
  it("an export never creates one: a state directory without a store is an error", async () => {
    const empty = mkdtempSync(join(tmpdir(), "wsops-traj-empty-"));
    await expect(openSources([{ stateDir: empty }])).rejects.toMatchObject({
      code: "store_missing",
      message: `no store at ${join(empty, "state.db")}: nothing has been recorded there`,
    });
  });
});

describe("the fast path", () => {
  it("exports a record whose fields the trajectory uses are valid; --strict checks every record", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wsops-traj-lax-"));
    const store = await openSqliteStore(join(dir, "state.db"));
    const request = toolCall("sess-lax", ["ls"], "t-lax");
    // A decision without decidedAt (its contract requires it); the export does not use it.
    const decision = {
      kind: "ToolExecutionDecision",
      apiVersion: "workspace-ops.dev/v1",
      decisionId: "dec-lax",
      toolExecutionId: "t-lax",
      decision: "allow",
      reasons: [],
      policyRevision: "bundle-1",
    };
    await store.commit({
      appends: [
        {
          stream: "t-lax",
          records: [
            { type: "request", data: { mode: "governed", request } },
            { type: "decision", data: decision },
          ],
          create: { kind: "tool_execution", sessionId: "sess-lax" },
        },
      ],
    });
    await store.close();
    const lenient = await exportAll(dir, false);
    expect(JSON.parse(lenient.written[0] as string).steps.map((s: { type: string }) => s.type)).toEqual([
      "tool_call",
      "decision",
      "message",
    ]);
    expect(lenient.summary.skipped).toEqual({ records: [], trajectories: [] });
    await expect(exportAll(dir, true)).rejects.toMatchObject({
      code: "strict_violation",
      message: expect.stringMatching(
        /^t-lax seq 2: invalid_record: decision: not a valid ToolExecutionDecision/,
      ),
    });
  });
});
