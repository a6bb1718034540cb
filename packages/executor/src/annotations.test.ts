// Session annotations on a real store: validated, redacted, one record per annotation in the session's
// reserved stream, an audit record that names what was attached but not the conversation.
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { annotationRecordType, sessionAnnotationStream } from "./annotations.js";
import { Executor } from "./executor.js";
import { T0 } from "./testing/payloads.js";

const clock = () => new Date(T0);
const token = ["ghp", "_", "a1B2c3D4e5".repeat(3), "F6g7H8"].join("");

async function open() {
  return Executor.open({
    workspaceRoot: mkdtempSync(join(tmpdir(), "wsops-annotate-")),
    mode: "governed",
    now: clock,
    sandbox: { backend: "process" },
  });
}

const annotation = {
  kind: "SessionAnnotation",
  apiVersion: "workspace-ops.dev/v1",
  sessionId: "sess-annotated",
  messages: [
    { role: "user", content: `Use my token ${token} to push.`, at: "2026-11-21T12:00:01Z" },
    { role: "assistant", content: "I will not use a token pasted in chat.", at: "2026-11-21T12:00:02Z" },
  ],
  cohort: { arm: "candidate", flag: "governed-exec-rollout", model: "claude-sonnet-4-5" },
  eval: { evalId: "eval-1", success: true },
};

