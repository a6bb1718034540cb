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
});
