// wsops annotate and wsops export through the real binary, on a session made with real wsops commands
// (exec, approve, resume) in a real workspace: every line of every format against its contract, the SFT
// lines against the fine-tuning formats, and the failures users meet (exit codes, messages).
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ContractName, validate } from "@workspace-ops/contracts";
import { openSqliteStore } from "@workspace-ops/store";
import { checkSftExample } from "@workspace-ops/trajectory";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freshDatabase,
  freshSchemaUrl,
  postgresAvailable,
} from "../../packages/store-postgres/dist/testing/test-server.js";
import { stateDirOf, wsops } from "../cli/run-cli.js";

const jsonl = (text: string) =>
  text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** A session made with wsops itself: a listing, a deletion approved by alice, a denied download. */
function governedSession(dir: string, store: string[] = []) {
  // The store flags go right after the command, before any "--".
  const run = ([command, ...rest]: string[], input?: string) =>
    wsops([command as string, ...store, ...rest], { cwd: dir, ...(input ? { input } : {}) });
  const at = (offset: number) => new Date(Date.now() + offset).toISOString();
  const asked = at(-60_000);
  expect(run(["exec", "--sandbox", "process", "--session", "sess-cli", "--", "ls"]).code).toBe(0);
  const parked = run([
    "exec",
    "--sandbox",
    "process",
    "--session",
    "sess-cli",
    "--no-wait",
    "--json",
    "--",
    "rm",
    "notes.txt",
  ]);
  expect(parked.code).toBe(75);
  const { toolExecutionId, approvalRequestId } = JSON.parse(parked.stdout);
  expect(run(["approve", approvalRequestId, "--by", "user:alice"]).code).toBe(0);
  expect(run(["resume", toolExecutionId, "--sandbox", "process"]).code).toBe(0);
  expect(
    run(["exec", "--sandbox", "process", "--session", "sess-cli", "--", "curl", "https://example.com"]).code,
  ).toBe(77);
  const annotation = {
    kind: "SessionAnnotation",
    apiVersion: "workspace-ops.dev/v1",
    messages: [
      { role: "user", content: "Tidy up and fetch example.com.", at: asked },
      { role: "assistant", content: "Done, except the download: no network here.", at: at(60_000) },
    ],
    cohort: { arm: "control", flag: "governed-exec-rollout", model: "gpt-4.1-mini" },
    eval: { evalId: "eval-cli", success: false },
  };
  const annotated = run(["annotate", "--session", "sess-cli", "-"], JSON.stringify(annotation));
  expect(annotated).toMatchObject({
    code: 0,
    stdout: expect.stringMatching(
      /^annotated session sess-cli: 2 message\(s\), cohort governed-exec-rollout=control, eval eval-cli /,
    ),
  });
}

function workspace() {
  const dir = mkdtempSync(join(tmpdir(), "wsops-export-cli-"));
  writeFileSync(join(dir, "notes.txt"), "hello\n");
  return dir;
}

