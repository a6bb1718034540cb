// Rows as both backends return them (the same column names), turned into the Store's types.
import type {
  ApprovalFilter,
  ApprovalInfo,
  ApprovalState,
  LiveReservation,
  SessionFilter,
  SessionInfo,
  StoredRecord,
  StreamFilter,
  StreamInfo,
  StreamKind,
} from "./types.js";

export interface StreamRowIn {
  stream: string;
  kind: string;
  session_id: string | null;
  actor: string | null;
  execution_id: string | null;
  state: string | null;
  approval_request_id: string | null;
  last_seq: number | string;
  created_at: string;
  updated_at: string;
}

export const streamFromRow = (row: StreamRowIn): StreamInfo => ({
  stream: row.stream,
  kind: row.kind as StreamKind,
  sessionId: row.session_id,
  actor: row.actor,
  executionId: row.execution_id,
  state: row.state,
  approvalRequestId: row.approval_request_id,
  lastSeq: Number(row.last_seq),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface ApprovalRowIn {
  approval_request_id: string;
  stream: string;
  state: string;
  requested_by: string;
  expires_at: string;
  created_at: string;
  resolved_at: string | null;
  resolved_by: string | null;
}

export const approvalFromRow = (row: ApprovalRowIn): ApprovalInfo => ({
  approvalRequestId: row.approval_request_id,
  stream: row.stream,
  state: row.state as ApprovalState,
  requestedBy: row.requested_by,
  expiresAt: row.expires_at,
  createdAt: row.created_at,
  resolvedAt: row.resolved_at,
  resolvedBy: row.resolved_by,
});

export interface SessionRowIn {
  session_id: string;
  streams: number | string;
  created_at: string;
  updated_at: string;
}

export const sessionFromRow = (row: SessionRowIn): SessionInfo => ({
  sessionId: row.session_id,
  streams: Number(row.streams),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export interface RecordRowIn {
  seq: number | string;
  at: string;
  type: string;
  data: string;
}

export const recordFromRow = (row: RecordRowIn): StoredRecord => ({
  seq: Number(row.seq),
  at: row.at,
  type: row.type,
  data: JSON.parse(row.data),
});

export interface ReservationRowIn {
  reservation_id: string;
  persona: string;
  entry: string;
  tokens: number | string;
  cost_micro_usd: number | string;
  requests: number | string;
  expires_at: string;
  created_at: string;
}

export const reservationFromRow = (row: ReservationRowIn): LiveReservation => ({
  reservationId: row.reservation_id,
  persona: row.persona,
  entry: row.entry,
  amounts: {
    tokens: Number(row.tokens),
    costMicroUsd: Number(row.cost_micro_usd),
    requests: Number(row.requests),
  },
  expiresAt: row.expires_at,
  createdAt: row.created_at,
});

/** A page size from a caller: default 100, between 1 and 1000. */
export const pageLimit = (limit: number | undefined, fallback = 100): number =>
  Math.max(1, Math.min(1000, Number.isSafeInteger(limit) ? (limit as number) : fallback));

/** WHERE clauses of equalities and parameters, with `?`-style or `$n`-style placeholders. */
function equalities(
  pairs: readonly (readonly [string, string | undefined])[],
  placeholder: (n: number) => string,
) {
  const clauses: string[] = [];
  const params: unknown[] = [];
  for (const [column, value] of pairs) {
    if (value === undefined) continue;
    params.push(value);
    clauses.push(`${column} = ${placeholder(params.length)}`);
  }
  return { clauses, params };
}

const where = (clauses: string[]) => (clauses.length ? `WHERE ${clauses.join(" AND ")}` : "");

/** The WHERE clause and parameters of a stream listing (newest first, keyset-paged by `before`). */
export function streamListing(
  filter: StreamFilter,
  placeholder: (n: number) => string,
): { where: string; params: unknown[]; limit: number } {
  const { clauses, params } = equalities(
    [
      ["kind", filter.kind],
      ["execution_id", filter.executionId],
      ["session_id", filter.sessionId],
      ["state", filter.state],
      ["actor", filter.actor],
    ],
    placeholder,
  );
  if (filter.before)
    clauses.push(
      keysetBefore(
        ["created_at", "stream"],
        [filter.before.createdAt, filter.before.stream],
        params,
        placeholder,
      ),
    );
  return { where: where(clauses), params, limit: pageLimit(filter.limit) };
}

/** `(a, b) < ($x, $y)`: the rows after a page's last one, in an order descending on (a, b). */
function keysetBefore(
  columns: readonly [string, string],
  values: readonly [string, string],
  params: unknown[],
  placeholder: (n: number) => string,
): string {
  params.push(values[0]);
  const first = placeholder(params.length);
  params.push(values[1]);
  return `(${columns[0]}, ${columns[1]}) < (${first}, ${placeholder(params.length)})`;
}

/** The WHERE clause and parameters of a session listing (most recently updated first, keyset-paged by `before`). */
export function sessionListing(
  filter: SessionFilter,
  placeholder: (n: number) => string,
): { where: string; params: unknown[]; limit: number } {
  const params: unknown[] = [];
  const clauses = filter.before
    ? [
        keysetBefore(
          ["updated_at", "session_id"],
          [filter.before.updatedAt, filter.before.sessionId],
          params,
          placeholder,
        ),
      ]
    : [];
  return { where: where(clauses), params, limit: pageLimit(filter.limit) };
}

/** The WHERE clause and parameters of an approval listing. */
export function approvalListing(
  filter: ApprovalFilter,
  placeholder: (n: number) => string,
): { where: string; params: unknown[]; limit: number } {
  const { clauses, params } = equalities(
    [
      ["state", filter.state],
      ["stream", filter.stream],
    ],
    placeholder,
  );
  return { where: where(clauses), params, limit: pageLimit(filter.limit) };
}
