// The SQLite schema, as versioned migrations: PRAGMA user_version is the number of migrations applied.
import type BetterSqlite3 from "better-sqlite3";
import { GENESIS_HASH } from "../audit/record-hash.js";
import { StateError } from "../errors.js";

const migrations: readonly string[] = [
  `
  CREATE TABLE streams (
    stream TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('tool_execution', 'operation', 'reserved')),
    session_id TEXT,
    actor TEXT,
    execution_id TEXT UNIQUE,
    state TEXT,
    approval_request_id TEXT,
    last_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX streams_by_created ON streams (created_at, stream);
  CREATE INDEX streams_by_session ON streams (session_id, created_at, stream);
  CREATE INDEX streams_by_state ON streams (state, created_at, stream);
  CREATE INDEX streams_by_actor ON streams (actor, created_at, stream);
  CREATE INDEX streams_by_kind ON streams (kind, created_at, stream);

  CREATE TABLE records (
    stream TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (stream, seq)
  ) WITHOUT ROWID;

  CREATE TABLE sessions (
    session_id TEXT PRIMARY KEY,
    streams INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX sessions_by_updated ON sessions (updated_at, session_id);

  CREATE TABLE approvals (
    approval_request_id TEXT PRIMARY KEY,
    stream TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
    requested_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT,
    resolved_by TEXT
  ) WITHOUT ROWID;
  CREATE INDEX approvals_by_state ON approvals (state, created_at, approval_request_id);
  CREATE INDEX approvals_by_stream ON approvals (stream, created_at, approval_request_id);

  CREATE TABLE claims (
    stream TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    claimed_at TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE usage (
    id INTEGER PRIMARY KEY,
    persona TEXT NOT NULL,
    occurred_ms INTEGER NOT NULL,
    occurred_at TEXT NOT NULL,
    data TEXT NOT NULL
  );
  CREATE INDEX usage_by_persona ON usage (persona, occurred_ms);

  CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    subject TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
  );
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
  `,
  // 2: the head's signature by the workspace's audit key (JSON), written with the head it signs.
  "ALTER TABLE audit_head ADD COLUMN signature TEXT;",
  // 3: usage amounts for conditional reservations. Rows written before it count as nothing for
  // reservations, which matters only for the minute around the upgrade.
  `
  ALTER TABLE usage ADD COLUMN entry TEXT;
  ALTER TABLE usage ADD COLUMN tokens INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE usage ADD COLUMN cost_micro_usd INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE usage ADD COLUMN requests INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX usage_by_entry ON usage (persona, entry, occurred_ms);

  CREATE TABLE usage_reservations (
    reservation_id TEXT PRIMARY KEY,
    persona TEXT NOT NULL,
    entry TEXT NOT NULL,
    tokens INTEGER NOT NULL,
    cost_micro_usd INTEGER NOT NULL,
    requests INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX reservations_by_persona ON usage_reservations (persona, entry, expires_ms);
  CREATE INDEX reservations_by_expiry ON usage_reservations (expires_ms);
  `,
];

/** Brings the schema up to date in one write transaction (so two processes opening at once agree). */
export function migrate(db: BetterSqlite3.Database): void {
  const version = () => db.pragma("user_version", { simple: true }) as number;
  if (version() === migrations.length) return;
  db.transaction(() => {
    const from = version();
    if (from > migrations.length) {
      throw new StateError(
        "schema_unknown",
        `the database has schema version ${from}; this version of @workspace-ops/store knows ${migrations.length}`,
      );
    }
    for (const sql of migrations.slice(from)) db.exec(sql);
    db.pragma(`user_version = ${migrations.length}`);
  }).immediate();
}
