// A session's trajectory: every tool call of the session (its streams, read a page at a time), the
// messages and metadata of its annotations, and its model usage, in time order.
import type { Trajectory } from "@workspace-ops/contracts";
import { annotationRecordType } from "@workspace-ops/executor";
import type { SessionInfo, Store, StoredRecord, StreamInfo } from "@workspace-ops/store";
import { MergedAnnotation } from "./annotations.js";
import { lineageOf, traceIdOf, trajectoryIdOf } from "./lineage.js";
import { checkContract, field, type RecordCheck } from "./record-check.js";
import { MAX_STEPS, StepList } from "./step-list.js";
import type { Tally } from "./tally.js";
import { addToolCall, type CallFacts } from "./tool-calls.js";
import { addUsage, type UsageIndex } from "./usage-index.js";

export interface BuildContext {
  store: Store;
  location: string;
  tally: Tally;
  usage: UsageIndex;
  /** How records are checked: checkContract, or assumeContract on the fast path. */
  check: RecordCheck;
}

/** A page of streams at a time, newest first. */
export async function* pagedStreams(
  store: Store,
  filter: Parameters<Store["listStreams"]>[0],
): AsyncGenerator<StreamInfo> {
  for (let before: { createdAt: string; stream: string } | undefined; ; ) {
    const page = await store.listStreams({ ...filter, limit: 1000, ...(before ? { before } : {}) });
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < 1000) return;
    before = { createdAt: last.createdAt, stream: last.stream };
  }
}

/**
 * A stream's records, or undefined (counted) when they do not parse. A store that is away or closed is
 * not a bad record: that stops the export.
 */
export async function readStream(ctx: BuildContext, info: StreamInfo): Promise<StoredRecord[] | undefined> {
  try {
    const records = await ctx.store.read(info.stream);
    ctx.tally.records += records.length;
    return records;
  } catch (error) {
    if ((error as { name?: string }).name === "StateError") throw error;
    // A parse error quotes the text it failed on, which may hold anything: it is not repeated.
    const why = error instanceof SyntaxError ? "a record does not parse as JSON" : (error as Error).message;
    ctx.tally.skipRecords("unreadable_stream", info.lastSeq, info.stream, why);
    return undefined;
  }
}

export async function sessionTrajectory(
  ctx: BuildContext,
  session: SessionInfo,
): Promise<Trajectory | undefined> {
  const where = `session ${session.sessionId}`;
  const steps = new StepList();
  const calls = new Map<string, CallFacts>();
  const annotation = new MergedAnnotation();
  for await (const info of pagedStreams(ctx.store, { sessionId: session.sessionId })) {
    if (steps.size + annotation.messageCount > MAX_STEPS) break;
    const records = await readStream(ctx, info);
    if (!records) continue;
    if (info.kind === "tool_execution") {
      const facts = addToolCall(info.stream, records, steps, ctx.tally, ctx.check);
      if (facts) calls.set(facts.toolExecutionId, facts);
      continue;
    }
    for (const record of records) {
      if (record.type !== annotationRecordType) continue;
      const checked = checkContract("SessionAnnotation", field(record.data, "annotation"));
      if (checked.ok) annotation.add(checked.value);
      else
        ctx.tally.skipRecords(
          "invalid_record",
          1,
          `${info.stream} seq ${record.seq}`,
          `annotation: ${checked.detail}`,
        );
    }
  }
  const usage = ctx.usage.ofSession(session.sessionId);
  if (calls.size === 0 && usage.length === 0) {
    ctx.tally.skipTrajectory("no_governed_records", where, "no tool call or model usage was recorded in it");
    return undefined;
  }
  for (const m of annotation.messages)
    steps.add({
      at: m.at,
      type: "message",
      role: m.role,
      content: m.content,
      trainable: m.trainable ?? m.role === "assistant",
    });
  addUsage(steps, usage);
  if (steps.size > MAX_STEPS) {
    ctx.tally.skipTrajectory("too_many_steps", where, `more than ${MAX_STEPS} steps`);
    return undefined;
  }
  const sorted = steps.sorted();
  const ordered = sorted.flatMap((s) => (s.type === "tool_call" ? [calls.get(s.toolExecutionId)] : []));
  const traceparent = annotation.traceparent ?? ordered[0]?.traceparent;
  if (!traceparent) {
    ctx.tally.skipTrajectory("no_trace_id", where, "no annotation or tool call names a trace");
    return undefined;
  }
  return {
    kind: "Trajectory",
    apiVersion: "workspace-ops.dev/v1",
    trajectoryId: trajectoryIdOf(ctx.location, "session", session.sessionId),
    lineage: lineageOf(sorted, {
      sessionId: session.sessionId,
      traceId: traceIdOf(traceparent),
      approvalRequestIds: ordered.flatMap((c) => c?.approvalRequestIds ?? []),
      ...(annotation.operationId ? { operationId: annotation.operationId } : {}),
      ...(annotation.eval ? { evalId: annotation.eval.evalId } : {}),
      ...(annotation.eval?.scenarioId ? { scenarioId: annotation.eval.scenarioId } : {}),
    }),
    ...(annotation.cohort ? { cohort: annotation.cohort } : {}),
    steps: sorted,
    ...(annotation.eval?.success !== undefined ? { taskSuccess: annotation.eval.success } : {}),
    // Filled in by the export's redaction pass, which runs over the whole trajectory.
    redaction: { redactedAt: new Date(0).toISOString(), redactorVersion: "", rules: [], totalRedactions: 0 },
  };
}
