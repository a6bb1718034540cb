// What a commit writes, worked out once for every backend: the batch is checked before any
// transaction starts (prepareBatch), then, inside the transaction and given what the database holds,
// planCommit assigns seqs, chains the audit records and finds the conflicts.
import { PUBLIC_KEY_PATTERN } from "@workspace-ops/signing";
import { assertSignedHead, signAuditHead } from "./audit/head-signature.js";
import { hashRecord } from "./audit/record-hash.js";
import { StateError } from "./errors.js";
import { jsonText } from "./json-value.js";
import { assertStreamName } from "./stream-name.js";
import type {
  ApprovalState,
  ApprovalWrite,
  AuditHead,
  AuditHeadKey,
  AuditHeadSignature,
  AuditRecord,
  Batch,
  Committed,
  LiveReservation,
  StoredRecord,
  StreamAppend,
  StreamInfo,
  UsageAmounts,
  UsageReservation,
} from "./types.js";

/** A value with the JSON text it is stored as (what reads give back is JSON.parse of that text). */
interface Json {
  value: unknown;
  text: string;
}

interface PreparedAppend extends Omit<StreamAppend, "records"> {
  records: { type: string; data: Json }[];
}

export interface PreparedBatch {
  appends: PreparedAppend[];
  approvals: ApprovalWrite[];
  usage: {
    persona: string;
    occurredAt: string;
    occurredMs: number;
    data: Json;
    entry: string | null;
    amounts: UsageAmounts;
  }[];
  reserve: (UsageReservation & { expiresMs: number })[];
  release: string[];
  audit: { type: string; subject: string; data: Json }[];
  /** The key to sign the new head with, if any. */
  signHead: AuditHeadKey | undefined;
  /** Every stream the commit appends to, and every approval it writes: what planCommit needs to know. */
  streams: string[];
  approvalIds: string[];
  /** Every reservation the commit makes, grows or drops. */
  reservationIds: string[];
}

/** Where a reservation's limit counts: a persona's usage (of one entry, or all) in a window. */
export interface UsageScope {
  key: string;
  persona: string;
  entry: string | null;
  /** Usage that occurred after this counts (and every reservation live at the commit). */
  sinceMs: number;
}

const DIMENSIONS = ["tokens", "costMicroUsd", "requests"] as const;
const NOTHING: UsageAmounts = { tokens: 0, costMicroUsd: 0, requests: 0 };

const scopeKey = (persona: string, entry: string | null, windowMs: number) =>
  JSON.stringify([persona, entry, windowMs]);

/** The sums the backend reads, inside the transaction, for the batch's reservations. */
export function usageScopes(batch: PreparedBatch, nowMs: number): UsageScope[] {
  const scopes = new Map<string, UsageScope>();
  for (const r of batch.reserve)
    for (const limit of r.limits) {
      const entry = limit.entry ?? null;
      if (entry !== null && entry !== r.entry) continue; // what is reserved on one entry adds nothing to another's
      const key = scopeKey(r.persona, entry, r.windowMs);
      scopes.set(key, { key, persona: r.persona, entry, sinceMs: nowMs - r.windowMs });
    }
  return [...scopes.values()];
}

const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

function amountsOf(value: unknown, what: string): UsageAmounts {
  const a = value as UsageAmounts;
  if (typeof a !== "object" || a === null || !DIMENSIONS.every((d) => isCount(a[d])))
    throw new StateError(
      "record_invalid",
      `${what} must be whole non-negative tokens, costMicroUsd and requests`,
    );
  return { tokens: a.tokens, costMicroUsd: a.costMicroUsd, requests: a.requests };
}

