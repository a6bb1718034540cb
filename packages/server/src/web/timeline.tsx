// The timeline: every call of a session (or a trace) in order — time, actor, command, decision and the
// deciding rule, approval, outcome, exit code, duration, output preview — and one call's whole record.
import { useState } from "preact/hooks";
import type { SessionInfo, TimelineEntry } from "./api.js";
import { clock } from "./time.js";

const outcomeOf = (e: TimelineEntry) => e.result?.outcome ?? e.state ?? "—";

export function Sessions({ sessions }: { sessions: SessionInfo[] }) {
  return (
    <section aria-labelledby="sessions-title">
      <h2 id="sessions-title">Sessions</h2>
      {sessions.length === 0 ? (
        <p class="empty">No sessions yet.</p>
      ) : (
        <ul class="sessions">
          {sessions.map((s) => (
            <li key={s.sessionId}>
              <a href={`#/sessions/${encodeURIComponent(s.sessionId)}`}>{s.sessionId}</a>{" "}
              <span class="muted">
                {s.streams} call{s.streams === 1 ? "" : "s"} · last {clock(s.updatedAt)}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Row({ e }: { e: TimelineEntry }) {
  const approval = e.resolution;
  const out = e.result?.output;
  const preview = out ? (out.stdout.preview || out.stderr.preview).slice(0, 400) : "";
  return (
    <li class="call" data-outcome={outcomeOf(e)} data-execution={e.id}>
      <div class="call-head">
        <time dateTime={e.createdAt}>{clock(e.createdAt)}</time>
        <span class="actor">{e.actor}</span>
        <span class={`badge outcome-${outcomeOf(e)}`}>{outcomeOf(e)}</span>
      </div>
      <code class="command">{e.command}</code>
      <dl class="facts">
        <dt>Decision</dt>
        <dd>
          {e.decision?.decision ?? "—"}
          {e.rule ? ` (${e.rule})` : ""}
        </dd>
        {approval && (
          <>
            <dt>Approval</dt>
            <dd>
              {approval.resolution}
              {approval.resolvedBy ? ` by ${approval.resolvedBy.type}:${approval.resolvedBy.id}` : ""} at{" "}
              {clock(approval.resolvedAt)}
              {e.resolvedThrough ? ` through ${e.resolvedThrough.through}` : ""}
            </dd>
          </>
        )}
        {e.result?.exitCode !== undefined && (
          <>
            <dt>Exit code</dt>
            <dd>{e.result.exitCode}</dd>
          </>
        )}
        {e.result && (
          <>
            <dt>Duration</dt>
            <dd>{Math.round(e.result.durations.runMs ?? e.result.durations.totalMs)} ms</dd>
          </>
        )}
        <dt>Ids</dt>
        <dd class="ids">
          <a href={`#/executions/${encodeURIComponent(e.id)}`}>{e.id}</a>
          {e.decision && <span> · decision {e.decision.decisionId}</span>}
          {e.approvalRequest && <span> · approval {e.approvalRequest.approvalRequestId}</span>}
          {e.traceId && (
            <span>
              {" "}
              · trace <a href={`#/traces/${e.traceId}`}>{e.traceId}</a>
            </span>
          )}
        </dd>
      </dl>
      {preview && (
        <figure class="preview">
          <figcaption class="muted">Output (redacted)</figcaption>
          <pre>{preview}</pre>
        </figure>
      )}
    </li>
  );
}

export function Timeline({ title, entries }: { title: string; entries: TimelineEntry[] }) {
  const [outcome, setOutcome] = useState("");
  const [actor, setActor] = useState("");
  const ordered = [...entries].reverse();
  const outcomes = [...new Set(ordered.map(outcomeOf))].sort();
  const actors = [...new Set(ordered.map((e) => e.actor ?? ""))].filter(Boolean).sort();
  const shown = ordered.filter(
    (e) => (!outcome || outcomeOf(e) === outcome) && (!actor || e.actor === actor),
  );
  return (
    <section aria-labelledby="timeline-title">
      <h2 id="timeline-title">{title}</h2>
      <div class="filters">
        <label>
          Outcome{" "}
          <select value={outcome} onChange={(ev) => setOutcome((ev.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {outcomes.map((o) => (
              <option key={o} value={o}>
                {o}
              </option>
            ))}
          </select>
        </label>
        <label>
          Actor{" "}
          <select value={actor} onChange={(ev) => setActor((ev.target as HTMLSelectElement).value)}>
            <option value="">all</option>
            {actors.map((a) => (
              <option key={a} value={a}>
                {a}
              </option>
            ))}
          </select>
        </label>
      </div>
      {shown.length === 0 ? (
        <p class="empty">No calls.</p>
      ) : (
        <ol class="timeline">
          {shown.map((e) => (
            <Row key={e.id} e={e} />
          ))}
        </ol>
      )}
    </section>
  );
}

export function Record({
  record,
}: {
  record: { execution: TimelineEntry; records: { seq: number; at: string; type: string; data: unknown }[] };
}) {
  const e = record.execution;
  return (
    <section aria-labelledby="record-title">
      <h2 id="record-title">
        Call <code>{e.id}</code>
      </h2>
      <p>
        <code class="command">{e.command}</code>
      </p>
      <p class="muted">
        {e.sessionId && <a href={`#/sessions/${encodeURIComponent(e.sessionId)}`}>session {e.sessionId}</a>}
        {e.traceId && (
          <>
            {" · "}
            <a href={`#/traces/${e.traceId}`}>trace {e.traceId}</a>
          </>
        )}
      </p>
      <ol class="records">
        {record.records.map((r) => (
          <li key={r.seq}>
            <h3>
              {r.seq}. {r.type} <span class="muted">{clock(r.at)}</span>
            </h3>
            <pre>{JSON.stringify(r.data, null, 2)}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}
