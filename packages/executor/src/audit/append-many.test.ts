import { createHash } from "node:crypto";
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StateError } from "../store/errors.js";
import { openAuditLog } from "./audit-log.js";
import type { AuditRecord, AuditRecovery, NewAuditRecord } from "./types.js";
import { verifyAuditLog } from "./verify.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-audit-many-"));
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

const logFile = () => join(dir, "audit.jsonl");
const headFile = () => join(dir, "audit.head.json");
const zeros = `sha256:${"0".repeat(64)}`;
const head = () => JSON.parse(readFileSync(headFile(), "utf8")) as { seq: number; hash: string };
const ticks = (n: number, from = 0): NewAuditRecord[] =>
  Array.from({ length: n }, (_, i) => ({ type: "tick", subject: "op-1", data: { i: from + i } }));

/** The hash rule from the design, spelled out by hand rather than through the code under test. */
function expectedHash(r: Omit<AuditRecord, "hash">) {
  const body = `{"at":${JSON.stringify(r.at)},"data":${JSON.stringify(r.data)},"prevHash":"${r.prevHash}","seq":${r.seq},"subject":${JSON.stringify(r.subject)},"type":${JSON.stringify(r.type)}}`;
  return `sha256:${createHash("sha256").update(`${r.prevHash}\n${body}`).digest("hex")}`;
}

async function rejection(task: Promise<unknown>): Promise<{ code: string; message: string }> {
  const thrown = await task.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(thrown instanceof StateError)) throw new Error(`expected a StateError, got ${String(thrown)}`);
  return { code: thrown.code, message: thrown.message };
}

async function fileHandlePrototype(): Promise<FileHandle> {
  const probe = await open(join(dir, "probe"), "w");
  await probe.close();
  return Object.getPrototypeOf(probe) as FileHandle;
}

