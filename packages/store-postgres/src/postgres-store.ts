// The Store on PostgreSQL, for executors on several machines that share approvals, grants and one
// audit chain. Every commit locks the audit head row first, so commits are serialised and the audit
// seq order is the commit order; a commit is two round trips (lock and read; write and COMMIT).
import type { Durability, Store } from "@workspace-ops/store";
import {
  type ApprovalFilter,
  type ApprovalInfo,
  type AuditHead,
  type AuditRecord,
  type AuditVerification,
  assertStreamName,
  type Batch,
  type ClaimOwner,
  type Committed,
  type LiveReservation,
  type SessionFilter,
  type SessionInfo,
  StateError,
  type StoredRecord,
  type StreamFilter,
  type StreamInfo,
  type VerifyOptions,
} from "@workspace-ops/store";
import {
  type ApprovalRowIn,
  type AuditRow,
  type AuditSnapshot,
  approvalFromRow,
  approvalListing,
  assertChainEnd,
  auditFromRow,
  type CommitPlan,
  type ExistingReservation,
  exportSnapshot,
  needsSignedRecord,
  OperationTracker,
  ownerIsGone,
  type PreparedBatch,
  pageLimit,
  parseAuditRow,
  parseHeadSignature,
  planCommit,
  prepareBatch,
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
  type UsageScope,
  usageScopes,
  verifySnapshot,
} from "@workspace-ops/store/backend";
import pg from "pg";
import { migrate } from "./migrations.js";

export interface PostgresStoreOptions {
  /** Default `full`: synchronous_commit on; `relaxed`: synchronous_commit off. */
  durability?: Durability;
  /** Connections this store may hold at once for its queries (LISTEN takes one more). Default 4. */
  poolSize?: number;
}

const SCHEMA = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * `postgres://user[:password]@host[:port]/database[?schema=NAME]`. `schema` keeps the store's tables
 * in that schema (created when missing) instead of the connection's default search path.
 */
export function parsePostgresUrl(url: string): {
  connectionString: string;
  schema: string | null;
  location: string;
} {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StateError("unavailable", `not a postgres URL: ${url.replace(/:[^:@/]*@/, ":***@")}`);
  }
  if (parsed.protocol !== "postgres:" && parsed.protocol !== "postgresql:")
    throw new StateError("unavailable", `not a postgres:// or postgresql:// URL: ${parsed.protocol}`);
  const schema = parsed.searchParams.get("schema");
  if (schema !== null && !SCHEMA.test(schema))
    throw new StateError("unavailable", `schema ${JSON.stringify(schema)} must match ${SCHEMA.source}`);
  parsed.searchParams.delete("schema");
  const connectionString = parsed.toString();
  const shown = new URL(url);
  if (shown.password) shown.password = "***";
  return { connectionString, schema, location: shown.toString() };
}

export async function openPostgresStore(url: string, options: PostgresStoreOptions = {}): Promise<Store> {
  const { connectionString, schema, location } = parsePostgresUrl(url);
  const durability = options.durability ?? "full";
  const settings = [`-c synchronous_commit=${durability === "full" ? "on" : "off"}`];
  // Quoted: a schema may be named like a keyword ("user", "full").
  if (schema) settings.push(`-c search_path=${pg.Client.prototype.escapeIdentifier(schema)}`);
  const config: pg.ClientConfig = { connectionString, options: settings.join(" ") };
  const pool = new pg.Pool({ ...config, max: options.poolSize ?? 4 });
  pool.on("error", () => undefined); // an idle connection that dies is replaced on the next checkout
  try {
    const client = await pool.connect();
    try {
      await migrate(client, schema);
    } finally {
      client.release();
    }
  } catch (thrown) {
    await pool.end().catch(() => undefined);
    throw asStateError(thrown, `cannot open the PostgreSQL store ${location}`);
  }
  return new PostgresStore(pool, config, location, durability, schema ? `wsops_${schema}` : "wsops_changes");
}

const STREAM_COLUMNS =
  "stream, kind, session_id, actor, execution_id, state, approval_request_id, last_seq, created_at, updated_at";
const RESERVATION_COLUMNS =
  "reservation_id, persona, entry, tokens, cost_micro_usd, requests, expires_at, created_at";
const APPROVAL_COLUMNS =
  "approval_request_id, stream, state, requested_by, expires_at, created_at, resolved_at, resolved_by";

