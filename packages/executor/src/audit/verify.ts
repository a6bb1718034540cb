import { readFile } from "node:fs/promises";
import { splitLines } from "../store/jsonl-tail.js";
import { type ParsedLine, parseAuditLine } from "./audit-record.js";
import { checkHead } from "./head-check.js";
import { readHeadFile } from "./head-file.js";
import { auditPaths } from "./layout.js";
import { GENESIS_HASH, hashRecord } from "./record-hash.js";
import type { AuditDefect, AuditRecord, AuditVerification } from "./types.js";

type FirstBad = Extract<AuditVerification, { ok: false }>["firstBad"];

/**
 * Check every record's hash, the chain, the sequence and the head file, and name the first thing
 * wrong. Read-only and lock-free, so it also works on a copy of the directory.
 * A head behind the log is accepted (a crash between an append's two writes leaves one); a head
 * beyond it, or disagreeing with the record it names, is not.
 */
export async function verifyAuditLog(dir: string): Promise<AuditVerification> {
  const paths = auditPaths(dir);
  const { lines, unterminated } = splitLines(await readIfPresent(paths.log));
  const parsed = lines.map(parseAuditLine);
  let previous: AuditRecord | null = null;
  for (const [index, line] of parsed.entries()) {
    const at = index + 1;
    const firstBad = line.ok
      ? findDefect(line.record, at, previous, parsed)
      : bad(line.seq, at, "malformed", `line ${at} is not an audit record: ${line.reason}`);
    if (firstBad !== null) return { ok: false, records: index, firstBad };
    if (line.ok) previous = line.record;
  }
  const records = parsed.length;
  const lastLine = records;
  const lastSeq = previous?.seq ?? 0;
  const verified = parsed.flatMap((line) => (line.ok ? [line.record] : []));
  const head = await checkHead(
    lastSeq,
    await readHeadFile(paths.head),
    (seq) => verified[seq - 1]?.hash ?? null,
  );
  if (head.kind === "truncated") {
    const missing = head.headSeq - lastSeq;
    const partial = unterminated === "" ? "" : ` (line ${lastLine + 1} is cut short)`;
    const message = `the log ends at seq ${lastSeq} (line ${lastLine})${partial} but audit.head.json records seq ${head.headSeq}: the last ${missing} record(s) are missing`;
    return { ok: false, records, firstBad: bad(lastSeq + 1, lastLine + 1, "truncated", message) };
  }
  if (unterminated !== "") {
    const message = `line ${lastLine + 1} has no newline: an append was interrupted (opening the log cuts it off)`;
    return { ok: false, records, firstBad: bad(null, lastLine + 1, "malformed", message) };
  }
  if (head.kind === "mismatch") {
    return {
      ok: false,
      records,
      firstBad: bad(previous?.seq ?? null, lastLine, "head_mismatch", head.reason),
    };
  }
  return { ok: true, records, head: previous?.hash ?? GENESIS_HASH };
}

/** What is wrong with the record on line `at`, given the one before it; null when nothing. */
function findDefect(
  record: AuditRecord,
  at: number,
  previous: AuditRecord | null,
  all: readonly ParsedLine[],
): FirstBad | null {
  const where = `line ${at} (seq ${record.seq})`;
  if (hashRecord(record) !== record.hash) {
    return bad(
      record.seq,
      at,
      "edited",
      `${where}: its content does not match its hash — the record was edited`,
    );
  }
  const expected = (previous?.seq ?? 0) + 1;
  if (record.seq > expected) {
    const laterAt = all.findIndex((other, j) => j >= at && other.ok && other.record.seq === expected);
    if (laterAt >= 0) {
      const message = `${where}: seq ${expected} was expected here but appears later, at line ${laterAt + 1}`;
      return bad(record.seq, at, "reordered", message);
    }
    const missing =
      record.seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}–${record.seq - 1} are`;
    return bad(record.seq, at, "deleted", `${where}: ${missing} missing before it`);
  }
  if (record.seq < expected) {
    return bad(
      record.seq,
      at,
      "reordered",
      `${where}: seq ${expected} was expected; seq ${record.seq} is out of order`,
    );
  }
  if (record.prevHash !== (previous?.hash ?? GENESIS_HASH)) {
    const link = previous === null ? "the genesis hash" : `the hash of seq ${previous.seq} (line ${at - 1})`;
    return bad(
      record.seq,
      at,
      "edited",
      `${where}: prevHash does not match ${link} — the chain was rewritten`,
    );
  }
  return null;
}

const bad = (seq: number | null, line: number, code: AuditDefect, message: string): FirstBad => ({
  seq,
  line,
  code,
  message,
});

async function readIfPresent(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return "";
    throw thrown;
  }
}