function reservationOf(r: UsageReservation): UsageReservation & { expiresMs: number } {
  const expiresMs = Date.parse(r?.expiresAt);
  if (!nonEmpty(r?.reservationId) || !nonEmpty(r.persona) || !nonEmpty(r.entry) || Number.isNaN(expiresMs))
    throw new StateError(
      "record_invalid",
      "a reservation needs a reservationId, a persona, an entry and an ISO 8601 expiresAt",
    );
  if (!(Number.isSafeInteger(r.windowMs) && r.windowMs > 0))
    throw new StateError("record_invalid", "a reservation's windowMs must be a positive integer");
  const limits = array(r.limits, "limits").map((limit) => {
    if (typeof limit !== "object" || limit === null || (limit.entry !== undefined && !nonEmpty(limit.entry)))
      throw new StateError("record_invalid", "a limit is an object whose entry, when given, is a string");
    for (const d of DIMENSIONS)
      if (limit[d] !== undefined && !isCount(limit[d]))
        throw new StateError("record_invalid", `a limit's ${d} must be a whole non-negative number`);
    return { ...limit };
  });
  return { ...r, amounts: amountsOf(r.amounts, "a reservation's amounts"), limits, expiresMs };
}

const nonEmpty = (value: unknown): value is string => typeof value === "string" && value !== "";

function array<T>(value: readonly T[] | undefined, what: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new StateError("record_invalid", `${what} must be an array`);
  return value;
}

/** Checks everything that does not depend on the database; `record_invalid` refuses the whole batch. */
export function prepareBatch(batch: Batch): PreparedBatch {
  if (typeof batch !== "object" || batch === null)
    throw new StateError("record_invalid", "a batch must be an object");
  const appends = array(batch.appends, "appends").map((append): PreparedAppend => {
    assertStreamName(append?.stream);
    const records = array(append.records, "records").map((record) => {
      if (!nonEmpty(record?.type))
        throw new StateError("record_invalid", "record type must be a non-empty string");
      return { type: record.type, data: jsonText(record.data) };
    });
    if (append.expectSeq !== undefined && !(Number.isSafeInteger(append.expectSeq) && append.expectSeq >= 1))
      throw new StateError("record_invalid", "expectSeq must be a positive integer");
    return { ...append, records };
  });
  const approvals = array(batch.approvals, "approvals").map((write) => {
    if (!nonEmpty(write?.approvalRequestId))
      throw new StateError("record_invalid", "approvalRequestId must be a non-empty string");
    if (write.op === "request") {
      assertStreamName(write.stream);
      if (!nonEmpty(write.requestedBy) || !nonEmpty(write.expiresAt))
        throw new StateError("record_invalid", "an approval request needs requestedBy and expiresAt");
    } else if (write.op !== "resolve" || !["approved", "denied", "expired"].includes(write.state)) {
      throw new StateError(
        "record_invalid",
        "an approval write is a request, or a resolve to approved, denied or expired",
      );
    }
    return write;
  });
  const usage = array(batch.usage, "usage").map((entry) => {
    const occurredMs = Date.parse(entry?.occurredAt);
    if (!nonEmpty(entry?.persona) || Number.isNaN(occurredMs))
      throw new StateError("record_invalid", "a usage record needs a persona and an ISO 8601 occurredAt");
    if (entry.entry !== undefined && !nonEmpty(entry.entry))
      throw new StateError("record_invalid", "a usage record's entry, when given, is a non-empty string");
    return {
      persona: entry.persona,
      occurredAt: entry.occurredAt,
      occurredMs,
      data: jsonText(entry.data),
      entry: entry.entry ?? null,
      amounts: entry.amounts === undefined ? NOTHING : amountsOf(entry.amounts, "a usage record's amounts"),
    };
  });
  const reserve = array(batch.reserve, "reserve").map(reservationOf);
  const release = array(batch.release, "release").map((id) => {
    if (!nonEmpty(id)) throw new StateError("record_invalid", "a reservation to release is a non-empty id");
    return id;
  });
  const reserved = new Set(reserve.map((r) => r.reservationId));
  if (reserved.size < reserve.length || release.some((id) => reserved.has(id)))
    throw new StateError("record_invalid", "a commit reserves or releases each reservation once");
  const audit = array(batch.audit, "audit").map((entry) => {
    if (!nonEmpty(entry?.type))
      throw new StateError("record_invalid", "audit record type must be a non-empty string");
    if (typeof entry.subject !== "string")
      throw new StateError("record_invalid", "audit subject must be a string");
    return { type: entry.type, subject: entry.subject, data: jsonText(entry.data) };
  });
  const key = batch.signHead;
  if (
    key !== undefined &&
    (key?.privateKey?.type !== "private" ||
      key.privateKey.asymmetricKeyType !== "ed25519" ||
      typeof key.publicKey !== "string" ||
      !PUBLIC_KEY_PATTERN.test(key.publicKey))
  )
    throw new StateError("record_invalid", "signHead must be an Ed25519 private key and its public key text");
  return {
    appends,
    approvals,
    usage,
    reserve,
    release,
    audit,
    signHead: key,
    streams: [...new Set(appends.map((a) => a.stream))],
    approvalIds: [...new Set(approvals.map((a) => a.approvalRequestId))],
    reservationIds: [...new Set([...reserved, ...release])],
  };
}