class PostgresStore implements Store {
  readonly backend = "postgres";
  readonly #operations = new OperationTracker("the store");
  readonly #listeners = new Set<() => void>();
  #listener: pg.Client | null = null;
  #reconnect: NodeJS.Timeout | null = null;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: pg.ClientConfig,
    readonly location: string,
    readonly durability: Durability,
    private readonly channel: string,
  ) {}

  commit(batch: Batch): Promise<Committed> {
    return this.#run("commit", async () => {
      const prepared = prepareBatch(batch);
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        const plan = await this.#commitOn(client, prepared);
        this.#changed();
        return plan.committed;
      } catch (thrown) {
        await client.query("ROLLBACK").catch((error: Error) => {
          broken = error;
        });
        throw thrown;
      } finally {
        client.release(broken);
      }
    });
  }

  /** Round trip 1 locks the head and reads what the commit depends on; round trip 2 writes and commits. */
  async #commitOn(client: pg.PoolClient, prepared: PreparedBatch): Promise<CommitPlan> {
    const lit = (value: unknown) =>
      client.escapeLiteral(typeof value === "string" ? value : JSON.stringify(value));
    const list = (values: string[]) => values.map(lit).join(", ");
    const nothing = "SELECT 1 WHERE false";
    const reserving = prepared.reserve.length > 0;
    // Read before the head lock is granted, and so a little early: usage a moment older counts too.
    const nowMs = Date.now();
    const scopes = reserving ? usageScopes(prepared, nowMs) : [];
    const results = (await client.query(
      [
        "BEGIN",
        "SELECT seq, hash, signature FROM audit_head WHERE id = 1 FOR UPDATE",
        // Separate statements: each sees what was committed before the head lock was granted.
        prepared.audit.length ? "SELECT * FROM audit ORDER BY seq DESC LIMIT 1" : nothing,
        prepared.streams.length
          ? `SELECT stream, last_seq, session_id, state FROM streams WHERE stream IN (${list(prepared.streams)})`
          : nothing,
        prepared.approvalIds.length
          ? `SELECT approval_request_id, state FROM approvals WHERE approval_request_id IN (${list(prepared.approvalIds)})`
          : nothing,
        reserving ? `DELETE FROM usage_reservations WHERE expires_ms <= ${nowMs}` : nothing,
        reserving ? usageTotals(scopes, nowMs, lit) : nothing,
        reserving && prepared.reservationIds.length
          ? `SELECT ${RESERVATION_COLUMNS} FROM usage_reservations WHERE reservation_id IN (${list(prepared.reservationIds)})`
          : nothing,
      ].join(";\n"),
    )) as unknown as pg.QueryResult[];
    const [, headRows, lastRows, streamRows, approvalRows, , totalRows, reservationRows] = results.map(
      (r) => r.rows,
    );
    const headRow = headRows?.[0] as { seq: string; hash: string; signature: string | null } | undefined;
    if (headRow === undefined)
      throw new StateError("corrupt", "the audit head row is missing; run wsops audit verify");
    const head: AuditHead = { seq: Number(headRow.seq), hash: headRow.hash };
    if (prepared.audit.length) assertChainEnd(head, lastRows?.[0] as AuditRow | undefined);
    const signature = prepared.signHead ? parseHeadSignature(headRow.signature) : null;
    // Only when commits without the audit key moved the head since it was signed: one more round trip.
    const hashAtSignedSeq =
      signature && needsSignedRecord(head, signature)
        ? (await client.query<{ hash: string }>("SELECT hash FROM audit WHERE seq = $1", [signature.seq]))
            .rows[0]?.hash
        : undefined;
    const plan = planCommit(
      prepared,
      {
        head,
        signature,
        hashAtSignedSeq,
        streams: new Map(
          (
            streamRows as {
              stream: string;
              last_seq: string;
              session_id: string | null;
              state: string | null;
            }[]
          ).map((r) => [r.stream, { lastSeq: Number(r.last_seq), sessionId: r.session_id, state: r.state }]),
        ),
        approvals: new Map(
          (approvalRows as { approval_request_id: string; state: ApprovalInfo["state"] }[]).map((r) => [
            r.approval_request_id,
            { state: r.state },
          ]),
        ),
        ...(reserving
          ? {
              usage: {
                nowMs,
                totals: new Map(
                  (totalRows as { scope: number; tokens: string; cost: string; requests: string }[]).map(
                    (r) => [
                      (scopes[r.scope] as { key: string }).key,
                      {
                        tokens: Number(r.tokens),
                        costMicroUsd: Number(r.cost),
                        requests: Number(r.requests),
                      },
                    ],
                  ),
                ),
                reservations: new Map<string, ExistingReservation>(
                  (reservationRows as ReservationRowIn[]).map((row) => [
                    row.reservation_id,
                    reservationFromRow(row),
                  ]),
                ),
              },
            }
          : {}),
      },
      new Date().toISOString(),
    );
    const rows = (columns: string, values: object[]) => `json_to_recordset(${lit(values)}) AS x(${columns})`;
    const writes: string[] = [];
    if (plan.records.length)
      writes.push(
        `INSERT INTO records (stream, seq, at, type, data) SELECT * FROM ${rows("stream text, seq bigint, at text, type text, data text", plan.records)}`,
      );
    if (plan.newStreams.length)
      writes.push(
        `INSERT INTO streams (${STREAM_COLUMNS}) SELECT * FROM ${rows(
          "stream text, kind text, session_id text, actor text, execution_id text, state text, approval_request_id text, last_seq bigint, created_at text, updated_at text",
          plan.newStreams.map((s) => ({
            stream: s.stream,
            kind: s.kind,
            session_id: s.sessionId,
            actor: s.actor,
            execution_id: s.executionId,
            state: s.state,
            approval_request_id: s.approvalRequestId,
            last_seq: s.lastSeq,
            created_at: s.createdAt,
            updated_at: s.updatedAt,
          })),
        )}`,
      );
    if (plan.updatedStreams.length)
      writes.push(
        `UPDATE streams AS t SET last_seq = x.last_seq, updated_at = x.updated_at, state = coalesce(x.state, t.state), approval_request_id = coalesce(x.approval_request_id, t.approval_request_id) FROM ${rows(
          "stream text, last_seq bigint, updated_at text, state text, approval_request_id text",
          plan.updatedStreams.map((u) => ({
            stream: u.stream,
            last_seq: u.lastSeq,
            updated_at: u.updatedAt,
            state: u.state ?? null,
            approval_request_id: u.approvalRequestId ?? null,
          })),
        )} WHERE t.stream = x.stream`,
      );
    if (plan.sessions.length)
      writes.push(
        `INSERT INTO sessions (session_id, streams, created_at, updated_at) SELECT session_id, streams, at, at FROM ${rows(
          "session_id text, streams bigint, at text",
          plan.sessions.map((x) => ({ session_id: x.sessionId, streams: x.newStreams, at: x.at })),
        )} ON CONFLICT (session_id) DO UPDATE SET streams = sessions.streams + excluded.streams, updated_at = excluded.updated_at`,
      );
    if (plan.newApprovals.length)
      writes.push(
        `INSERT INTO approvals (approval_request_id, stream, state, requested_by, expires_at, created_at) SELECT approval_request_id, stream, 'pending', requested_by, expires_at, created_at FROM ${rows(
          "approval_request_id text, stream text, requested_by text, expires_at text, created_at text",
          plan.newApprovals.map((a) => ({
            approval_request_id: a.approvalRequestId,
            stream: a.stream,
            requested_by: a.requestedBy,
            expires_at: a.expiresAt,
            created_at: a.createdAt,
          })),
        )}`,
      );
    for (const a of plan.resolvedApprovals)
      writes.push(
        `UPDATE approvals SET state = ${lit(a.state)}, resolved_by = ${a.resolvedBy === null ? "NULL" : lit(a.resolvedBy)}, resolved_at = ${lit(a.resolvedAt)} WHERE approval_request_id = ${lit(a.approvalRequestId)} AND state = 'pending'`,
      );
    if (plan.usage.length)
      writes.push(
        `INSERT INTO usage (persona, occurred_ms, occurred_at, data, entry, tokens, cost_micro_usd, requests) SELECT * FROM ${rows(
          "persona text, occurred_ms bigint, occurred_at text, data text, entry text, tokens bigint, cost_micro_usd bigint, requests bigint",
          plan.usage.map((u) => ({
            persona: u.persona,
            occurred_ms: u.occurredMs,
            occurred_at: u.occurredAt,
            data: u.data.text,
            entry: u.entry,
            tokens: u.amounts.tokens,
            cost_micro_usd: u.amounts.costMicroUsd,
            requests: u.amounts.requests,
          })),
        )}`,
      );
    if (plan.released.length)
      writes.push(`DELETE FROM usage_reservations WHERE reservation_id IN (${list(plan.released)})`);
    if (plan.reservations.length)
      writes.push(
        `INSERT INTO usage_reservations (reservation_id, persona, entry, tokens, cost_micro_usd, requests, expires_ms, expires_at, created_at) SELECT * FROM ${rows(
          "reservation_id text, persona text, entry text, tokens bigint, cost_micro_usd bigint, requests bigint, expires_ms bigint, expires_at text, created_at text",
          plan.reservations.map((r) => ({
            reservation_id: r.reservationId,
            persona: r.persona,
            entry: r.entry,
            tokens: r.tokens,
            cost_micro_usd: r.costMicroUsd,
            requests: r.requests,
            expires_ms: r.expiresMs,
            expires_at: r.expiresAt,
            created_at: r.createdAt,
          })),
        )} ON CONFLICT (reservation_id) DO UPDATE SET tokens = excluded.tokens, cost_micro_usd = excluded.cost_micro_usd, requests = excluded.requests, expires_ms = excluded.expires_ms, expires_at = excluded.expires_at`,
      );
    if (plan.audit.length) {
      writes.push(
        `INSERT INTO audit (seq, at, type, subject, data, prev_hash, hash) SELECT * FROM ${rows(
          "seq bigint, at text, type text, subject text, data text, prev_hash text, hash text",
          plan.audit.map((a) => ({ ...a, prev_hash: a.prevHash })),
        )}`,
        `UPDATE audit_head SET seq = ${plan.head.seq}, hash = ${lit(plan.head.hash)}${
          plan.headSignature ? `, signature = ${lit(plan.headSignature)}` : ""
        } WHERE id = 1`,
      );
    }
    // Delivered when the transaction commits, to every executor listening on this database.
    writes.push(`SELECT pg_notify(${lit(this.channel)}, ${lit(String(plan.head.seq))})`, "COMMIT");
    await client.query(writes.join(";\n"));
    return plan;
  }

  read(stream: string, options: { afterSeq?: number } = {}): Promise<StoredRecord[]> {
    return this.#run("read", async () => {
      assertStreamName(stream);
      const { rows } = await this.pool.query<RecordRowIn>(
        "SELECT seq, at, type, data FROM records WHERE stream = $1 AND seq > $2 ORDER BY seq",
        [stream, options.afterSeq ?? 0],
      );
      return rows.map(recordFromRow);
    });
  }

  stream(stream: string): Promise<StreamInfo | null> {
    return this.#run("read", async () => {
      const { rows } = await this.pool.query<StreamRowIn>(
        `SELECT ${STREAM_COLUMNS} FROM streams WHERE stream = $1`,
        [stream],
      );
      return rows[0] ? streamFromRow(rows[0]) : null;
    });
  }

  listStreams(filter: StreamFilter = {}): Promise<StreamInfo[]> {
    return this.#run("read", async () => {
      const { where, params, limit } = streamListing(filter, (n) => `$${n}`);
      const { rows } = await this.pool.query<StreamRowIn>(
        `SELECT ${STREAM_COLUMNS} FROM streams ${where} ORDER BY created_at DESC, stream DESC LIMIT $${params.length + 1}`,
        [...params, limit],
      );
      return rows.map(streamFromRow);
    });
  }

  listSessions(filter: SessionFilter = {}): Promise<SessionInfo[]> {
    return this.#run("read", async () => {
      const { where, params, limit } = sessionListing(filter, (n) => `$${n}`);
      const { rows } = await this.pool.query<SessionRowIn>(
        `SELECT session_id, streams, created_at, updated_at FROM sessions ${where} ORDER BY updated_at DESC, session_id DESC LIMIT $${params.length + 1}`,
        [...params, limit],
      );
      return rows.map(sessionFromRow);
    });
  }

  approval(approvalRequestId: string): Promise<ApprovalInfo | null> {
    return this.#run("read", async () => {
      const { rows } = await this.pool.query<ApprovalRowIn>(
        `SELECT ${APPROVAL_COLUMNS} FROM approvals WHERE approval_request_id = $1`,
        [approvalRequestId],
      );
      return rows[0] ? approvalFromRow(rows[0]) : null;
    });
  }

  listApprovals(filter: ApprovalFilter = {}): Promise<ApprovalInfo[]> {
    return this.#run("read", async () => {
      const { where, params, limit } = approvalListing(filter, (n) => `$${n}`);
      const { rows } = await this.pool.query<ApprovalRowIn>(
        `SELECT ${APPROVAL_COLUMNS} FROM approvals ${where} ORDER BY created_at DESC, approval_request_id DESC LIMIT $${params.length + 1}`,
        [...params, limit],
      );
      return rows.map(approvalFromRow);
    });
  }

  usageSince(persona: string, since: Date): Promise<unknown[]> {
    return this.#run("read", async () => {
      const { rows } = await this.pool.query<{ data: string }>(
        "SELECT data FROM usage WHERE persona = $1 AND occurred_ms >= $2 ORDER BY occurred_ms, id",
        [persona, since.getTime()],
      );
      return rows.map((row) => JSON.parse(row.data));
    });
  }

  reservations(persona: string, at = new Date()): Promise<LiveReservation[]> {
    return this.#run("read", async () => {
      const { rows } = await this.pool.query<ReservationRowIn>(
        `SELECT ${RESERVATION_COLUMNS} FROM usage_reservations WHERE persona = $1 AND expires_ms > $2 ORDER BY created_at, reservation_id`,
        [persona, at.getTime()],
      );
      return rows.map(reservationFromRow);
    });
  }

  claim(stream: string, owner: ClaimOwner): Promise<boolean> {
    return this.#run("claim", async () => {
      assertStreamName(stream);
      const at = new Date().toISOString();
      const inserted = await this.pool.query(
        "INSERT INTO claims (stream, host, pid, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        [stream, owner.host, owner.pid, at],
      );
      if (inserted.rowCount === 1) return true;
      const { rows } = await this.pool.query<ClaimOwner>("SELECT host, pid FROM claims WHERE stream = $1", [
        stream,
      ]);
      const holder = rows[0];
      if (holder === undefined || !ownerIsGone(holder, owner.host)) return false;
      // Compare-and-set: of two processes taking over the same dead claim, one wins.
      const taken = await this.pool.query(
        "UPDATE claims SET host = $1, pid = $2, claimed_at = $3 WHERE stream = $4 AND host = $5 AND pid = $6",
        [owner.host, owner.pid, at, stream, holder.host, holder.pid],
      );
      return taken.rowCount === 1;
    });
  }

  release(stream: string, owner: ClaimOwner): Promise<void> {
    return this.#run("release", async () => {
      await this.pool.query("DELETE FROM claims WHERE stream = $1 AND host = $2 AND pid = $3", [
        stream,
        owner.host,
        owner.pid,
      ]);
    });
  }

  auditHead(): Promise<AuditHead> {
    return this.#run("read", async () => {
      const { rows } = await this.pool.query<{ seq: string; hash: string }>(
        "SELECT seq, hash FROM audit_head WHERE id = 1",
      );
      const head = rows[0];
      if (!head) throw new StateError("corrupt", "the audit head row is missing; run wsops audit verify");
      return { seq: Number(head.seq), hash: head.hash };
    });
  }

  readAudit(options: { afterSeq?: number; limit?: number; type?: string } = {}): Promise<AuditRecord[]> {
    return this.#run("read", async () => {
      const limit = pageLimit(options.limit, 1000);
      const { rows } =
        options.type === undefined
          ? await this.pool.query<AuditRow>("SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT $2", [
              options.afterSeq ?? 0,
              limit,
            ])
          : await this.pool.query<AuditRow>(
              "SELECT * FROM audit WHERE seq > $1 AND type = $2 ORDER BY seq LIMIT $3",
              [options.afterSeq ?? 0, options.type, limit],
            );
      return rows.map(auditFromRow);
    });
  }

  verifyAudit(options: VerifyOptions = {}): Promise<AuditVerification> {
    return this.#run("verify", () => this.#withSnapshot((snapshot) => verifySnapshot(snapshot, options)));
  }

  async *exportAudit(exportedAt = new Date()): AsyncGenerator<string> {
    const client = await this.pool.connect().catch((thrown) => {
      throw asStateError(thrown, "PostgreSQL export failed");
    });
    try {
      yield* exportSnapshot(await this.#snapshotOn(client), exportedAt);
    } finally {
      await client.query("COMMIT").catch(() => undefined);
      client.release();
    }
  }

  watch(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) void this.#listen();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.#unlisten();
    };
  }

  async close(): Promise<void> {
    await this.#operations.close();
    this.#listeners.clear();
    this.#unlisten();
    await this.pool.end();
  }

  /**
   * One connection LISTENs while anyone watches. Once it listens — and after every reconnection —
   * the watchers are told to look again, so nothing committed before it listened is missed.
   */
  async #listen(): Promise<void> {
    const client = new pg.Client(this.config);
    this.#listener = client;
    const retry = () => {
      if (this.#listener !== client) return;
      this.#listener = null;
      client.end().catch(() => undefined);
      if (this.#listeners.size > 0 && this.#reconnect === null)
        this.#reconnect = setTimeout(() => {
          this.#reconnect = null;
          if (this.#listeners.size > 0 && this.#listener === null) void this.#listen();
        }, 200);
    };
    client.on("error", retry);
    client.on("end", retry);
    client.on("notification", () => this.#changed());
    try {
      await client.connect();
      await client.query(`LISTEN ${this.channel}`);
      if (this.#listener === client) this.#changed();
    } catch {
      retry();
    }
  }

  #unlisten(): void {
    if (this.#reconnect !== null) clearTimeout(this.#reconnect);
    this.#reconnect = null;
    const client = this.#listener;
    this.#listener = null;
    client?.end().catch(() => undefined);
  }

  #changed(): void {
    for (const listener of [...this.#listeners]) queueMicrotask(listener);
  }

  #run<T>(what: string, work: () => Promise<T>): Promise<T> {
    return this.#operations.run(async () => {
      try {
        return await work();
      } catch (thrown) {
        throw asStateError(thrown, `PostgreSQL ${what} failed`);
      }
    });
  }

  /** The head and the records, in pages, in one repeatable-read transaction on `client`. */
  async #snapshotOn(client: pg.PoolClient): Promise<AuditSnapshot> {
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const { rows } = await client.query<{ seq: string; hash: string; signature: string | null }>(
      "SELECT seq, hash, signature FROM audit_head WHERE id = 1",
    );
    const head = rows[0] ? { seq: Number(rows[0].seq), hash: rows[0].hash } : { seq: -1, hash: "" };
    async function* records() {
      // From the very first row, even one whose seq was set below 1 behind the store's back.
      for (let after = -Number.MAX_SAFE_INTEGER; ; ) {
        const page = await client.query<AuditRow>(
          "SELECT * FROM audit WHERE seq > $1 ORDER BY seq LIMIT 1000",
          [after],
        );
        if (page.rows.length === 0) return;
        for (const row of page.rows) yield parseAuditRow(row);
        after = Number((page.rows.at(-1) as AuditRow).seq);
      }
    }
    return { head, signature: rows[0]?.signature ?? null, records: records() };
  }

  async #withSnapshot<T>(use: (snapshot: AuditSnapshot) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await use(await this.#snapshotOn(client));
    } finally {
      await client.query("COMMIT").catch(() => undefined);
      client.release();
    }
  }
}