describe("AuditLog.appendMany", () => {
  it("chains every record of a batch to the one before, in one write, with one head update", async () => {
    const log = await openAuditLog(dir);
    const first = await log.append("mode_changed", "wsops.mode", { from: null, to: "governed" });
    const proto = await fileHandlePrototype();
    const write = vi.spyOn(proto, "write");
    const sync = vi.spyOn(proto, "sync");
    const batch = await log.appendMany([
      { type: "request", subject: "op-1", data: { kind: "ToolExecutionRequest" } },
      { type: "decision", subject: "op-1", data: { at: new Date(0), decision: "allow" } },
      { type: "transition", subject: "op-1", data: { from: "pending", to: "running" } },
    ]);
    // One write of the lines; one fsync of the log and one of the head's temporary file.
    expect({ writes: write.mock.calls.length, fsyncs: sync.mock.calls.length }).toEqual({
      writes: 1,
      fsyncs: 2,
    });
    const [request, decision, transition] = batch as [AuditRecord, AuditRecord, AuditRecord];
    expect(batch).toEqual([
      { ...request, seq: 2, type: "request", subject: "op-1", prevHash: first.hash },
      {
        ...decision,
        seq: 3,
        at: request.at,
        data: { at: "1970-01-01T00:00:00.000Z", decision: "allow" },
        prevHash: request.hash,
      },
      { ...transition, seq: 4, at: request.at, prevHash: decision.hash },
    ]);
    for (const record of batch) expect(record.hash).toBe(expectedHash(record));
    expect(head()).toEqual({ seq: 4, hash: transition.hash });
    const after = await log.append("result", "op-1", { outcome: "succeeded" });
    expect(after).toMatchObject({ seq: 5, prevHash: transition.hash });
    expect(await log.read()).toEqual([first, ...batch, after]);
    expect(readFileSync(logFile(), "utf8")).toBe(
      [first, ...batch, after].map((record) => `${JSON.stringify(record)}\n`).join(""),
    );
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 5, head: after.hash });
  });

  it("starts a chain at the genesis hash and continues it across reopening", async () => {
    const log = await openAuditLog(dir);
    const batch = await log.appendMany(ticks(3));
    await log.close();
    expect(batch[0]?.prevHash).toBe(zeros);
    const reopened = await openAuditLog(dir);
    const next = await reopened.appendMany(ticks(2, 3));
    expect(next.map((r) => [r.seq, r.prevHash])).toEqual([
      [4, batch[2]?.hash],
      [5, next[0]?.hash],
    ]);
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 5, head: next[1]?.hash });
  });

  it("keeps concurrent batches from two logs in one process whole", async () => {
    const [a, b] = await Promise.all([openAuditLog(dir), openAuditLog(dir, { fsync: false })]);
    const batches = await Promise.all(
      Array.from({ length: 20 }, (_, k) => (k % 2 === 0 ? a : b).appendMany(ticks(5, 5 * k))),
    );
    for (const batch of batches) {
      const seqs = batch.map((record) => record.seq);
      expect(seqs).toEqual([0, 1, 2, 3, 4].map((k) => (seqs[0] ?? 0) + k));
    }
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 100 });
  });

  it("returns [] for no records, writing neither the log nor the head", async () => {
    const log = await openAuditLog(dir);
    await log.append("t", "op", 1);
    const before = [readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")];
    expect(await log.appendMany([])).toEqual([]);
    expect([readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")]).toEqual(before);
  });

  it("refuses the whole batch when one record is invalid, before writing anything", async () => {
    const log = await openAuditLog(dir);
    await log.append("t", "op", 1);
    const before = [readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")];
    const valid = { type: "t", subject: "op", data: 2 };
    expect([
      await rejection(log.appendMany([valid, { type: "", subject: "op", data: 3 }])),
      await rejection(log.appendMany([valid, { type: "t", subject: 7 as unknown as string, data: 3 }])),
      await rejection(log.appendMany([valid, { type: "t", subject: "op", data: () => 1 }])),
      await rejection(log.appendMany({} as unknown as [])),
    ]).toEqual([
      { code: "record_invalid", message: "audit record type must be a non-empty string" },
      { code: "record_invalid", message: "audit subject must be a string" },
      { code: "record_invalid", message: "data is not JSON-serializable: function" },
      { code: "record_invalid", message: "audit records must be an array" },
    ]);
    expect([readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")]).toEqual(before);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 1 });
  });

  it("refuses to chain a batch onto a damaged log", async () => {
    const log = await openAuditLog(dir);
    await log.appendMany(ticks(3));
    const intact = readFileSync(logFile(), "utf8");
    writeFileSync(logFile(), intact.replace('{"i":2}', '{"i":22}'));
    expect(await rejection(log.appendMany(ticks(2, 3)))).toEqual({
      code: "corrupt",
      message:
        "refusing to append to a damaged audit log: the last record (seq 3) does not match its hash; run verifyAuditLog",
    });
    expect(readFileSync(logFile(), "utf8")).toBe(intact.replace('{"i":2}', '{"i":22}'));
  });

  it("cuts back a write that fails half way: no record of the batch, the head unchanged", async () => {
    const log = await openAuditLog(dir);
    const [, last] = await log.appendMany(ticks(2));
    const before = [readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")];
    const proto = await fileHandlePrototype();
    const original = proto.write as (...args: unknown[]) => Promise<unknown>;
    let calls = 0;
    vi.spyOn(proto, "write").mockImplementation(function (this: FileHandle, ...args: unknown[]) {
      calls++;
      if (calls === 1) {
        const [buffer, offset, length] = args as [Buffer, number, number];
        return original.call(this, buffer, offset, Math.floor(length / 2));
      }
      return Promise.reject(Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }));
    } as typeof proto.write);
    expect(await rejection(log.appendMany(ticks(5, 2)))).toEqual({
      code: "write_failed",
      message: "append failed: ENOSPC: no space left on device",
    });
    expect([readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")]).toEqual(before);
    vi.restoreAllMocks();
    const next = await log.appendMany(ticks(2, 7));
    expect(next.map((r) => [r.seq, r.prevHash])).toEqual([
      [3, last?.hash],
      [4, next[0]?.hash],
    ]);
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 4, head: next[1]?.hash });
  });

  it("reports a head it could not write; the batch stays, and the lagging head is brought forward", async () => {
    const log = await openAuditLog(dir);
    const [, second] = await log.appendMany(ticks(2));
    mkdirSync(`${headFile()}.tmp`); // the head's temporary file cannot be created
    const failed = await rejection(log.appendMany(ticks(3, 2)));
    expect(failed.code).toBe("write_failed");
    expect(failed.message).toMatch(/^seq 5 was written but its head was not: /);
    expect(head()).toEqual({ seq: 2, hash: second?.hash });
    const records = readFileSync(logFile(), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line) as AuditRecord);
    expect(records.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    // A head behind the log by a whole batch is what a crash between the two writes leaves: accepted.
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 5, head: records[4]?.hash });
    await log.close();
    rmSync(`${headFile()}.tmp`, { recursive: true });
    const reported: AuditRecovery[] = [];
    const reopened = await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    expect(reported).toEqual([{ droppedBytes: 0, headAdvancedTo: 5 }]);
    expect(head()).toEqual({ seq: 5, hash: records[4]?.hash });
    expect((await reopened.appendMany(ticks(1, 5)))[0]).toMatchObject({ seq: 6, prevHash: records[4]?.hash });
  });

  it("cuts a torn line before a batch and chains the batch to the last whole record", async () => {
    const log = await openAuditLog(dir);
    const [, , third] = await log.appendMany(ticks(3));
    await log.close();
    appendFileSync(logFile(), '{"seq":4,"at":"2026-01-01T00:00:00.000Z","type":"ev');
    const reopened = await openAuditLog(dir);
    const next = await reopened.appendMany(ticks(2, 3));
    expect(next.map((r) => [r.seq, r.prevHash])).toEqual([
      [4, third?.hash],
      [5, next[0]?.hash],
    ]);
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 5, head: next[1]?.hash });
  });

  it("refuses a batch once closed", async () => {
    const log = await openAuditLog(dir);
    await log.close();
    expect(await rejection(log.appendMany(ticks(2)))).toEqual({
      code: "closed",
      message: "the audit log is closed",
    });
  });
});
