// The embedded Store: one SQLite database file (WAL), shared by every process on the machine.
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import Database from "better-sqlite3";
import { type AuditRow, auditFromRow, parseAuditRow } from "../audit/audit-fields.js";
import { assertChainEnd } from "../audit/chain-end.js";
import { needsSignedRecord, parseHeadSignature } from "../audit/head-signature.js";
import { type AuditSnapshot, exportSnapshot, verifySnapshot } from "../audit/snapshot.js";
import { ownerIsGone } from "../claims.js";
import {
  type CommitPlan,
  type ExistingReservation,
  planCommit,
  prepareBatch,
  usageScopes,
} from "../commit-plan.js";
import { StateError } from "../errors.js";
import { OperationTracker } from "../operation-tracker.js";
import {
  type ApprovalRowIn,
  approvalFromRow,
  approvalListing,
  pageLimit,
  type RecordRowIn,
  type ReservationRowIn,
  recordFromRow,
  reservationFromRow,
  type SessionRowIn,
  type StreamRowIn,
  sessionFromRow,
  sessionListing,
  streamFromRow,
  streamListing,
} from "../rows.js";
import { assertStreamName } from "../stream-name.js";
import type {
  ApprovalFilter,
  ApprovalInfo,
  ApprovalState,
  AuditHead,
  AuditRecord,
  AuditVerification,
  Batch,
  ClaimOwner,
  Committed,
  Durability,
  LiveReservation,
  SessionFilter,
  SessionInfo,
  Store,
  StoredRecord,
  StreamFilter,
  StreamInfo,
  UsageAmounts,
  VerifyOptions,
} from "../types.js";
import { migrate } from "./schema.js";

export interface SqliteStoreOptions {
  /** Default `full`: synchronous=FULL (every commit fsynced); `relaxed`: synchronous=NORMAL. */
  durability?: Durability;
  /** How long a commit waits for other processes' write transactions. Default 10 s. */
  busyTimeoutMs?: number;
  /** How often a watched store looks for commits of other processes (PRAGMA data_version). Default 10 ms. */
  pollMs?: number;
}

export const DEFAULT_POLL_MS = 10;

/** Opens (creating it and its directory when missing) the database at `path` and brings its schema up to date. */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const file = resolve(path);
  const durability = options.durability ?? "full";
  const timeout = options.busyTimeoutMs ?? 10_000;
  mkdirSync(dirname(file), { recursive: true });
  let db: Database.Database;
  try {
    // SQLite's own busy handler would sleep in growing steps (up to 100 ms) with the event loop
    // blocked; opening waits with it, everything after retries from JavaScript instead (#run).
    db = new Database(file, { timeout });
    db.pragma("journal_mode = WAL");
    db.pragma(`synchronous = ${durability === "full" ? "FULL" : "NORMAL"}`);
    migrate(db);
    db.pragma("busy_timeout = 0");
  } catch (thrown) {
    throw asStateError(thrown, `cannot open the SQLite store ${file}`);
  }
  return new SqliteStore(db, file, durability, timeout, options.pollMs ?? DEFAULT_POLL_MS);
}

const isBusy = (thrown: unknown) => /^SQLITE_(BUSY|LOCKED)/.test((thrown as { code?: string })?.code ?? "");

const STREAM_COLUMNS =
  "stream, kind, session_id, actor, execution_id, state, approval_request_id, last_seq, created_at, updated_at";
const RESERVATION_COLUMNS =
  "reservation_id, persona, entry, tokens, cost_micro_usd, requests, expires_at, created_at";
const APPROVAL_COLUMNS =
  "approval_request_id, stream, state, requested_by, expires_at, created_at, resolved_at, resolved_by";