/** One statement: per scope (by its index), the usage in its window plus the live reservations. */
function usageTotals(scopes: UsageScope[], nowMs: number, lit: (value: unknown) => string): string {
  return scopes
    .map((scope, i) => {
      const entry = scope.entry === null ? "" : ` AND entry = ${lit(scope.entry)}`;
      return `SELECT ${i} AS scope, coalesce(sum(tokens), 0) AS tokens, coalesce(sum(cost_micro_usd), 0) AS cost, coalesce(sum(requests), 0) AS requests FROM (SELECT tokens, cost_micro_usd, requests FROM usage WHERE persona = ${lit(scope.persona)}${entry} AND occurred_ms > ${scope.sinceMs} UNION ALL SELECT tokens, cost_micro_usd, requests FROM usage_reservations WHERE persona = ${lit(scope.persona)}${entry} AND expires_ms > ${nowMs}) AS x`;
    })
    .join(" UNION ALL ");
}

/** PostgreSQL errors carry a SQLSTATE code; callers get a StateError. */
function asStateError(thrown: unknown, what: string): unknown {
  if (thrown instanceof StateError || !(thrown instanceof Error)) return thrown;
  const code = (thrown as { code?: string }).code ?? "";
  if (code === "23505") return new StateError("conflict", `${what}: ${thrown.message}`, { sqlstate: code });
  return new StateError("unavailable", `${what}: ${thrown.message}`, code ? { sqlstate: code } : {});
}
