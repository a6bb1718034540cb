import { readFile } from "node:fs/promises";
import { replaceFileAtomically } from "../store/durable-fs.js";
import { HASH_PATTERN } from "./record-hash.js";

/**
 * A checkpoint: the log once reached `seq`, and its record there had `hash`. A log that ends before
 * `seq`, or disagrees about that hash, lost or rewrote records. A head that lags the log is harmless.
 */
export interface AuditHead {
  seq: number;
  hash: string;
}

export type HeadFile =
  | { state: "missing" }
  | { state: "invalid"; reason: string }
  | { state: "present"; head: AuditHead };

export async function readHeadFile(path: string): Promise<HeadFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === "ENOENT") return { state: "missing" };
    throw thrown;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { state: "invalid", reason: "it is not JSON" };
  }
  const { seq, hash } = (value ?? {}) as Record<string, unknown>;
  if (
    !Number.isSafeInteger(seq) ||
    (seq as number) < 0 ||
    typeof hash !== "string" ||
    !HASH_PATTERN.test(hash)
  ) {
    return { state: "invalid", reason: 'it is not {"seq", "hash"}' };
  }
  return { state: "present", head: { seq: seq as number, hash } };
}

/**
 * Write-temp + fsync + rename: the head is always one whole old or new value. The directory is not
 * fsynced: if a power loss undoes the rename the head merely lags, which checkHead accepts.
 */
export const writeHeadFile = (path: string, head: AuditHead, fsync: boolean): Promise<void> =>
  replaceFileAtomically(path, `${JSON.stringify({ seq: head.seq, hash: head.hash })}\n`, {
    fsyncContent: fsync,
    fsyncDirectory: false,
  });
