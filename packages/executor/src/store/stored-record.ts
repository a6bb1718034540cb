import type { StoredRecord } from "./types.js";

const KEYS = ["at", "data", "seq", "type"];

/** A line's record, or null when the line is not exactly one StoredRecord. */
export function parseStoredRecord(line: string): StoredRecord | null {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  if (Object.keys(value).sort().join() !== KEYS.join()) return null;
  const { seq, at, type, data } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(seq) || (seq as number) < 1) return null;
  if (typeof at !== "string" || typeof type !== "string") return null;
  return { seq: seq as number, at, type, data };
}

export const serializeStoredRecord = (record: StoredRecord): string =>
  `${JSON.stringify({ seq: record.seq, at: record.at, type: record.type, data: record.data })}\n`;