/** What the database holds that a commit depends on, read inside its transaction. */
export interface CommitState {
  head: AuditHead;
  /** The head's last signature (read only when the batch signs). */
  signature?: AuditHeadSignature | null;
  /** The stored hash of the record that signature names, when the head moved on since (needsSignedRecord). */
  hashAtSignedSeq?: string | undefined;
  /** The streams of the batch that exist, by name. */
  streams: ReadonlyMap<string, { lastSeq: number; sessionId: string | null; state: string | null }>;
  /** The approvals the batch writes that exist, by id. */
  approvals: ReadonlyMap<string, { state: ApprovalState }>;
  /** Only for a batch with reservations: */
  usage?: {
    /** The commit's time, for windows and expiry. */
    nowMs: number;
    /** Per usageScopes key: the usage in the window plus every live reservation. */
    totals: ReadonlyMap<string, UsageAmounts>;
    /** The live reservations the batch reserves or releases, by id. */
    reservations: ReadonlyMap<string, ExistingReservation>;
  };
}

export type ExistingReservation = Pick<LiveReservation, "persona" | "entry" | "amounts" | "createdAt">;

export interface ReservationRow {
  reservationId: string;
  persona: string;
  entry: string;
  tokens: number;
  costMicroUsd: number;
  requests: number;
  expiresMs: number;
  expiresAt: string;
  createdAt: string;
}

export interface RecordRow {
  stream: string;
  seq: number;
  at: string;
  type: string;
  data: string;
}

/** An existing stream's new last seq (and state, approval) after the commit. */
export interface StreamUpdate {
  stream: string;
  lastSeq: number;
  state?: string;
  approvalRequestId?: string;
  updatedAt: string;
}

export interface AuditRowOut {
  seq: number;
  at: string;
  type: string;
  subject: string;
  data: string;
  prevHash: string;
  hash: string;
}

export interface CommitPlan {
  records: RecordRow[];
  newStreams: StreamInfo[];
  updatedStreams: StreamUpdate[];
  /** Sessions touched: how many streams each gains. */
  sessions: { sessionId: string; newStreams: number; at: string }[];
  newApprovals: {
    approvalRequestId: string;
    stream: string;
    requestedBy: string;
    expiresAt: string;
    createdAt: string;
  }[];
  resolvedApprovals: {
    approvalRequestId: string;
    state: string;
    resolvedBy: string | null;
    resolvedAt: string;
  }[];
  usage: PreparedBatch["usage"];
  /** Reservations to insert or update to these totals. */
  reservations: ReservationRow[];
  released: string[];
  audit: AuditRowOut[];
  /** The audit head after the commit (unchanged when it has no audit records). */
  head: AuditHead;
  /** The new head's signature, when the batch signs and the head moved. */
  headSignature: AuditHeadSignature | undefined;
  committed: Committed;
}

/**
 * Assigns seqs and hashes (and signs the new head), or throws `conflict` / `not_found` /
 * `record_invalid` / `corrupt`: then nothing is written.
 */