describe("wsops export", () => {
  const dir = workspace();
  const out = mkdtempSync(join(tmpdir(), "wsops-export-out-"));

  beforeAll(() => governedSession(dir));

  it.each([
    ["trajectory", "Trajectory"],
    ["rl", "RlTrajectory"],
  ] as const)("--format %s writes lines that each satisfy %s, and a summary", (format, contract) => {
    const file = join(out, `${format}.jsonl`);
    const result = wsops(["export", "--format", format, "--out", file, "--json"], { cwd: dir });
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      format,
      sessions: 1,
      written: 1,
      out: file,
      skipped: { records: [], trajectories: [] },
    });
    const lines = jsonl(readFileSync(file, "utf8"));
    expect(lines).toHaveLength(1);
    for (const line of lines) expect(validate(contract as ContractName, line)).toMatchObject({ ok: true });
    expect(lines[0]).toMatchObject({
      lineage: {
        sessionId: "sess-cli",
        toolExecutionIds: [expect.any(String), expect.any(String), expect.any(String)],
      },
    });
  });

  it("--format rl credits the denied call and the task's failure", () => {
    const lines = jsonl(wsops(["export", "--format", "rl"], { cwd: dir }).stdout);
    expect(
      ((lines[0] as Record<string, unknown>).credits as { signal: string }[]).map((c) => c.signal),
    ).toEqual([
      "approval_at_destructive_boundary",
      "discovery_before_mutation",
      "denied_action",
      "task_failure",
    ]);
  });

  it.each(["openai", "tinker"] as const)(
    "--format sft --dialect %s writes well-formed chat examples and their lineage line for line",
    (dialect) => {
      const file = join(out, `sft-${dialect}.jsonl`);
      const result = wsops(["export", "--format", "sft", "--dialect", dialect, "--out", file], { cwd: dir });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        new RegExp(
          `^exported 1 sft \\(${dialect}\\) line\\(s\\) to ${file}, lineage to ${join(out, `sft-${dialect}.lineage.jsonl`)}\n`,
        ),
      );
      const examples = jsonl(readFileSync(file, "utf8"));
      const lineage = jsonl(readFileSync(join(out, `sft-${dialect}.lineage.jsonl`), "utf8"));
      expect(examples).toHaveLength(1);
      for (const example of examples) expect(checkSftExample(example, dialect)).toEqual([]);
      for (const [i, line] of lineage.entries()) {
        expect(validate("SftExampleLineage", line)).toMatchObject({ ok: true });
        expect(line).toMatchObject({ line: i + 1, dialect });
      }
      const callIds = (
        (examples[0] as Record<string, unknown>).messages as { tool_calls?: { id: string }[] }[]
      ).flatMap((m) => m.tool_calls?.map((c) => c.id) ?? []);
      expect(callIds).toEqual(
        ((lineage[0] as Record<string, unknown>).lineage as { toolExecutionIds: string[] }).toolExecutionIds,
      );
    },
  );

  it("filters by --cohort and --session, and writes nothing to stdout but the lines", () => {
    expect(
      jsonl(wsops(["export", "--format", "trajectory", "--cohort", "control"], { cwd: dir }).stdout),
    ).toHaveLength(1);
    const none = wsops(["export", "--format", "trajectory", "--cohort", "candidate"], { cwd: dir });
    expect(none).toMatchObject({ code: 0, stdout: "" });
    expect(none.stderr).toContain("left out by --cohort: 1");
    expect(
      jsonl(wsops(["export", "--format", "trajectory", "--session", "sess-other"], { cwd: dir }).stdout),
    ).toEqual([]);
  });

  it("refuses a bad reward table naming the file and the pointer (exit 2), before opening any store", () => {
    const table = join(out, "rewards.json");
    writeFileSync(table, JSON.stringify({ version: 1, signals: { denied_action: { reward: "lots" } } }));
    expect(
      wsops(["export", "--format", "rl", "--rewards", table, "--state-dir", join(out, "nowhere")], {
        cwd: dir,
      }),
    ).toEqual({
      code: 2,
      stdout: "",
      stderr: `wsops export: ${table} at /signals/denied_action/reward: a reward is a finite number\n`,
    });
  });

  it("says where no store is (exit 69), and refuses --json without --out (exit 2)", () => {
    const missing = join(out, "no-state");
    expect(wsops(["export", "--format", "trajectory", "--state-dir", missing], { cwd: dir })).toEqual({
      code: 69,
      stdout: "",
      stderr: `wsops export: no store at ${join(missing, "state.db")}: nothing has been recorded there\n`,
    });
    const json = wsops(["export", "--format", "trajectory", "--json"], { cwd: dir });
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/^wsops export: --json reports on an export written with --out FILE/);
  });

  it("leaves a bad record out and says so, or with --strict stops (exit 1) and writes no file", async () => {
    const store = await openSqliteStore(join(stateDirOf(dir), "state.db"));
    await store.commit({
      appends: [
        {
          stream: "t-broken",
          records: [
            { type: "request", data: { mode: "governed", request: { kind: "ToolExecutionRequest" } } },
          ],
          create: { kind: "tool_execution", sessionId: "sess-broken" },
        },
      ],
    });
    await store.close();
    const lenient = wsops(["export", "--format", "trajectory"], { cwd: dir });
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toContain(
      "skipped 1 record(s):\n    no_valid_request: 1 (first: t-broken: not a valid ToolExecutionRequest",
    );
    const file = join(out, "strict.jsonl");
    const strict = wsops(["export", "--format", "trajectory", "--strict", "--out", file], { cwd: dir });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(
      /^wsops export: t-broken: no_valid_request: not a valid ToolExecutionRequest/,
    );
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
  });

  it("annotate refuses an invalid annotation with its contract errors (exit 65)", () => {
    const bad = wsops(["annotate", "-"], {
      cwd: dir,
      input: JSON.stringify({ kind: "SessionAnnotation", apiVersion: "workspace-ops.dev/v1" }),
    });
    expect(bad.code).toBe(65);
    expect(bad.stderr).toContain("the annotation is not a valid SessionAnnotation");
    expect(
      wsops(["annotate", "--session", "a", "-"], { cwd: dir, input: '{"sessionId": "b"}' }),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^wsops annotate: --session a does not match the annotation's sessionId b/,
      ),
    });
  });
});

describe.runIf(postgresAvailable("wsops export on PostgreSQL (test/trajectory/cli.test.ts)"))(
  "wsops export on PostgreSQL",
  () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    beforeAll(async () => {
      database = await freshDatabase();
    });
    afterAll(() => database?.drop());

    it("exports a session recorded in PostgreSQL, with the SQLite store's shapes", () => {
      const url = freshSchemaUrl(database.url);
      const dir = workspace();
      governedSession(dir, ["--store", url]);
      const result = wsops(["export", "--format", "trajectory", "--store", url], { cwd: dir });
      expect(result.code).toBe(0);
      const [trajectory] = jsonl(result.stdout);
      expect(validate("Trajectory", trajectory)).toMatchObject({ ok: true });
      expect(
        ((trajectory as Record<string, unknown>).steps as { type: string }[]).map((s) => s.type),
      ).toEqual([
        "message",
        "tool_call",
        "decision",
        "outcome",
        "message",
        "tool_call",
        "decision",
        "approval",
        "outcome",
        "message",
        "tool_call",
        "decision",
        "outcome",
        "message",
        "message",
      ]);
      expect(result.stderr).toContain(`from postgres://`);
    });
  },
);
