// Model usage per session and operation. The store indexes usage by persona only, so the export reads
// the audit log's usage records once (a page at a time, in commit order) and keeps those that name a
// session or an operation: memory grows with those records (a few dozen bytes each), not with the log.
import type { Store } from "@workspace-ops/store";
import { checkContract } from "./record-check.js";
import type { StepList } from "./step-list.js";
import type { Tally } from "./tally.js";

export interface UsageEntry {
  at: string;
  usageId: string;
  tokensIn: number;
  tokensOut: number;
  costUsd: number;
}

export class UsageIndex {
  readonly #bySession = new Map<string, UsageEntry[]>();
  readonly #byOperation = new Map<string, UsageEntry[]>();

  static empty(): UsageIndex {
    return new UsageIndex();
  }

  /** Reads every `usage` record of the audit log (the executor records each UsageRecord there). */
  static async read(store: Store, tally: Tally): Promise<UsageIndex> {
    const index = new UsageIndex();
    for (let after = 0; ; ) {
      const page = await store.readAudit({ afterSeq: after, limit: 1000, type: "usage" });
      if (page.length === 0) return index;
      for (const record of page) {
        tally.records++;
        const usage = checkContract("UsageRecord", record.data);
        if (!usage.ok) {
          tally.skipRecords("invalid_record", 1, `audit seq ${record.seq}`, `usage: ${usage.detail}`);
          continue;
        }
        const u = usage.value;
        const entry: UsageEntry = {
          at: u.occurredAt,
          usageId: u.usageId,
          tokensIn: u.tokensIn,
          tokensOut: u.tokensOut,
          costUsd: u.costUsd,
        };
        if (u.sessionId) push(index.#bySession, u.sessionId, entry);
        else if (u.operationId) push(index.#byOperation, u.operationId, entry);
      }
      after = (page.at(-1) as { seq: number }).seq;
    }
  }

  ofSession(sessionId: string): readonly UsageEntry[] {
    return this.#bySession.get(sessionId) ?? [];
  }

  ofOperation(operationId: string): readonly UsageEntry[] {
    return this.#byOperation.get(operationId) ?? [];
  }
}

/** Adds a usage step per entry. */
export function addUsage(steps: StepList, entries: readonly UsageEntry[]): void {
  for (const u of entries)
    steps.add({
      at: u.at,
      type: "usage",
      tokensIn: u.tokensIn,
      tokensOut: u.tokensOut,
      costUsd: u.costUsd,
      usageId: u.usageId,
    });
}

function push(map: Map<string, UsageEntry[]>, key: string, entry: UsageEntry) {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}