export function planCommit(batch: PreparedBatch, state: CommitState, at: string): CommitPlan {
  const signing = batch.signHead !== undefined && batch.audit.length > 0 ? batch.signHead : undefined;
  if (signing) assertSignedHead(signing, state.head, state.signature ?? null, state.hashAtSignedSeq);
  const known = new Map(state.streams);
  const created = new Map<string, StreamInfo>();
  const updated = new Map<string, StreamUpdate>();
  const sessions = new Map<string, { newStreams: number }>();
  const records: RecordRow[] = [];
  const appends: StoredRecord[][] = [];
  for (const append of batch.appends) {
    const existing = known.get(append.stream);
    const first = (existing?.lastSeq ?? 0) + 1;
    if (append.expectSeq !== undefined && append.expectSeq !== first) {
      throw new StateError(
        "conflict",
        `stream ${append.stream}: expected to append at seq ${append.expectSeq}, but the next seq is ${first}`,
        { stream: append.stream, expectSeq: append.expectSeq, nextSeq: first },
      );
    }
    if (append.expectState !== undefined && existing?.state !== append.expectState) {
      throw new StateError(
        "conflict",
        `stream ${append.stream} is ${existing?.state ?? "not there"}, not ${append.expectState}`,
        { stream: append.stream, expectState: append.expectState, state: existing?.state ?? null },
      );
    }
    if (existing === undefined && append.create === undefined) {
      throw new StateError(
        "record_invalid",
        `stream ${append.stream} does not exist and the append does not create it`,
      );
    }
    const stored = append.records.map(({ type, data }, k) => ({
      seq: first + k,
      at,
      type,
      data: data.value,
    }));
    records.push(
      ...append.records.map(({ type, data }, k) => ({
        stream: append.stream,
        seq: first + k,
        at,
        type,
        data: data.text,
      })),
    );
    appends.push(stored);
    const lastSeq = first + append.records.length - 1;
    const changes = {
      ...(append.state !== undefined ? { state: append.state } : {}),
      ...(append.approvalRequestId !== undefined ? { approvalRequestId: append.approvalRequestId } : {}),
    };
    const sessionId =
      existing?.sessionId ?? created.get(append.stream)?.sessionId ?? append.create?.sessionId ?? null;
    const row = created.get(append.stream);
    if (existing === undefined && row === undefined && append.create !== undefined) {
      const { kind, sessionId: session, actor, executionId } = append.create;
      created.set(append.stream, {
        stream: append.stream,
        kind,
        sessionId: session ?? null,
        actor: actor ?? null,
        executionId: executionId ?? null,
        state: append.state ?? null,
        approvalRequestId: append.approvalRequestId ?? null,
        lastSeq,
        createdAt: at,
        updatedAt: at,
      });
      if (session) sessions.set(session, { newStreams: (sessions.get(session)?.newStreams ?? 0) + 1 });
    } else if (row !== undefined) {
      Object.assign(row, { lastSeq }, changes);
    } else {
      updated.set(append.stream, {
        ...updated.get(append.stream),
        stream: append.stream,
        lastSeq,
        updatedAt: at,
        ...changes,
      });
    }
    if (sessionId !== null && !sessions.has(sessionId)) sessions.set(sessionId, { newStreams: 0 });
    known.set(append.stream, { lastSeq, sessionId, state: append.state ?? existing?.state ?? null });
  }

  const approvalStates = new Map(state.approvals);
  const newApprovals: CommitPlan["newApprovals"] = [];
  const resolvedApprovals: CommitPlan["resolvedApprovals"] = [];
  for (const write of batch.approvals) {
    if (write.op === "request") {
      if (approvalStates.has(write.approvalRequestId))
        throw new StateError("conflict", `approval request ${write.approvalRequestId} already exists`);
      approvalStates.set(write.approvalRequestId, { state: "pending" });
      const { approvalRequestId, stream, requestedBy, expiresAt } = write;
      newApprovals.push({ approvalRequestId, stream, requestedBy, expiresAt, createdAt: at });
      continue;
    }
    const current = approvalStates.get(write.approvalRequestId);
    if (current === undefined)
      throw new StateError("not_found", `no approval request ${write.approvalRequestId}`);
    if (current.state !== "pending") {
      throw new StateError(
        "conflict",
        `approval request ${write.approvalRequestId} is ${current.state}, not pending`,
        {
          approvalRequestId: write.approvalRequestId,
          state: current.state,
        },
      );
    }
    approvalStates.set(write.approvalRequestId, { state: write.state });
    resolvedApprovals.push({
      approvalRequestId: write.approvalRequestId,
      state: write.state,
      resolvedBy: write.resolvedBy,
      resolvedAt: at,
    });
  }

  const reservations = planReservations(batch, state, at);

  const audit: AuditRecord[] = [];
  const auditRows: AuditRowOut[] = [];
  let head = state.head;
  for (const { type, subject, data } of batch.audit) {
    const chained = { seq: head.seq + 1, at, type, subject, data: data.value, prevHash: head.hash };
    const record = { ...chained, hash: hashRecord(chained) };
    audit.push(record);
    auditRows.push({ ...record, data: data.text });
    head = { seq: record.seq, hash: record.hash };
  }

  return {
    records,
    newStreams: [...created.values()],
    updatedStreams: [...updated.values()],
    sessions: [...sessions].map(([sessionId, { newStreams }]) => ({ sessionId, newStreams, at })),
    newApprovals,
    resolvedApprovals,
    usage: batch.usage,
    reservations,
    released: batch.release,
    audit: auditRows,
    head,
    headSignature: signing ? signAuditHead(head, signing) : undefined,
    committed: { at, appends, audit },
  };
}

