import type { HeadFile } from "./head-file.js";
import { GENESIS_HASH } from "./record-hash.js";

export type HeadCheck =
  | { kind: "match" }
  /** The head names an earlier record and agrees with it: an append or a rename was cut short. */
  | { kind: "behind"; headSeq: number }
  /** The head names records the log no longer has. */
  | { kind: "truncated"; headSeq: number }
  | { kind: "mismatch"; reason: string };

/**
 * Compare the head file with a log ending at `lastSeq`. `hashAt` gives the log's hash for a seq
 * (null when unreadable); a missing head file counts as a head at seq 0, i.e. no claim at all.
 */
export async function checkHead(
  lastSeq: number,
  headFile: HeadFile,
  hashAt: (seq: number) => string | null | Promise<string | null>,
): Promise<HeadCheck> {
  if (headFile.state === "invalid")
    return { kind: "mismatch", reason: `audit.head.json is unreadable: ${headFile.reason}` };
  const head = headFile.state === "present" ? headFile.head : { seq: 0, hash: GENESIS_HASH };
  if (head.seq > lastSeq) return { kind: "truncated", headSeq: head.seq };
  const logged = head.seq === 0 ? GENESIS_HASH : await hashAt(head.seq);
  if (logged !== head.hash) {
    return {
      kind: "mismatch",
      reason: `audit.head.json records hash ${head.hash} for seq ${head.seq} but the log has ${logged ?? "no readable record"} there`,
    };
  }
  return head.seq === lastSeq ? { kind: "match" } : { kind: "behind", headSeq: head.seq };
}
