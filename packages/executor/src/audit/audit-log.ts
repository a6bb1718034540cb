import type { FileHandle } from "node:fs/promises";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { appendLines, openForAppend, usingHandle } from "../store/append-file.js";
import { ensureDirectory } from "../store/durable-fs.js";
import { StateError } from "../store/errors.js";
import { withFileLock } from "../store/file-lock.js";
import { toJsonValue } from "../store/json-value.js";
import { type RecoveredTail, recoverTail, splitLines } from "../store/jsonl-tail.js";
import { OperationTracker } from "../store/operation-tracker.js";
import { parseAuditLine, parseAuditRecord, serializeAuditRecord } from "./audit-record.js";
import { checkHead, type HeadCheck } from "./head-check.js";
import { readHeadFile, writeHeadFile } from "./head-file.js";
import { auditPaths } from "./layout.js";
import { GENESIS_HASH, hashRecord } from "./record-hash.js";
import type { AuditLog, AuditLogOptions, AuditRecord, NewAuditRecord } from "./types.js";

/**
 * The hash-chained audit log in `dir` (`audit.jsonl` + `audit.head.json`), safe to append to from
 * several processes. Opening it repairs what a crash mid-append left: a torn line, a lagging head.
 */
export async function openAuditLog(dir: string, options: AuditLogOptions = {}): Promise<AuditLog> {
  const root = resolve(dir);
  const fsync = options.fsync ?? true;
  await ensureDirectory(root, fsync);
  const log = new FileAuditLog(root, fsync, options);
  await log.recover();
  return log;
}

/** What an operation under the lock learns about the log. */
interface LogState {
  size: number;
  /** The last record, or null for an empty log (or a last line that is not a record). */
  last: AuditRecord | null;
  /** Why appending would be wrong, or null. */
  damage: string | null;
}

class FileAuditLog implements AuditLog {
  readonly #operations = new OperationTracker("the audit log");
  readonly #paths: ReturnType<typeof auditPaths>;

  constructor(
    dir: string,
    private readonly fsync: boolean,
    private readonly options: AuditLogOptions,
  ) {
    this.#paths = auditPaths(dir);
  }

  async append(type: string, subject: string, data: unknown): Promise<AuditRecord> {
    const [record] = await this.appendMany([{ type, subject, data }]);
    return record as AuditRecord;
  }