/**
 * Checks each reservation against its limits — what the window holds, minus what the batch
 * releases, plus the batch's usage and the reservations before it — and returns the rows to write.
 */
function planReservations(batch: PreparedBatch, state: CommitState, at: string): ReservationRow[] {
  if (batch.reserve.length === 0) return [];
  if (state.usage === undefined) throw new Error("a batch with reservations needs CommitState.usage");
  const { nowMs, reservations: existing } = state.usage;
  const scopes = usageScopes(batch, nowMs);
  const totals = new Map([...state.usage.totals].map(([key, a]) => [key, { ...a }]));
  const add = (
    persona: string,
    entry: string | null,
    amounts: UsageAmounts,
    sign: 1 | -1,
    afterMs = Number.POSITIVE_INFINITY,
  ) => {
    for (const scope of scopes) {
      if (scope.persona !== persona || (scope.entry !== null && scope.entry !== entry)) continue;
      if (afterMs <= scope.sinceMs) continue;
      const total = totals.get(scope.key) ?? { ...NOTHING };
      for (const d of DIMENSIONS) total[d] += sign * amounts[d];
      totals.set(scope.key, total);
    }
  };
  for (const id of batch.release) {
    const held = existing.get(id);
    if (held) add(held.persona, held.entry, held.amounts, -1);
  }
  for (const u of batch.usage) add(u.persona, u.entry, u.amounts, 1, u.occurredMs);
  return batch.reserve.map((r) => {
    const held = existing.get(r.reservationId);
    if (held && (held.persona !== r.persona || held.entry !== r.entry))
      throw new StateError(
        "record_invalid",
        `reservation ${r.reservationId} is ${held.persona}'s on ${held.entry}, not ${r.persona}'s on ${r.entry}`,
      );
    for (const limit of r.limits) {
      const entry = limit.entry ?? null;
      if (entry !== null && entry !== r.entry) continue; // what is reserved on one entry adds nothing to another's
      const used = totals.get(scopeKey(r.persona, entry, r.windowMs)) ?? NOTHING;
      for (const d of DIMENSIONS) {
        const max = limit[d];
        if (max === undefined || used[d] + r.amounts[d] <= max) continue;
        throw new StateError(
          "limit_exceeded",
          `reservation ${r.reservationId}: persona ${r.persona}${entry ? ` on ${entry}` : ""} has used ${used[d]} ${d} in the window; ${r.amounts[d]} more would exceed ${max}`,
          {
            reservationId: r.reservationId,
            persona: r.persona,
            entry,
            dimension: d,
            used: used[d],
            requested: r.amounts[d],
            limit: max,
          },
        );
      }
    }
    add(r.persona, r.entry, r.amounts, 1);
    const before = held?.amounts ?? NOTHING;
    return {
      reservationId: r.reservationId,
      persona: r.persona,
      entry: r.entry,
      tokens: before.tokens + r.amounts.tokens,
      costMicroUsd: before.costMicroUsd + r.amounts.costMicroUsd,
      requests: before.requests + r.amounts.requests,
      expiresMs: r.expiresMs,
      expiresAt: new Date(r.expiresMs).toISOString(),
      createdAt: held?.createdAt ?? at,
    };
  });
}
