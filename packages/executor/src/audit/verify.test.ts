import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openAuditLog } from "./audit-log.js";
import { GENESIS_HASH, hashRecord } from "./record-hash.js";
import type { AuditRecord } from "./types.js";
import { verifyAuditLog } from "./verify.js";

let dir = "";
let lines: string[] = [];
let records: AuditRecord[] = [];

/** An intact 8-record log; each test damages it in one way. */
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "wsops-verify-"));
  const log = await openAuditLog(dir, { fsync: false });
  for (let i = 1; i <= 8; i++) await log.append("event", `op-${i % 3}`, { i });
  records = await log.read();
  await log.close();
  lines = readFileSync(join(dir, "audit.jsonl"), "utf8").split("\n").slice(0, -1);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeLog = (content: string[], tail = "\n") =>
  writeFileSync(join(dir, "audit.jsonl"), content.join("\n") + tail);
const writeHead = (head: unknown) => writeFileSync(join(dir, "audit.head.json"), JSON.stringify(head));
const line = (n: number) => lines[n - 1] ?? "";
const hashOf = (seq: number) => records[seq - 1]?.hash ?? "";

describe("verifyAuditLog", () => {
  it("accepts an intact log and reports its head hash", async () => {
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 8, head: hashOf(8) });
  });

  it("accepts an empty log: a missing directory, or a log opened but never written", async () => {
    expect(await verifyAuditLog(join(dir, "never-created"))).toEqual({
      ok: true,
      records: 0,
      head: GENESIS_HASH,
    });
    const empty = join(dir, "empty");
    await (await openAuditLog(empty)).close();
    expect(await verifyAuditLog(empty)).toEqual({ ok: true, records: 0, head: GENESIS_HASH });
  });

  it("names an edited record: data changed on line 5", async () => {
    writeLog(lines.map((text, i) => (i === 4 ? text.replace('"data":{"i":5}', '"data":{"i":500}') : text)));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 4,
      firstBad: {
        seq: 5,
        line: 5,
        code: "edited",
        message: "line 5 (seq 5): its content does not match its hash — the record was edited",
      },
    });
  });

  it("names an edited record whose hash was recomputed, where the chain breaks", async () => {
    const original = records[4] as AuditRecord;
    const forged = { ...original, data: { i: 500 } };
    const rehashed = { ...forged, hash: hashRecord(forged) };
    writeLog(lines.map((text, i) => (i === 4 ? JSON.stringify(rehashed) : text)));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 5,
      firstBad: {
        seq: 6,
        line: 6,
        code: "edited",
        message:
          "line 6 (seq 6): prevHash does not match the hash of seq 5 (line 5) — the chain was rewritten",
      },
    });
  });

  it("names a deleted line", async () => {
    writeLog(lines.filter((_, i) => i !== 2));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 2,
      firstBad: { seq: 4, line: 3, code: "deleted", message: "line 3 (seq 4): seq 3 is missing before it" },
    });
  });

  it("names several deleted lines, and a deleted first line", async () => {
    writeLog(lines.filter((_, i) => i !== 2 && i !== 3));
    expect((await verifyAuditLog(dir)) as unknown).toMatchObject({
      firstBad: {
        seq: 5,
        line: 3,
        code: "deleted",
        message: "line 3 (seq 5): seqs 3–4 are missing before it",
      },
    });
    writeLog(lines.slice(1));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 0,
      firstBad: { seq: 2, line: 1, code: "deleted", message: "line 1 (seq 2): seq 1 is missing before it" },
    });
  });

  it("names two swapped lines as reordered", async () => {
    writeLog([line(1), line(2), line(4), line(3), ...lines.slice(4)]);
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 2,
      firstBad: {
        seq: 4,
        line: 3,
        code: "reordered",
        message: "line 3 (seq 4): seq 3 was expected here but appears later, at line 4",
      },
    });
  });

  it("names a repeated line as reordered", async () => {
    writeLog([line(1), line(2), line(3), line(2), ...lines.slice(3)]);
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 3,
      firstBad: {
        seq: 2,
        line: 4,
        code: "reordered",
        message: "line 4 (seq 2): seq 4 was expected; seq 2 is out of order",
      },
    });
  });

  it("names a truncated file: the last 3 lines dropped", async () => {
    writeLog(lines.slice(0, 5));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 5,
      firstBad: {
        seq: 6,
        line: 6,
        code: "truncated",
        message:
          "the log ends at seq 5 (line 5) but audit.head.json records seq 8: the last 3 record(s) are missing",
      },
    });
  });

  it("names a file cut in the middle of a line as truncated", async () => {
    writeLog(lines.slice(0, 7), `\n${line(8).slice(0, 20)}`);
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 7,
      firstBad: {
        seq: 8,
        line: 8,
        code: "truncated",
        message:
          "the log ends at seq 7 (line 7) (line 8 is cut short) but audit.head.json records seq 8: the last 1 record(s) are missing",
      },
    });
  });

  it("names a malformed line", async () => {
    writeLog(lines.map((text, i) => (i === 5 ? "{not json" : text)));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 5,
      firstBad: {
        seq: null,
        line: 6,
        code: "malformed",
        message: expect.stringMatching(/^line 6 is not an audit record: not JSON \(.+\)$/),
      },
    });
  });

  it("names a line with a key the hash does not cover as malformed", async () => {
    writeLog(lines.map((text, i) => (i === 1 ? text.replace('{"seq":2,', '{"seq":2,"note":"x",') : text)));
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 1,
      firstBad: {
        seq: 2,
        line: 2,
        code: "malformed",
        message:
          "line 2 is not an audit record: has keys [at,data,hash,note,prevHash,seq,subject,type], expected [at,data,hash,prevHash,seq,subject,type]",
      },
    });
  });

  it("names an unfinished last line (a torn write the head does not count) as malformed", async () => {
    writeLog(lines, `\n{"seq":9,"at":`);
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 8,
      firstBad: {
        seq: null,
        line: 9,
        code: "malformed",
        message: "line 9 has no newline: an append was interrupted (opening the log cuts it off)",
      },
    });
  });

  it("names a head whose hash disagrees with the log", async () => {
    writeHead({ seq: 8, hash: hashOf(7) });
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 8,
      firstBad: {
        seq: 8,
        line: 8,
        code: "head_mismatch",
        message: `audit.head.json records hash ${hashOf(7)} for seq 8 but the log has ${hashOf(8)} there`,
      },
    });
  });

  it("names an unreadable head", async () => {
    writeFileSync(join(dir, "audit.head.json"), "{");
    expect(await verifyAuditLog(dir)).toEqual({
      ok: false,
      records: 8,
      firstBad: {
        seq: 8,
        line: 8,
        code: "head_mismatch",
        message: "audit.head.json is unreadable: it is not JSON",
      },
    });
  });

  it("accepts a head that lags the log and agrees with the record it names", async () => {
    writeHead({ seq: 5, hash: hashOf(5) });
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 8, head: hashOf(8) });
  });

  it("treats a missing head file as no claim (a head can be rewritten too: it is not a signature)", async () => {
    rmSync(join(dir, "audit.head.json"));
    expect(await verifyAuditLog(dir)).toEqual({ ok: true, records: 8, head: hashOf(8) });
  });
});
