import { createHash } from "node:crypto";
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StateError } from "../store/errors.js";
import { openAuditLog } from "./audit-log.js";
import type { AuditRecovery } from "./types.js";
import { verifyAuditLog } from "./verify.js";

let dir = "";
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "wsops-audit-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const logFile = () => join(dir, "audit.jsonl");
const headFile = () => join(dir, "audit.head.json");
const zeros = `sha256:${"0".repeat(64)}`;
const anyTime = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

/** The hash rule from the design, spelled out by hand rather than through the code under test. */
function expectedHash(r: {
  seq: number;
  at: string;
  type: string;
  subject: string;
  data: unknown;
  prevHash: string;
}) {
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

async function logWithThreeRecords() {
  const log = await openAuditLog(dir);
  for (let i = 1; i <= 3; i++) await log.append("event", "op-1", { i });
  await log.close();
  return readFileSync(logFile(), "utf8");
}

describe("openAuditLog", () => {
  it("chains each record to the previous one and keeps the head on the last", async () => {
    const log = await openAuditLog(dir);
    const first = await log.append("mode_changed", "", { from: "observe", to: "governed" });
    const second = await log.append("transition", "op-1", { to: "deciding" });
    expect([first, second]).toEqual([
      {
        seq: 1,
        at: anyTime,
        type: "mode_changed",
        subject: "",
        data: { from: "observe", to: "governed" },
        prevHash: zeros,
        hash: expectedHash({ ...first, prevHash: zeros }),
      },
      {
        seq: 2,
        at: anyTime,
        type: "transition",
        subject: "op-1",
        data: { to: "deciding" },
        prevHash: first.hash,
        hash: expectedHash({ ...second, prevHash: first.hash }),
      },
    ]);
    expect(await log.read()).toEqual([first, second]);
    expect(readFileSync(logFile(), "utf8")).toBe(`${JSON.stringify(first)}\n${JSON.stringify(second)}\n`);
    expect(JSON.parse(readFileSync(headFile(), "utf8"))).toEqual({ seq: 2, hash: second.hash });
  });

  it("continues the chain after reopening", async () => {
    await logWithThreeRecords();
    const log = await openAuditLog(dir);
    const fourth = await log.append("event", "op-2", null);
    const records = await log.read();
    expect({ seqs: records.map((r) => r.seq), linked: fourth.prevHash === records[2]?.hash }).toEqual({
      seqs: [1, 2, 3, 4],
      linked: true,
    });
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 4, head: fourth.hash });
  });

  it("refuses an empty type, a non-string subject and data that is not JSON", async () => {
    const log = await openAuditLog(dir);
    expect([
      await rejection(log.append("", "op", {})),
      await rejection(log.append("t", 7 as unknown as string, {})),
      await rejection(log.append("t", "op", () => 1)),
    ]).toEqual([
      { code: "record_invalid", message: "audit record type must be a non-empty string" },
      { code: "record_invalid", message: "audit subject must be a string" },
      { code: "record_invalid", message: "data is not JSON-serializable: function" },
    ]);
    expect(await log.read()).toEqual([]);
  });

  it("refuses work once closed", async () => {
    const log = await openAuditLog(dir);
    await log.close();
    expect(await rejection(log.append("t", "op", {}))).toEqual({
      code: "closed",
      message: "the audit log is closed",
    });
  });
});

describe("audit log recovery", () => {
  it("cuts a torn last line on open, reports it, and verifies clean afterwards", async () => {
    const intact = await logWithThreeRecords();
    const torn = '{"seq":4,"at":"2026-01-01T00:00:00.000Z","type":"ev';
    appendFileSync(logFile(), torn);
    const reported: AuditRecovery[] = [];
    const log = await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    expect(reported).toEqual([{ droppedBytes: Buffer.byteLength(torn), headAdvancedTo: null }]);
    expect(readFileSync(logFile(), "utf8")).toBe(intact);
    expect((await log.append("event", "op-1", { i: 4 })).seq).toBe(4);
    expect(await verifyAuditLog(dir)).toMatchObject({ ok: true, records: 4 });
  });

  it("advances a head left one record behind by a crash between the two writes", async () => {
    const lines = (await logWithThreeRecords()).split("\n");
    const second = JSON.parse(lines[1] ?? "") as { hash: string };
    const third = JSON.parse(lines[2] ?? "") as { hash: string };
    writeFileSync(headFile(), JSON.stringify({ seq: 2, hash: second.hash }));
    const reported: AuditRecovery[] = [];
    await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    expect(reported).toEqual([{ droppedBytes: 0, headAdvancedTo: 3 }]);
    expect(JSON.parse(readFileSync(headFile(), "utf8"))).toEqual({ seq: 3, hash: third.hash });
  });

  it("refuses to append to a truncated log, leaving the evidence as it is", async () => {
    const lines = (await logWithThreeRecords()).split("\n");
    const truncated = `${lines[0]}\n${lines[1]}\n`;
    writeFileSync(logFile(), truncated);
    const head = readFileSync(headFile(), "utf8");
    const log = await openAuditLog(dir);
    expect(await rejection(log.append("event", "op-1", {}))).toEqual({
      code: "corrupt",
      message:
        "refusing to append to a damaged audit log: audit.head.json records seq 3 but the log ends at seq 2; run verifyAuditLog",
    });
    expect([readFileSync(logFile(), "utf8"), readFileSync(headFile(), "utf8")]).toEqual([truncated, head]);
  });

  it("keeps a complete JSON last line that is not a record, and refuses to chain onto it", async () => {
    const intact = await logWithThreeRecords();
    appendFileSync(logFile(), '{"seq":4}\n');
    const reported: AuditRecovery[] = [];
    const log = await openAuditLog(dir, { onRecover: (recovery) => reported.push(recovery) });
    expect(await rejection(log.append("event", "op-1", {}))).toEqual({
      code: "corrupt",
      message:
        "refusing to append to a damaged audit log: the last line is not an audit record: has keys [seq], expected [at,data,hash,prevHash,seq,subject,type]; run verifyAuditLog",
    });
    expect({ content: readFileSync(logFile(), "utf8"), reported }).toEqual({
      content: `${intact}{"seq":4}\n`,
      reported: [],
    });
  });

  it("refuses to chain onto an edited last record", async () => {
    const intact = await logWithThreeRecords();
    writeFileSync(logFile(), intact.replace('{"i":3}', '{"i":33}'));
    const log = await openAuditLog(dir);
    expect(await rejection(log.append("event", "op-1", {}))).toEqual({
      code: "corrupt",
      message:
        "refusing to append to a damaged audit log: the last record (seq 3) does not match its hash; run verifyAuditLog",
    });
  });
});