function statements(db: Database.Database) {
  return {
    head: db.prepare<[], AuditHead>("SELECT seq, hash FROM audit_head WHERE id = 1"),
    headSignature: db.prepare<[], string | null>("SELECT signature FROM audit_head WHERE id = 1").pluck(),
    auditHash: db.prepare<[number], string>("SELECT hash FROM audit WHERE seq = ?").pluck(),
    lastAudit: db.prepare<[], AuditRow>("SELECT * FROM audit ORDER BY seq DESC LIMIT 1"),
    streamState: db.prepare<[string], { last_seq: number; session_id: string | null; state: string | null }>(
      "SELECT last_seq, session_id, state FROM streams WHERE stream = ?",
    ),
    approvalState: db.prepare<[string], { state: ApprovalState }>(
      "SELECT state FROM approvals WHERE approval_request_id = ?",
    ),
    insertRecord: db.prepare("INSERT INTO records (stream, seq, at, type, data) VALUES (?, ?, ?, ?, ?)"),
    insertStream: db.prepare(
      `INSERT INTO streams (${STREAM_COLUMNS}) VALUES (@stream, @kind, @sessionId, @actor, @executionId, @state, @approvalRequestId, @lastSeq, @createdAt, @updatedAt)`,
    ),
    updateStream: db.prepare(
      "UPDATE streams SET last_seq = ?, updated_at = ?, state = coalesce(?, state), approval_request_id = coalesce(?, approval_request_id) WHERE stream = ?",
    ),
    upsertSession: db.prepare(
      "INSERT INTO sessions (session_id, streams, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET streams = streams + excluded.streams, updated_at = excluded.updated_at",
    ),
    insertApproval: db.prepare(
      "INSERT INTO approvals (approval_request_id, stream, state, requested_by, expires_at, created_at) VALUES (?, ?, 'pending', ?, ?, ?)",
    ),
    resolveApproval: db.prepare(
      "UPDATE approvals SET state = ?, resolved_by = ?, resolved_at = ? WHERE approval_request_id = ? AND state = 'pending'",
    ),
    insertUsage: db.prepare(
      "INSERT INTO usage (persona, occurred_ms, occurred_at, data, entry, tokens, cost_micro_usd, requests) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    ),
    dropExpired: db.prepare("DELETE FROM usage_reservations WHERE expires_ms <= ?"),
    usageTotal: db.prepare<[{ persona: string; since: number; now: number }], UsageAmounts>(
      `SELECT coalesce(sum(tokens), 0) AS tokens, coalesce(sum(cost_micro_usd), 0) AS costMicroUsd, coalesce(sum(requests), 0) AS requests
       FROM (SELECT tokens, cost_micro_usd, requests FROM usage WHERE persona = @persona AND occurred_ms > @since
             UNION ALL SELECT tokens, cost_micro_usd, requests FROM usage_reservations WHERE persona = @persona AND expires_ms > @now)`,
    ),
    entryUsageTotal: db.prepare<
      [{ persona: string; since: number; now: number; entry: string }],
      UsageAmounts
    >(
      `SELECT coalesce(sum(tokens), 0) AS tokens, coalesce(sum(cost_micro_usd), 0) AS costMicroUsd, coalesce(sum(requests), 0) AS requests
       FROM (SELECT tokens, cost_micro_usd, requests FROM usage WHERE persona = @persona AND entry = @entry AND occurred_ms > @since
             UNION ALL SELECT tokens, cost_micro_usd, requests FROM usage_reservations WHERE persona = @persona AND entry = @entry AND expires_ms > @now)`,
    ),
    reservation: db.prepare<[string], ReservationRowIn>(
      `SELECT ${RESERVATION_COLUMNS} FROM usage_reservations WHERE reservation_id = ?`,
    ),
    liveReservations: db.prepare<[string, number], ReservationRowIn>(
      `SELECT ${RESERVATION_COLUMNS} FROM usage_reservations WHERE persona = ? AND expires_ms > ? ORDER BY created_at, reservation_id`,
    ),
    upsertReservation: db.prepare(
      `INSERT INTO usage_reservations (reservation_id, persona, entry, tokens, cost_micro_usd, requests, expires_ms, expires_at, created_at)
       VALUES (@reservationId, @persona, @entry, @tokens, @costMicroUsd, @requests, @expiresMs, @expiresAt, @createdAt)
       ON CONFLICT (reservation_id) DO UPDATE SET tokens = excluded.tokens, cost_micro_usd = excluded.cost_micro_usd,
         requests = excluded.requests, expires_ms = excluded.expires_ms, expires_at = excluded.expires_at`,
    ),
    releaseReservation: db.prepare("DELETE FROM usage_reservations WHERE reservation_id = ?"),
    insertAudit: db.prepare(
      "INSERT INTO audit (seq, at, type, subject, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ),
    updateHead: db.prepare("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1"),
    updateHeadSigned: db.prepare("UPDATE audit_head SET seq = ?, hash = ?, signature = ? WHERE id = 1"),
    records: db.prepare<[string, number], RecordRowIn>(
      "SELECT seq, at, type, data FROM records WHERE stream = ? AND seq > ? ORDER BY seq",
    ),
    stream: db.prepare<[string], StreamRowIn>(`SELECT ${STREAM_COLUMNS} FROM streams WHERE stream = ?`),
    approval: db.prepare<[string], ApprovalRowIn>(
      `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE approval_request_id = ?`,
    ),
    usageSince: db.prepare<[string, number], { data: string }>(
      "SELECT data FROM usage WHERE persona = ? AND occurred_ms >= ? ORDER BY occurred_ms, id",
    ),
    claim: db.prepare(
      "INSERT INTO claims (stream, host, pid, claimed_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    claimOwner: db.prepare<[string], ClaimOwner>("SELECT host, pid FROM claims WHERE stream = ?"),
    takeOver: db.prepare(
      "UPDATE claims SET host = ?, pid = ?, claimed_at = ? WHERE stream = ? AND host = ? AND pid = ?",
    ),
    release: db.prepare("DELETE FROM claims WHERE stream = ? AND host = ? AND pid = ?"),
    audit: db.prepare<[number, number], AuditRow>("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?"),
    auditOfType: db.prepare<[number, string, number], AuditRow>(
      "SELECT * FROM audit WHERE seq > ? AND type = ? ORDER BY seq LIMIT ?",
    ),
    dataVersion: db.prepare<[], number>("PRAGMA data_version").pluck(),
  };
}

class SqliteStore implements Store {
  readonly backend = "sqlite";
  readonly #operations = new OperationTracker("the store");
  readonly #s: ReturnType<typeof statements>;
  readonly #listeners = new Set<() => void>();
  #poller: NodeJS.Timeout | null = null;
  #dataVersion = 0;

  constructor(
    readonly db: Database.Database,
    readonly location: string,
    readonly durability: Durability,
    private readonly busyTimeoutMs: number,
    private readonly pollMs: number,
  ) {
    this.#s = statements(db);
  }

  commit(batch: Batch): Promise<Committed> {
    return this.#run(() => {
      const prepared = prepareBatch(batch);
      const plan = this.db.transaction(() => this.#apply(prepared)).immediate();
      this.#changed();
      return plan.committed;
    }, "commit");
  }

  /** Inside the write transaction: read what the commit depends on, plan it, write it. */
  #apply(prepared: ReturnType<typeof prepareBatch>): CommitPlan {
    const s = this.#s;
    const head = s.head.get() as AuditHead;
    if (prepared.audit.length > 0) assertChainEnd(head, s.lastAudit.get());
    const streams = new Map<string, { lastSeq: number; sessionId: string | null; state: string | null }>();
    for (const name of prepared.streams) {
      const row = s.streamState.get(name);
      if (row) streams.set(name, { lastSeq: row.last_seq, sessionId: row.session_id, state: row.state });
    }
    const approvals = new Map<string, { state: ApprovalState }>();
    for (const id of prepared.approvalIds) {
      const row = s.approvalState.get(id);
      if (row) approvals.set(id, row);
    }
    const signature = prepared.signHead ? parseHeadSignature(s.headSignature.get()) : null;
    const hashAtSignedSeq =
      signature && needsSignedRecord(head, signature) ? s.auditHash.get(signature.seq) : undefined;
    const plan = planCommit(
      prepared,
      { head, streams, approvals, signature, hashAtSignedSeq, ...this.#usageState(prepared) },
      new Date().toISOString(),
    );
    for (const r of plan.records) s.insertRecord.run(r.stream, r.seq, r.at, r.type, r.data);
    for (const row of plan.newStreams) s.insertStream.run(row);
    for (const u of plan.updatedStreams)
      s.updateStream.run(u.lastSeq, u.updatedAt, u.state ?? null, u.approvalRequestId ?? null, u.stream);
    for (const x of plan.sessions) s.upsertSession.run(x.sessionId, x.newStreams, x.at, x.at);
    for (const a of plan.newApprovals)
      s.insertApproval.run(a.approvalRequestId, a.stream, a.requestedBy, a.expiresAt, a.createdAt);
    for (const a of plan.resolvedApprovals)
      s.resolveApproval.run(a.state, a.resolvedBy, a.resolvedAt, a.approvalRequestId);
    for (const u of plan.usage)
      s.insertUsage.run(
        u.persona,
        u.occurredMs,
        u.occurredAt,
        u.data.text,
        u.entry,
        u.amounts.tokens,
        u.amounts.costMicroUsd,
        u.amounts.requests,
      );
    for (const id of plan.released) s.releaseReservation.run(id);
    for (const r of plan.reservations) s.upsertReservation.run(r);
    for (const a of plan.audit) s.insertAudit.run(a.seq, a.at, a.type, a.subject, a.data, a.prevHash, a.hash);
    if (plan.headSignature)
      s.updateHeadSigned.run(plan.head.seq, plan.head.hash, JSON.stringify(plan.headSignature));
    else if (plan.audit.length > 0) s.updateHead.run(plan.head.seq, plan.head.hash);
    return plan;
  }

  /** What the batch's reservations are checked against, after dropping the expired ones. */
  #usageState(prepared: ReturnType<typeof prepareBatch>) {
    if (prepared.reserve.length === 0) return {};
    const s = this.#s;
    const nowMs = Date.now();
    s.dropExpired.run(nowMs);
    const totals = new Map<string, UsageAmounts>();
    for (const { key, persona, entry, sinceMs } of usageScopes(prepared, nowMs)) {
      const where = { persona, since: sinceMs, now: nowMs };
      totals.set(
        key,
        (entry === null
          ? s.usageTotal.get(where)
          : s.entryUsageTotal.get({ ...where, entry })) as UsageAmounts,
      );
    }
    const reservations = new Map<string, ExistingReservation>();
    for (const id of prepared.reservationIds) {
      const row = s.reservation.get(id);
      if (row) reservations.set(id, reservationFromRow(row));
    }
    return { usage: { nowMs, totals, reservations } };
  }

  read(stream: string, options: { afterSeq?: number } = {}): Promise<StoredRecord[]> {
    return this.#run(() => {
      assertStreamName(stream);
      return this.#s.records.all(stream, options.afterSeq ?? 0).map(recordFromRow);
    });
  }

  stream(stream: string): Promise<StreamInfo | null> {
    return this.#run(() => {
      const row = this.#s.stream.get(stream);
      return row ? streamFromRow(row) : null;
    });
  }

  listStreams(filter: StreamFilter = {}): Promise<StreamInfo[]> {
    return this.#run(() => {
      const { where, params, limit } = streamListing(filter, () => "?");
      const sql = `SELECT ${STREAM_COLUMNS} FROM streams ${where} ORDER BY created_at DESC, stream DESC LIMIT ?`;
      return this.db
        .prepare<unknown[], StreamRowIn>(sql)
        .all(...params, limit)
        .map(streamFromRow);
    });
  }

  listSessions(filter: SessionFilter = {}): Promise<SessionInfo[]> {
    return this.#run(() => {
      const { where, params, limit } = sessionListing(filter, () => "?");
      const sql = `SELECT session_id, streams, created_at, updated_at FROM sessions ${where} ORDER BY updated_at DESC, session_id DESC LIMIT ?`;
      return this.db
        .prepare<unknown[], SessionRowIn>(sql)
        .all(...params, limit)
        .map(sessionFromRow);
    });
  }

  approval(approvalRequestId: string): Promise<ApprovalInfo | null> {
    return this.#run(() => {
      const row = this.#s.approval.get(approvalRequestId);
      return row ? approvalFromRow(row) : null;
    });
  }

  listApprovals(filter: ApprovalFilter = {}): Promise<ApprovalInfo[]> {
    return this.#run(() => {
      const { where, params, limit } = approvalListing(filter, () => "?");
      const sql = `SELECT ${APPROVAL_COLUMNS} FROM approvals ${where} ORDER BY created_at DESC, approval_request_id DESC LIMIT ?`;
      return this.db
        .prepare<unknown[], ApprovalRowIn>(sql)
        .all(...params, limit)
        .map(approvalFromRow);
    });
  }

  usageSince(persona: string, since: Date): Promise<unknown[]> {
    return this.#run(() =>
      this.#s.usageSince.all(persona, since.getTime()).map((row) => JSON.parse(row.data)),
    );
  }

  reservations(persona: string, at = new Date()): Promise<LiveReservation[]> {
    return this.#run(() => this.#s.liveReservations.all(persona, at.getTime()).map(reservationFromRow));
  }

  claim(stream: string, owner: ClaimOwner): Promise<boolean> {
    return this.#run(() => {
      assertStreamName(stream);
      const claimed = this.db.transaction(() => {
        const at = new Date().toISOString();
        if (this.#s.claim.run(stream, owner.host, owner.pid, at).changes === 1) return true;
        const holder = this.#s.claimOwner.get(stream);
        if (holder === undefined || !ownerIsGone(holder, owner.host)) return false;
        return this.#s.takeOver.run(owner.host, owner.pid, at, stream, holder.host, holder.pid).changes === 1;
      });
      return claimed.immediate();
    });
  }

  release(stream: string, owner: ClaimOwner): Promise<void> {
    return this.#run(() => {
      this.#s.release.run(stream, owner.host, owner.pid);
    });
  }

  auditHead(): Promise<AuditHead> {
    return this.#run(() => this.#s.head.get() as AuditHead);
  }

  readAudit(options: { afterSeq?: number; limit?: number; type?: string } = {}): Promise<AuditRecord[]> {
    return this.#run(() => {
      const limit = pageLimit(options.limit, 1000);
      const rows =
        options.type === undefined
          ? this.#s.audit.all(options.afterSeq ?? 0, limit)
          : this.#s.auditOfType.all(options.afterSeq ?? 0, options.type, limit);
      return rows.map(auditFromRow);
    });
  }

  verifyAudit(options: VerifyOptions = {}): Promise<AuditVerification> {
    return this.#run(() => this.#withSnapshot((snapshot) => verifySnapshot(snapshot, options)));
  }

  async *exportAudit(exportedAt = new Date()): AsyncGenerator<string> {
    // A dedicated read connection holds one snapshot for the whole export.
    const reader = this.#openReader();
    try {
      yield* exportSnapshot(this.#snapshotOf(reader), exportedAt);
    } finally {
      this.#closeReader(reader);
    }
  }

  watch(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#poller === null && this.db.open) {
      this.#dataVersion = this.#s.dataVersion.get() as number;
      this.#poller = setInterval(() => this.#poll(), this.pollMs);
      this.#poller.unref(); // a watcher that waits keeps the process alive with its own timer
    }
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0 && this.#poller !== null) {
        clearInterval(this.#poller);
        this.#poller = null;
      }
    };
  }

  async close(): Promise<void> {
    await this.#operations.close();
    if (this.#poller !== null) clearInterval(this.#poller);
    this.#poller = null;
    this.#listeners.clear();
    if (this.db.open) this.db.close();
  }

  /** Another connection committed since the last look: tell the watchers. */
  #poll(): void {
    if (!this.db.open) return;
    let version: number;
    try {
      version = this.#s.dataVersion.get() as number;
    } catch {
      return; // busy for a moment: look again next time
    }
    if (version === this.#dataVersion) return;
    this.#dataVersion = version;
    this.#changed();
  }

  /** This connection committed (or another one did): every watcher looks again. */
  #changed(): void {
    for (const listener of [...this.#listeners]) queueMicrotask(listener);
  }

  /**
   * Runs `work` (a read, or a whole write transaction), trying again while another process holds the
   * database: at once, then after short random sleeps, for at most the busy timeout.
   */
  #run<T>(work: () => T | Promise<T>, what = "read"): Promise<T> {
    return this.#operations.run(async () => {
      const deadline = performance.now() + this.busyTimeoutMs;
      for (let attempt = 0; ; attempt++) {
        try {
          return await work();
        } catch (thrown) {
          if (!isBusy(thrown) || performance.now() >= deadline)
            throw asStateError(thrown, `SQLite ${what} failed`);
        }
        await (attempt < 2
          ? new Promise((resolve) => setImmediate(resolve))
          : sleep(Math.ceil(Math.random() * Math.min(attempt, 4))));
      }
    });
  }

  #openReader(): Database.Database {
    const reader = new Database(this.location, {
      readonly: true,
      fileMustExist: true,
      timeout: this.busyTimeoutMs,
    });
    reader.prepare("BEGIN").run();
    return reader;
  }

  #closeReader(reader: Database.Database): void {
    if (reader.inTransaction) reader.prepare("COMMIT").run();
    reader.close();
  }

  /** The head and the records, in pages, from one read transaction of `reader`. */
  #snapshotOf(reader: Database.Database): AuditSnapshot {
    const row = reader
      .prepare<[], AuditHead & { signature: string | null }>(
        "SELECT seq, hash, signature FROM audit_head WHERE id = 1",
      )
      .get();
    const head = row ? { seq: row.seq, hash: row.hash } : { seq: -1, hash: "" };
    const page = reader.prepare<[number], AuditRow>(
      "SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT 1000",
    );
    async function* records() {
      // From the very first row, even one whose seq was set below 1 behind the store's back.
      for (let after = -Number.MAX_SAFE_INTEGER; ; ) {
        const rows = page.all(after);
        if (rows.length === 0) return;
        for (const row of rows) yield parseAuditRow(row);
        after = Number((rows.at(-1) as AuditRow).seq);
      }
    }
    return { head, signature: row?.signature ?? null, records: records() };
  }

  async #withSnapshot<T>(use: (snapshot: AuditSnapshot) => Promise<T>): Promise<T> {
    const reader = this.#openReader();
    try {
      return await use(this.#snapshotOf(reader));
    } finally {
      this.#closeReader(reader);
    }
  }
}

/** better-sqlite3 throws SqliteError with an extended result code; the callers get a StateError. */
function asStateError(thrown: unknown, what: string): unknown {
  if (thrown instanceof StateError || !(thrown instanceof Error)) return thrown;
  const code = (thrown as { code?: string }).code ?? "";
  if (isBusy(thrown))
    return new StateError(
      "busy",
      `${what}: the database stayed locked by another writer (${thrown.message})`,
    );
  if (code.startsWith("SQLITE_CONSTRAINT"))
    return new StateError("conflict", `${what}: ${thrown.message}`, { sqlite: code });
  if (code.startsWith("SQLITE_"))
    return new StateError("unavailable", `${what}: ${thrown.message}`, { sqlite: code });
  return thrown;
}