  appendMany(entries: readonly NewAuditRecord[]): Promise<AuditRecord[]> {
    return this.#operations.run(async () => {
      // Check and convert every record before taking the lock: a bad one refuses the whole batch.
      const values = checkedRecords(entries);
      if (values.length === 0) return [];
      return this.#underLock(async (handle, { size, last, damage }) => {
        // Never chain onto a log that fails its own checks: that would bury the evidence.
        if (damage !== null) {
          throw new StateError(
            "corrupt",
            `refusing to append to a damaged audit log: ${damage}; run verifyAuditLog`,
          );
        }
        const at = new Date().toISOString();
        const records: AuditRecord[] = [];
        let previous = last;
        for (const { type, subject, data } of values) {
          const chained = {
            seq: (previous?.seq ?? 0) + 1,
            at,
            type,
            subject,
            data,
            prevHash: previous?.hash ?? GENESIS_HASH,
          };
          previous = { ...chained, hash: hashRecord(chained) };
          records.push(previous);
        }
        await appendLines(handle, size, records.map(serializeAuditRecord).join(""), this.fsync);
        // One head update for the batch: the head is a checkpoint, and naming the last record is enough.
        await this.#writeHead(previous as AuditRecord);
        return records;
      });
    });
  }

  read(): Promise<AuditRecord[]> {
    return this.#operations.run(() =>
      this.#underLock(async () => parseLog(await readFile(this.#paths.log, "utf8"))),
    );
  }

  /** Take the lock once so a crashed append is repaired now rather than by the next writer. */
  recover(): Promise<void> {
    return this.#underLock(async () => undefined);
  }

  close(): Promise<void> {
    return this.#operations.close();
  }

  /** Every operation starts the same way: lock, cut a torn tail, look at the last record and the head. */
  #underLock<T>(task: (handle: FileHandle, state: LogState) => Promise<T>): Promise<T> {
    const timeout = this.options.lockTimeoutMs;
    const locked = async () => {
      const handle = await openForAppend(this.#paths.log, this.fsync);
      return usingHandle(handle, async () =>
        task(handle, await this.#inspect(await recoverTail(handle, this.fsync))),
      );
    };
    return withFileLock(this.#paths.lock, locked, timeout === undefined ? {} : { timeoutMs: timeout });
  }

  /** Under the lock: judge the recovered tail, bring a lagging head forward, report repairs. */
  async #inspect(tail: RecoveredTail): Promise<LogState> {
    const parsed = tail.lastLine === null ? null : parseAuditLine(tail.lastLine);
    if (parsed !== null && !parsed.ok) {
      this.#report(tail.droppedBytes, null);
      return {
        size: tail.size,
        last: null,
        damage: `the last line is not an audit record: ${parsed.reason}`,
      };
    }
    const last = parsed?.record ?? null;
    const headFile = await readHeadFile(this.#paths.head);
    const head = await checkHead(last?.seq ?? 0, headFile, (seq) => this.#hashAt(seq, last));
    const damage = describeDamage(last, head);
    let headAdvancedTo: number | null = null;
    if (head.kind === "behind" && last !== null && damage === null) {
      await this.#writeHead(last);
      headAdvancedTo = last.seq;
    }
    this.#report(tail.droppedBytes, headAdvancedTo);
    return { size: tail.size, last, damage };
  }

  #report(droppedBytes: number, headAdvancedTo: number | null): void {
    if (droppedBytes > 0 || headAdvancedTo !== null)
      this.options.onRecover?.({ droppedBytes, headAdvancedTo });
  }

  /** The log's hash at `seq`: from the tail when it is that close, else by reading the log (rare). */
  async #hashAt(seq: number, last: AuditRecord | null): Promise<string | null> {
    if (last === null) return null;
    if (seq === last.seq) return last.hash;
    if (seq === last.seq - 1) return last.prevHash;
    const { lines } = splitLines(await readFile(this.#paths.log, "utf8"));
    const record = parseAuditRecord(lines[seq - 1] ?? "");
    return record?.seq === seq ? record.hash : null;
  }

  async #writeHead(record: AuditRecord): Promise<void> {
    try {
      await writeHeadFile(this.#paths.head, { seq: record.seq, hash: record.hash }, this.fsync);
    } catch (thrown) {
      // The lines are durable and chained; the head only lags, which is harmless and repaired next time.
      throw new StateError("write_failed", `seq ${record.seq} was written but its head was not: ${thrown}`);
    }
  }
}

/** Each record's type, subject and data as JSON (what will be hashed), or `record_invalid`. */
function checkedRecords(entries: readonly NewAuditRecord[]): NewAuditRecord[] {
  if (!Array.isArray(entries)) throw new StateError("record_invalid", "audit records must be an array");
  return entries.map((entry: NewAuditRecord) => {
    const { type, subject, data } = (entry ?? {}) as Partial<NewAuditRecord>;
    if (typeof type !== "string" || type === "") {
      throw new StateError("record_invalid", "audit record type must be a non-empty string");
    }
    if (typeof subject !== "string") throw new StateError("record_invalid", "audit subject must be a string");
    return { type, subject, data: toJsonValue(data) };
  });
}

/** Why appending after `last` would extend a damaged log, or null. */
function describeDamage(last: AuditRecord | null, head: HeadCheck): string | null {
  if (last !== null && hashRecord(last) !== last.hash)
    return `the last record (seq ${last.seq}) does not match its hash`;
  if (head.kind === "truncated")
    return `audit.head.json records seq ${head.headSeq} but the log ends at seq ${last?.seq ?? 0}`;
  if (head.kind === "mismatch") return head.reason;
  return null;
}

function parseLog(text: string): AuditRecord[] {
  const { lines } = splitLines(text); // under the lock, after recovery: there is no unterminated tail
  return lines.map((line, index) => {
    const record = parseAuditRecord(line);
    if (record === null || record.seq !== index + 1) {
      throw new StateError(
        "corrupt",
        `audit log line ${index + 1} is not record seq ${index + 1}; run verifyAuditLog`,
        {
          line: index + 1,
        },
      );
    }
    return record;
  });
}
