// Validation of files on disk, with the limits that keep hostile input from hurting the caller.
import { open } from "node:fs/promises";
import { type DocumentError, type DocumentResult, defaultMaxDepth, validateDocument } from "./document.js";
import type { ContractName } from "./generated/catalog.js";

/** Files larger than this are refused unread; a contract payload is a few kilobytes. */
export const defaultMaxBytes = 16 * 1024 * 1024;

export interface FileOptions {
  contract?: ContractName;
  maxBytes?: number;
  maxDepth?: number;
}

export interface FileResult extends DocumentResult {
  file: string;
  /** Set when the file could not be read at all (missing, a directory, no permission). */
  unreadable?: { code: string; message: string };
}

const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

const failed = (
  file: string,
  contract: ContractName | null,
  error: Omit<DocumentError, "line" | "column">,
) => ({
  file,
  contract,
  valid: false,
  errors: [{ ...error, line: 1, column: 1 }],
});

export async function validateFile(file: string, options: FileOptions = {}): Promise<FileResult> {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const contract = options.contract ?? null;
  let bytes: Buffer;
  try {
    const handle = await open(file, "r");
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) {
        return failed(file, contract, {
          pointer: "",
          keyword: "maxBytes",
          message: `file is ${mib(size)}; the limit is ${mib(maxBytes)} (raise it with --max-bytes)`,
        });
      }
      // Read at most one byte past the limit: the file may grow after stat.
      const buffer = Buffer.alloc(Math.min(size, maxBytes) + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length === buffer.length) break;
      }
      if (length > maxBytes) {
        return failed(file, contract, {
          pointer: "",
          keyword: "maxBytes",
          message: `file grew past the limit of ${mib(maxBytes)}`,
        });
      }
      bytes = buffer.subarray(0, length);
    } finally {
      await handle.close();
    }
  } catch (error) {
    const { code = "EIO", message } = error as NodeJS.ErrnoException;
    const reason = code === "EISDIR" ? "is a directory" : code === "ENOENT" ? "does not exist" : message;
    return {
      ...failed(file, contract, {
        pointer: "",
        keyword: "unreadable",
        message: `cannot read ${file}: ${reason}`,
      }),
      unreadable: { code, message: reason },
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return failed(file, contract, {
      pointer: "",
      keyword: "json",
      message: "not valid JSON: the file is not UTF-8 text",
    });
  }
  return { file, ...validateDocument(text, { ...options, maxDepth: options.maxDepth ?? defaultMaxDepth }) };
}