describe("annotateSession", () => {
  it("records the annotation redacted in the session's reserved stream, with an audit record", async () => {
    const executor = await open();
    const store = executor.context.store;
    const outcome = await executor.annotateSession(annotation);
    const stream = sessionAnnotationStream("sess-annotated");
    const redaction = {
      redactedAt: "2026-11-21T12:00:00.000Z",
      redactorVersion: "0.1.0",
      rules: [{ rule: "github-token", count: 1 }],
      totalRedactions: 1,
    };
    const stored = {
      ...annotation,
      messages: [
        { ...annotation.messages[0], content: "Use my token [REDACTED:github-token] to push." },
        annotation.messages[1],
      ],
    };
    expect(outcome).toEqual({ ok: true, stream, seq: 1, annotation: stored, redaction });
    expect(stream).toMatch(/^wsops\.session\.[0-9a-f]{32}$/);
    expect(await store.read(stream)).toEqual([
      { seq: 1, at: expect.any(String), type: annotationRecordType, data: { annotation: stored, redaction } },
    ]);
    expect(await store.stream(stream)).toMatchObject({ kind: "reserved", sessionId: "sess-annotated" });
    expect((await store.listSessions()).map((s) => s.sessionId)).toEqual(["sess-annotated"]);
    const audit = (await store.readAudit()).filter((r) => r.type === "session_annotated");
    expect(audit.map((r) => [r.subject, r.data])).toEqual([
      [
        stream,
        {
          sessionId: "sess-annotated",
          messages: 2,
          cohort: annotation.cohort,
          eval: annotation.eval,
          redaction,
        },
      ],
    ]);
    expect(JSON.stringify(await store.readAudit())).not.toContain(token);
    expect(await store.verifyAudit()).toMatchObject({ ok: true });
    await executor.close();
  });

  it("appends a second annotation of the same session to the same stream", async () => {
    const executor = await open();
    await executor.annotateSession(annotation);
    const again = await executor.annotateSession({
      kind: "SessionAnnotation",
      apiVersion: "workspace-ops.dev/v1",
      sessionId: "sess-annotated",
      eval: { evalId: "eval-1", success: false },
    });
    expect(again).toMatchObject({ ok: true, seq: 2 });
    expect((await executor.context.store.read(sessionAnnotationStream("sess-annotated"))).length).toBe(2);
    await executor.close();
  });

  it("refuses an invalid annotation with its contract errors and records the rejection", async () => {
    const executor = await open();
    const outcome = await executor.annotateSession({
      ...annotation,
      messages: [{ role: "tool", content: "" }],
    });
    expect(outcome).toEqual({
      ok: false,
      error: {
        code: "request_invalid",
        message: "the annotation is not a valid SessionAnnotation",
        pointer: "",
      },
      errors: [
        expect.objectContaining({ pointer: "/messages/0", keyword: "required" }),
        expect.objectContaining({ pointer: "/messages/0/role", keyword: "enum" }),
      ],
    });
    expect((await executor.context.store.readAudit()).map((r) => r.type)).toEqual([
      "mode_changed",
      "request_rejected",
    ]);
    expect(await executor.context.store.listSessions()).toEqual([]);
    await executor.close();
  });

  it("extends a session with only the messages it does not hold yet, redacted, and writes nothing when all are held", async () => {
    const executor = await open();
    const store = executor.context.store;
    const stream = sessionAnnotationStream("sess-annotated");
    const transcript = {
      kind: "SessionAnnotation",
      apiVersion: "workspace-ops.dev/v1",
      sessionId: "sess-annotated",
      messages: annotation.messages,
    };
    const redaction = (count: number) => ({
      redactedAt: "2026-11-21T12:00:00.000Z",
      redactorVersion: "0.1.0",
      rules: count ? [{ rule: "github-token", count }] : [],
      totalRedactions: count,
    });
    expect(await executor.extendSessionAnnotation(transcript)).toEqual({
      ok: true,
      stream,
      seq: 1,
      added: 2,
      alreadyRecorded: 0,
      redaction: redaction(1),
    });
    // The same transcript again: every message is held (the first one as its redacted text).
    expect(await executor.extendSessionAnnotation(transcript)).toEqual({
      ok: true,
      stream,
      seq: null,
      added: 0,
      alreadyRecorded: 2,
      redaction: null,
    });
    // The transcript grew by one message, and holds one message twice: only the new one, once.
    const next = { role: "user", content: "Then push without it.", at: "2026-11-21T12:00:03Z" };
    const grown = { ...transcript, messages: [...annotation.messages, next, next] };
    expect(await executor.extendSessionAnnotation(grown)).toEqual({
      ok: true,
      stream,
      seq: 2,
      added: 1,
      alreadyRecorded: 3,
      redaction: redaction(0),
    });
    // Same role and time, another text: a message of its own.
    const edited = { ...next, content: "Then push with ssh." };
    expect(await executor.extendSessionAnnotation({ ...transcript, messages: [edited] })).toMatchObject({
      seq: 3,
      added: 1,
      alreadyRecorded: 0,
    });
    const records = await store.read(stream);
    expect(
      records.map((r) => (r.data as { annotation: { messages: unknown[] } }).annotation.messages),
    ).toEqual([
      [
        { ...annotation.messages[0], content: "Use my token [REDACTED:github-token] to push." },
        annotation.messages[1],
      ],
      [next],
      [edited],
    ]);
    const audit = (await store.readAudit()).filter((r) => r.type === "session_annotated");
    expect(audit.map((r) => (r.data as { messages: number }).messages)).toEqual([2, 1, 1]);
    expect(JSON.stringify(records)).not.toContain(token);
    await executor.close();
  });

  it("holds each message once when two writers extend the session at the same time", async () => {
    const executor = await open();
    const both = await Promise.all([
      executor.extendSessionAnnotation(annotation),
      executor.extendSessionAnnotation({ ...annotation, cohort: undefined, eval: undefined }),
    ]);
    // One wrote the messages; the other found its append beaten, read again, and had nothing new.
    expect(both.map((o) => (o.ok ? [o.seq, o.added, o.alreadyRecorded] : o))).toEqual([
      [1, 2, 0],
      [null, 0, 2],
    ]);
    const records = await executor.context.store.read(sessionAnnotationStream("sess-annotated"));
    expect(records).toHaveLength(1);
    await executor.close();
  });

  it("extends with the cohort and evaluation even when every message is held", async () => {
    const executor = await open();
    await executor.extendSessionAnnotation(annotation);
    const outcome = await executor.extendSessionAnnotation({ ...annotation, eval: { evalId: "eval-2" } });
    expect(outcome).toMatchObject({ ok: true, seq: 2, added: 0, alreadyRecorded: 2 });
    const [, second] = await executor.context.store.read(sessionAnnotationStream("sess-annotated"));
    expect(second?.data).toEqual({
      annotation: {
        kind: "SessionAnnotation",
        apiVersion: "workspace-ops.dev/v1",
        sessionId: "sess-annotated",
        cohort: annotation.cohort,
        eval: { evalId: "eval-2" },
      },
      redaction: expect.objectContaining({ totalRedactions: 0 }),
    });
    await executor.close();
  });

  it("refuses an invalid annotation to extend with, as annotateSession does", async () => {
    const executor = await open();
    const outcome = await executor.extendSessionAnnotation({ ...annotation, messages: [{ role: "tool" }] });
    expect(outcome).toMatchObject({ ok: false, error: { code: "request_invalid" } });
    expect(await executor.context.store.listSessions()).toEqual([]);
    await executor.close();
  });
});
