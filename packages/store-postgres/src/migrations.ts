// The PostgreSQL schema, as versioned migrations recorded in wsops_schema_migrations and applied under
// an advisory lock, so executors starting at the same moment on several machines agree.

import { GENESIS_HASH, StateError } from "@workspace-ops/store";
import type pg from "pg";

/** Text that is compared or ordered (ids, ISO times) sorts bytewise, whatever the database's locale. */
const key = 'text COLLATE "C"';

export const migrations: readonly string[] = [
  `
  CREATE TABLE streams (
    stream ${key} PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('tool_execution', 'operation', 'reserved')),
    session_id ${key},
    actor ${key},
    execution_id ${key} UNIQUE,
    state ${key},
    approval_request_id ${key},
    last_seq bigint NOT NULL,
    created_at ${key} NOT NULL,
    updated_at ${key} NOT NULL
  );
  CREATE INDEX streams_by_created ON streams (created_at, stream);
  CREATE INDEX streams_by_session ON streams (session_id, created_at, stream);
  CREATE INDEX streams_by_state ON streams (state, created_at, stream);
  CREATE INDEX streams_by_actor ON streams (actor, created_at, stream);
  CREATE INDEX streams_by_kind ON streams (kind, created_at, stream);

  CREATE TABLE records (
    stream ${key} NOT NULL,
    seq bigint NOT NULL,
    at text NOT NULL,
    type text NOT NULL,
    data text NOT NULL,
    PRIMARY KEY (stream, seq)
  );

  CREATE TABLE sessions (
    session_id ${key} PRIMARY KEY,
    streams bigint NOT NULL,
    created_at ${key} NOT NULL,
    updated_at ${key} NOT NULL
  );
  CREATE INDEX sessions_by_updated ON sessions (updated_at, session_id);

  CREATE TABLE approvals (
    approval_request_id ${key} PRIMARY KEY,
    stream ${key} NOT NULL,
    state text NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
    requested_by text NOT NULL,
    expires_at text NOT NULL,
    created_at ${key} NOT NULL,
    resolved_at text,
    resolved_by text
  );
  CREATE INDEX approvals_by_state ON approvals (state, created_at, approval_request_id);
  CREATE INDEX approvals_by_stream ON approvals (stream, created_at, approval_request_id);

  CREATE TABLE claims (
    stream ${key} PRIMARY KEY,
    host text NOT NULL,
    pid integer NOT NULL,
    claimed_at text NOT NULL
  );

  CREATE TABLE usage (
    id bigserial PRIMARY KEY,
    persona ${key} NOT NULL,
    occurred_ms bigint NOT NULL,
    occurred_at text NOT NULL,
    data text NOT NULL
  );
  CREATE INDEX usage_by_persona ON usage (persona, occurred_ms);

  CREATE TABLE audit (
    seq bigint PRIMARY KEY,
    at text NOT NULL,
    type text NOT NULL,
    subject text NOT NULL,
    data text NOT NULL,
    prev_hash text NOT NULL,
    hash text NOT NULL
  );
  CREATE TABLE audit_head (
    id integer PRIMARY KEY CHECK (id = 1),
    seq bigint NOT NULL,
    hash text NOT NULL
  );
  INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${GENESIS_HASH}');
  `,
  // 2: the head's signature by the workspace's audit key (JSON), written with the head it signs.
  "ALTER TABLE audit_head ADD COLUMN signature text",
  // 3: usage amounts for conditional reservations. Rows written before it count as nothing for
  // reservations, which matters only for the minute around the upgrade.
  `
  ALTER TABLE usage ADD COLUMN entry ${key};
  ALTER TABLE usage ADD COLUMN tokens bigint NOT NULL DEFAULT 0;
  ALTER TABLE usage ADD COLUMN cost_micro_usd bigint NOT NULL DEFAULT 0;
  ALTER TABLE usage ADD COLUMN requests bigint NOT NULL DEFAULT 0;
  CREATE INDEX usage_by_entry ON usage (persona, entry, occurred_ms);

  CREATE TABLE usage_reservations (
    reservation_id ${key} PRIMARY KEY,
    persona ${key} NOT NULL,
    entry ${key} NOT NULL,
    tokens bigint NOT NULL,
    cost_micro_usd bigint NOT NULL,
    requests bigint NOT NULL,
    expires_ms bigint NOT NULL,
    expires_at text NOT NULL,
    created_at ${key} NOT NULL
  );
  CREATE INDEX reservations_by_persona ON usage_reservations (persona, entry, expires_ms);
  CREATE INDEX reservations_by_expiry ON usage_reservations (expires_ms);
  `,
];

/** Any constant: the key of the advisory lock migrations take. */
const MIGRATION_LOCK = 0x77_73_6f_70;

const latestVersion = async (client: pg.ClientBase): Promise<number | null> => {
  try {
    const { rows } = await client.query<{ version: number | null }>(
      "SELECT max(version) AS version FROM wsops_schema_migrations",
    );
    return rows[0]?.version ?? 0;
  } catch (thrown) {
    if ((thrown as { code?: string }).code === "42P01") return null; // no such table yet
    throw thrown;
  }
};

/**
 * Brings the schema (`schema`, created when missing, else the connection's search_path) up to date;
 * a no-op read when it is. Concurrent openers queue on an advisory lock (CREATE SCHEMA IF NOT EXISTS
 * alone is not safe against a concurrent one).
 */
export async function migrate(client: pg.ClientBase, schema: string | null = null): Promise<void> {
  const current = await latestVersion(client);
  if (current === migrations.length) return;
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
    if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${client.escapeIdentifier(schema)}`);
    await client.query(
      "CREATE TABLE IF NOT EXISTS wsops_schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const from = (await latestVersion(client)) ?? 0;
    if (from > migrations.length) {
      throw new StateError(
        "schema_unknown",
        `the database has schema version ${from}; this version of @workspace-ops/store-postgres knows ${migrations.length}`,
      );
    }
    for (const [index, sql] of migrations.entries()) {
      if (index < from) continue;
      await client.query(sql);
      await client.query("INSERT INTO wsops_schema_migrations (version) VALUES ($1)", [index + 1]);
    }
    await client.query("COMMIT");
  } catch (thrown) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw thrown;
  }
}
