// The approval inbox: what waits, newest first, with what it would run and why; approve or deny with
// a comment. Resolved ones move to the history below.
import { useState } from "preact/hooks";
import { ApiProblem, type ApprovalItem, type Principal, post } from "./api.js";
import { ago, clock, left } from "./time.js";

const who = (p: Principal | undefined) => (p ? `${p.type}:${p.id}` : "");

function Analysis({ item }: { item: ApprovalItem }) {
  const classification = item.call.decision?.classification;
  if (!classification) return null;
  return (
    <ul class="parts" aria-label="What the command runs">
      {classification.parts.map((part) => (
        <li key={part.index}>
          <code>{part.program ?? "?"}</code> <span class={`class class-${part.class}`}>{part.class}</span>
        </li>
      ))}
    </ul>
  );
}

function Pending({ item, now, onDone }: { item: ApprovalItem; now: number; onDone: () => void }) {
  const [comment, setComment] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const id = item.approvalRequestId;
  const resolve = async (resolution: "approved" | "denied") => {
    setBusy(true);
    setError(null);
    try {
      await post(`/api/v1/approvals/${encodeURIComponent(id)}/resolution`, {
        resolution,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      });
      onDone();
    } catch (e) {
      const problem = e instanceof ApiProblem ? e.problem : null;
      setError(
        problem
          ? `${problem.code}: ${problem.reasons?.map((r) => r.message).join("; ") || problem.detail}`
          : String(e),
      );
    } finally {
      setBusy(false);
    }
  };
  return (
    <article class="card pending" aria-labelledby={`cmd-${id}`} data-approval={id}>
      <h3 id={`cmd-${id}`}>
        <code>{item.command}</code>
      </h3>
      <Analysis item={item} />
      <dl class="facts">
        <dt>Rule</dt>
        <dd>{item.call.rule ?? "—"}</dd>
        <dt>Requested by</dt>
        <dd>{item.requestedBy}</dd>
        <dt>Workspace</dt>
        <dd>
          {item.call.workspaceId ?? "—"} <span class="muted">(cwd {item.cwd})</span>
        </dd>
        <dt>Session</dt>
        <dd>
          {item.call.sessionId ? (
            <a href={`#/sessions/${encodeURIComponent(item.call.sessionId)}`}>{item.call.sessionId}</a>
          ) : (
            "—"
          )}
        </dd>
        <dt>Asked</dt>
        <dd>
          <time dateTime={item.requestedAt}>{ago(item.requestedAt, now)}</time> ·{" "}
          <span class="expiry">{left(item.expiresAt, now)}</span>
        </dd>
        <dt>Call</dt>
        <dd>
          <a href={`#/executions/${encodeURIComponent(item.subjectId)}`}>{item.subjectId}</a>
        </dd>
      </dl>
      <ul class="reasons" aria-label="Why it needs approval">
        {item.reasons.map((r) => (
          <li key={r.code}>
            <strong>{r.code}</strong>: {r.message} <span class="muted">({r.policy})</span>
          </li>
        ))}
      </ul>
      <div class="resolve">
        <label for={`comment-${id}`}>Comment (optional)</label>
        <textarea
          id={`comment-${id}`}
          rows={2}
          maxLength={4096}
          value={comment}
          onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)}
        />
        <div class="buttons">
          <button type="button" class="approve" disabled={busy} onClick={() => resolve("approved")}>
            Approve
          </button>
          <button type="button" class="deny" disabled={busy} onClick={() => resolve("denied")}>
            Deny
          </button>
        </div>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </div>
    </article>
  );
}

function Resolved({ item }: { item: ApprovalItem }) {
  const resolution = item.call.resolution;
  return (
    <li class="history-item" data-state={item.state} data-approval={item.approvalRequestId}>
      <span class={`badge state-${item.state}`}>{item.state}</span> <code>{item.command}</code>{" "}
      <span class="muted">
        {item.resolvedBy ? `by ${item.resolvedBy}` : ""} {item.resolvedAt ? clock(item.resolvedAt) : ""}
        {resolution?.delegation ? " · through wsops serve" : ""}
        {resolution?.comment ? ` · “${resolution.comment}”` : ""}
      </span>{" "}
      <a href={`#/executions/${encodeURIComponent(item.subjectId)}`}>record</a>
    </li>
  );
}

export function Inbox({
  items,
  now,
  me,
  refresh,
}: {
  items: ApprovalItem[];
  now: number;
  me: Principal;
  refresh: () => void;
}) {
  const pending = items.filter((i) => i.state === "pending");
  const history = items.filter((i) => i.state !== "pending");
  return (
    <section aria-labelledby="inbox-title">
      <h2 id="inbox-title">
        Waiting for approval <span class="count">{pending.length}</span>
      </h2>
      <p class="muted">
        Signed in as {who(me)}. Nobody approves their own request; every resolution is signed with your
        delegated key and recorded with where it came from.
      </p>
      {pending.length === 0 ? (
        <p class="empty">Nothing waits for a person.</p>
      ) : (
        pending.map((item) => <Pending key={item.approvalRequestId} item={item} now={now} onDone={refresh} />)
      )}
      <h2 id="history-title">History</h2>
      {history.length === 0 ? (
        <p class="empty">No resolved approvals yet.</p>
      ) : (
        <ul class="history" aria-labelledby="history-title">
          {history.map((item) => (
            <Resolved key={item.approvalRequestId} item={item} />
          ))}
        </ul>
      )}
    </section>
  );
}
