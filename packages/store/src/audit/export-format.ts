// The audit export: JSON Lines that verify on their own. Line 1 is a header naming the head the
// export ends at; every further line is one audit record, in seq order, exactly as the store hashed it.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { isStateError } from "../errors.js";
import type {
  AuditHead,
  AuditHeadSignature,
  AuditRecord,
  AuditVerification,
  VerifyOptions,
} from "../types.js";
import { type ParsedAudit, parseAuditFields } from "./audit-fields.js";
import { asHeadSignature } from "./head-signature.js";
import { HASH_PATTERN } from "./record-hash.js";
import { verifyChain } from "./verify-chain.js";

export const EXPORT_FORMAT = "wsops.audit-export";
export const EXPORT_VERSION = 1;

export interface ExportHeader {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** How many record lines follow: the head's seq. */
  records: number;
  /** The last record's seq and hash. */
  head: AuditHead;
  /** The head's signature by the audit key, when the log has one (it may cover an earlier seq). */
  signature?: AuditHeadSignature;
}

export const exportHeader = (
  head: AuditHead,
  exportedAt: Date,
  signature: AuditHeadSignature | null = null,
): ExportHeader => ({
  format: EXPORT_FORMAT,
  version: EXPORT_VERSION,
  exportedAt: exportedAt.toISOString(),
  records: head.seq,
  head: { seq: head.seq, hash: head.hash },
  ...(signature ? { signature } : {}),
});

/** One record as one line, its keys in a fixed order. */
export const serializeAuditRecord = ({ seq, at, type, subject, data, prevHash, hash }: AuditRecord): string =>
  `${JSON.stringify({ seq, at, type, subject, data, prevHash, hash })}\n`;

function parseHeader(line: string | undefined): ExportHeader | string {
  if (line === undefined) return "the file is empty: line 1 must be the export header";
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return "line 1 is not JSON: it must be the export header";
  }
  const header = (value ?? {}) as Partial<ExportHeader>;
  const head = (header.head ?? {}) as Partial<AuditHead>;
  if (header.format !== EXPORT_FORMAT) return `line 1 is not a ${EXPORT_FORMAT} header`;
  if (header.version !== EXPORT_VERSION) return `export version ${String(header.version)} is not supported`;
  if (
    !Number.isSafeInteger(head.seq) ||
    (head.seq as number) < 0 ||
    typeof head.hash !== "string" ||
    !HASH_PATTERN.test(head.hash) ||
    header.records !== head.seq
  ) {
    return "the header's head must be {seq, hash} and records must equal head.seq";
  }
  if (header.signature !== undefined) {
    try {
      asHeadSignature(header.signature, "the header's signature");
    } catch (error) {
      if (isStateError(error)) return error.message.replace(/; run wsops audit verify$/, "");
      throw error;
    }
  }
  return header as ExportHeader;
}

async function* lines(path: string): AsyncGenerator<string> {
  const reader = createInterface({
    input: createReadStream(path, "utf8"),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  try {
    for await (const line of reader) yield line;
  } finally {
    reader.close();
  }
}

function parseLine(line: string): ParsedAudit {
  try {
    return parseAuditFields(JSON.parse(line));
  } catch (thrown) {
    return { ok: false, seq: null, reason: `not JSON (${(thrown as Error).message})` };
  }
}

/**
 * Verifies an export file on its own: header, then the chain up to the head the header names; with
 * `headKeys`, the header's signature too.
 */
export async function verifyExportFile(
  path: string,
  options: VerifyOptions = {},
): Promise<AuditVerification> {
  const iterator = lines(path);
  const first = await iterator.next();
  const header = parseHeader(first.done ? undefined : first.value);
  if (typeof header === "string") {
    await iterator.return(undefined);
    return {
      ok: false,
      records: 0,
      firstBad: { seq: null, position: 0, code: "malformed", message: header },
    };
  }
  async function* records(): AsyncGenerator<ParsedAudit> {
    for await (const line of iterator) yield parseLine(line);
  }
  return verifyChain(
    {
      head: header.head,
      signature: header.signature ?? null,
      records,
      positionOfSeq: async (seq) => {
        let position = 0;
        for await (const line of lines(path)) {
          if (position > 0) {
            const parsed = parseLine(line);
            if (parsed.ok && parsed.record.seq === seq) return position;
          }
          position++;
        }
        return null;
      },
    },
    options.headKeys,
  );
}
