// wsops exec --events URL against a real receiver that accepts, holds its answer or fails: the
// command runs and reports as it would without a sink, what the sink did not get is said on stderr at
// exit, and the store has every event.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type Receiver, startReceiver } from "../../packages/executor/dist/testing/receivers.js";
import { execIn, storedEvents, wsopsAsync } from "./run-cli-async.js";

const receivers: Receiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close()));
});

async function setUp(answer?: Parameters<typeof startReceiver>[0]) {
  const receiver = await startReceiver(answer);
  receivers.push(receiver);
  const workspace = mkdtempSync(join(tmpdir(), "wsops-sink-cli-"));
  writeFileSync(join(workspace, "notes.txt"), "hello\n");
  return { receiver, workspace };
}

const exec = (workspace: string, url: string, ...more: string[]) =>
  execIn(workspace, ["--events", url, ...more, "--json", "--", "cat", "notes.txt"]);

const storedEventTypes = (workspace: string, id: string) =>
  storedEvents(workspace, id).map((event) => event.type);

describe("wsops exec --events http(s)://URL", () => {
  it("delivers both events of a call to an accepting receiver and says nothing more", async () => {
    const { receiver, workspace } = await setUp();
    const run = await exec(workspace, `${receiver.url}/ingest`);
    expect(run).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toMatchObject({ outcome: "succeeded" });
    expect(receiver.requests.map((r) => [r.method, r.path, JSON.parse(r.body).type])).toEqual([
      ["POST", "/ingest", "dev.workspace-ops.operation.started"],
      ["POST", "/ingest", "dev.workspace-ops.operation.completed"],
    ]);
  });

  it("runs and reports the call while the receiver holds its answer; at exit says what it did not get", async () => {
    const { receiver, workspace } = await setUp(() => "hold");
    const run = await exec(workspace, receiver.url);
    const result = JSON.parse(run.stdout);
    expect([run.code, result.outcome, result.output.stdout.preview]).toEqual([0, "succeeded", "hello\n"]);
    expect(run.stderr).toBe(
      `wsops: events: 2 of 2 not delivered to ${receiver.url}/ (2 still queued at exit); the store has them all (wsops logs ID)\n`,
    );
    expect(receiver.requests).toHaveLength(1);
    expect(storedEventTypes(workspace, result.toolExecutionId)).toEqual([
      "dev.workspace-ops.operation.started",
      "dev.workspace-ops.operation.completed",
    ]);
  });

  it("retries a failing receiver a bounded number of times, then reports the failure; the exit code is the command's", async () => {
    const { receiver, workspace } = await setUp(() => ({ status: 500 }));
    const run = await exec(workspace, receiver.url);
    expect(run.code).toBe(0);
    // Normally "(2 failed; …)"; on a machine slow enough that the retries outlast the 3 s drain at
    // exit, the last one is counted still queued instead (the package tests pin the exact counts).
    expect(run.stderr).toMatch(
      new RegExp(
        `^wsops: events: 2 of 2 not delivered to ${receiver.url}/ \\((2 failed|1 failed, 1 still queued at exit); last failure: ${receiver.url}/ answered 500\\); the store has them all \\(wsops logs ID\\)\n$`,
      ),
    );
    // At most 1 attempt and 3 retries per event.
    expect(receiver.requests.length).toBeGreaterThanOrEqual(5);
    expect(receiver.requests.length).toBeLessThanOrEqual(8);
    const result = JSON.parse(run.stdout);
    expect(storedEventTypes(workspace, result.toolExecutionId)).toHaveLength(2);
  });

  it("sends binary mode when asked, and refuses what cannot be a target", async () => {
    const { receiver, workspace } = await setUp();
    expect(await exec(workspace, receiver.url, "--events-mode", "binary")).toMatchObject({
      code: 0,
      stderr: "",
    });
    expect(receiver.requests.map((r) => r.headers["ce-type"])).toEqual([
      "dev.workspace-ops.operation.started",
      "dev.workspace-ops.operation.completed",
    ]);
    const refused = await exec(workspace, "ftp://example.com/events");
    expect(refused.code).toBe(2);
    expect(refused.stderr.split("\n")[0]).toBe(
      "wsops exec: --events: events can go to -, a file or an http(s):// URL, not a ftp:// URL",
    );
    const both = await wsopsAsync(["exec", "--events", "-", "--json", "--", "true"], { cwd: workspace });
    expect([both.code, both.stderr.split("\n")[0]]).toEqual([
      2,
      "wsops exec: --events - and --json both write to stdout; send events to a file",
    ]);
  });
});
