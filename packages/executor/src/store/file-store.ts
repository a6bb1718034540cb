import type { FileHandle } from "node:fs/promises";
import { readdir, readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { appendLines, openExisting, openForAppend, usingHandle } from "./append-file.js";
import { ensureDirectory } from "./durable-fs.js";
import { StateError } from "./errors.js";
import { withFileLock } from "./file-lock.js";
import { toJsonValue } from "./json-value.js";
import { type RecoveredTail, recoverTail, splitLines } from "./jsonl-tail.js";
import { OperationTracker } from "./operation-tracker.js";
import { parseStoredRecord, serializeStoredRecord } from "./stored-record.js";
import { assertStreamName, isStreamName } from "./stream-name.js";
import type {
  AppendOptions,
  FileStore,
  FileStoreOptions,
  NewRecord,
  StoredRecord,
  StreamRecovery,
} from "./types.js";

const STREAM_SUFFIX = ".jsonl";

/**
 * The embedded store: `<dir>/streams/<stream>.jsonl`, one StoredRecord per line, each stream guarded
 * by `<dir>/locks/<stream>.lock` so several processes can append to it at once.
 */
export async function openFileStore(dir: string, options: FileStoreOptions = {}): Promise<FileStore> {
  const root = resolve(dir);
  const fsync = options.fsync ?? true;
  await ensureDirectory(join(root, "streams"), fsync);
  await ensureDirectory(join(root, "locks"), false); // locks are never needed after a crash
  return new JsonlFileStore(root, fsync, options);
}

class JsonlFileStore implements FileStore {
  readonly #recovered: StreamRecovery[] = [];
  readonly #operations = new OperationTracker("the store");

  constructor(
    readonly dir: string,
    private readonly fsync: boolean,
    private readonly options: FileStoreOptions,
  ) {}

  get recovered(): readonly StreamRecovery[] {
    return this.#recovered;
  }

  async append(stream: string, type: string, data: unknown): Promise<StoredRecord> {
    const [record] = await this.appendMany(stream, [{ type, data }]);
    return record as StoredRecord;
  }

  appendMany(
    stream: string,
    entries: readonly NewRecord[],
    options: AppendOptions = {},
  ): Promise<StoredRecord[]> {
    return this.#operations.run(async () => {
      assertStreamName(stream);
      // Check and convert every record before taking the lock: a bad one refuses the whole batch.
      const values = checkedRecords(entries);
      if (values.length === 0) return [];
      const { expectSeq } = options;
      return this.#locked(stream, async () => {
        const handle = await openForAppend(this.#streamPath(stream), this.fsync);
        return usingHandle(handle, async () => {
          const tail = await this.#recoverTail(stream, handle);
          const first = nextSeq(stream, tail.lastLine);
          if (expectSeq !== undefined && first !== expectSeq) {
            throw new StateError(
              "conflict",
              `stream ${stream}: expected to append at seq ${expectSeq}, but the next seq is ${first}`,
              { stream, expectSeq, nextSeq: first },
            );
          }
          const at = new Date().toISOString();
          const records = values.map(({ type, data }, index) => ({ seq: first + index, at, type, data }));
          await appendLines(handle, tail.size, records.map(serializeStoredRecord).join(""), this.fsync);
          return records;
        });
      });
    });
  }

  read(stream: string): Promise<StoredRecord[]> {
    return this.#operations.run(async () => {
      assertStreamName(stream);
      const path = this.#streamPath(stream);
      return this.#locked(stream, async () => {
        const handle = await openExisting(path);
        if (handle === null) return [];
        await usingHandle(handle, (opened) => this.#recoverTail(stream, opened));
        return parseStream(stream, await readFile(path, "utf8"));
      });
    });
  }

  streams(): Promise<string[]> {
    return this.#operations.run(async () => {
      const files = await readdir(join(this.dir, "streams"));
      return files
        .filter((file) => file.endsWith(STREAM_SUFFIX))
        .map((file) => file.slice(0, -STREAM_SUFFIX.length))
        .filter(isStreamName)
        .sort();
    });
  }

  close(): Promise<void> {
    return this.#operations.close();
  }

  #streamPath(stream: string): string {
    return join(this.dir, "streams", `${stream}${STREAM_SUFFIX}`);
  }

  #locked<T>(stream: string, task: () => Promise<T>): Promise<T> {
    const lockPath = join(this.dir, "locks", `${stream}.lock`);
    const timeout = this.options.lockTimeoutMs;
    return withFileLock(lockPath, task, timeout === undefined ? {} : { timeoutMs: timeout });
  }

  /** Under the stream's lock: cut a torn tail off and report it. */
  async #recoverTail(stream: string, handle: FileHandle): Promise<RecoveredTail> {
    const tail = await recoverTail(handle, this.fsync);
    if (tail.droppedBytes > 0) {
      const recovery = { stream, droppedBytes: tail.droppedBytes };
      this.#recovered.push(recovery);
      this.options.onRecover?.(recovery);
    }
    return tail;
  }
}

/** Each record's type and its data as JSON (what will be stored), or `record_invalid`. */
function checkedRecords(entries: readonly NewRecord[]): NewRecord[] {
  if (!Array.isArray(entries)) throw new StateError("record_invalid", "records must be an array");
  return entries.map((entry: NewRecord) => {
    const { type, data } = (entry ?? {}) as Partial<NewRecord>;
    if (typeof type !== "string" || type === "") {
      throw new StateError("record_invalid", "record type must be a non-empty string");
    }
    return { type, data: toJsonValue(data) };
  });
}

/** Continue from the last record; never guess past a line that is not one. */
function nextSeq(stream: string, lastLine: string | null): number {
  if (lastLine === null) return 1;
  const last = parseStoredRecord(lastLine);
  if (last === null) {
    throw new StateError(
      "corrupt",
      `stream ${stream}: the last line is not a record; refusing to append after it`,
      {
        stream,
      },
    );
  }
  return last.seq + 1;
}

/** Every line must be a record and the seqs must run 1, 2, 3…: anything else is damage, not a tail. */
function parseStream(stream: string, text: string): StoredRecord[] {
  const { lines, unterminated } = splitLines(text);
  if (unterminated !== "") {
    throw new StateError("corrupt", `stream ${stream}: line ${lines.length + 1} has no newline`, { stream });
  }
  return lines.map((line, index) => {
    const record = parseStoredRecord(line);
    const lineNumber = index + 1;
    if (record === null) {
      throw new StateError("corrupt", `stream ${stream}: line ${lineNumber} is not a record`, {
        stream,
        line: lineNumber,
      });
    }
    if (record.seq !== lineNumber) {
      throw new StateError("corrupt", `stream ${stream}: line ${lineNumber} has seq ${record.seq}`, {
        stream,
        line: lineNumber,
      });
    }
    return record;
  });
}
