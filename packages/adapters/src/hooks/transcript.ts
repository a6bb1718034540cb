// The end of a turn (Claude Code's Stop, Gemini's AfterAgent) or of a session (SessionEnd): the
// conversation of the runtime's transcript is attached to the session's annotations, only what the
// session does not hold yet, redacted by the executor. The runtime is never held up by it: whatever
// goes wrong (no transcript, a store that cannot be opened) is one line on stderr and exit 0 — a Stop
// hook that exits 2 would keep the agent from stopping.
import type { HookEvent } from "./event.js";
import { messageOf, oneLine } from "./one-line.js";
import { identifier } from "./request.js";
import type { HookOptions, HookResult } from "./run-hook.js";
import { TRANSCRIPT_MAX_BYTES, type Transcript } from "./transcript-file.js";

type TranscriptEvent = Extract<HookEvent, { kind: "transcript" }>;

export async function recordTranscript(
  event: TranscriptEvent,
  options: HookOptions,
  workspaceRoot: string,
): Promise<HookResult> {
  const { protocol } = options;
  const done = (notes: readonly string[]): HookResult => ({
    exitCode: 0,
    stdout: protocol.render({ verdict: "none", reason: "" }),
    stderr: notes.length ? `wsops hook ${protocol.name}: ${notes.join("; ")}\n` : "",
  });
  const notRecorded = (why: string) => done([`${why}; the conversation was not recorded`]);
  const { sessionId, transcriptPath } = event;
  if (!protocol.readTranscript) return done([]);
  if (!sessionId || !transcriptPath)
    return notRecorded(
      `the ${event.eventName} input names no ${sessionId ? "transcript_path" : "session_id"}`,
    );

  let transcript: Transcript;
  try {
    transcript = await protocol.readTranscript(
      transcriptPath,
      options.transcriptMaxBytes ?? TRANSCRIPT_MAX_BYTES,
    );
  } catch (error) {
    return notRecorded(`the transcript ${transcriptPath} cannot be read (${reasonOf(error)})`);
  }
  if (transcript.messages.length === 0) return done(transcript.notes);

  try {
    const executor = await options.open(workspaceRoot);
    try {
      const outcome = await executor.extendSessionAnnotation({
        kind: "SessionAnnotation",
        apiVersion: "workspace-ops.dev/v1",
        sessionId: identifier("", sessionId),
        messages: transcript.messages,
      });
      if (!outcome.ok) {
        const first = outcome.errors?.[0];
        return notRecorded(
          `${outcome.error.message}${first ? ` (${first.pointer || "/"} ${first.message})` : ""}`,
        );
      }
    } finally {
      await (options.release ? options.release(executor) : executor.close());
    }
  } catch (error) {
    return notRecorded(`the workspace's state cannot be opened or written: ${oneLine(messageOf(error))}`);
  }
  return done(transcript.notes);
}

/** A file system error by its code (ENOENT, EACCES), anything else by its message. */
const reasonOf = (error: unknown): string =>
  (error as NodeJS.ErrnoException)?.code ?? oneLine(messageOf(error));
