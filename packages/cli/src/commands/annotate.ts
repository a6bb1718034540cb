// annotate: attach a SessionAnnotation (conversation, cohort, evaluation, operation served) to a session.
// Opens only the store: no policy, no change of mode.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { annotateSession, openStore } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import {
  reportRejection,
  storeHelp,
  storeOptions,
  storeSchema,
  storeSelectionOf,
} from "./executor-shared.js";

export const annotateUsage = `Usage:
  wsops annotate [--session ID] FILE | -      attach a SessionAnnotation (JSON) to its session

The annotation carries the session's conversation (system, user and assistant messages, each with the
time it was said), its cohort (arm, flag, model, checkpoint), the evaluation it was part of and the
operation it served. It is validated, redacted and recorded (audited) beside the session's tool calls;
wsops export merges it with them. Annotating a session again adds messages and replaces the rest.
See docs/trajectories.md.

Options:
  --session ID         the session (fills in a missing sessionId; must match a given one)
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --json               print machine-readable JSON

Exit codes: 0 recorded; 65 not a valid SessionAnnotation; 69 the store cannot be opened; 2 usage error.
`;

export async function annotateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...storeOptions, session: { type: "string" } },
    z.object({
      ...storeSchema,
      session: z
        .string()
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "must be a session id (an identifier)" })
        .optional(),
    }),
  );
  if (positionals.length !== 1) throw new UsageError("give one annotation: a FILE, or - for stdin");
  const [source] = positionals as [string];
  let text: string;
  try {
    text = source === "-" ? await io.readStdin() : await readFile(resolve(source), "utf8");
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${(error as Error).message}`);
  }
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source === "-" ? "stdin" : source} is not JSON: ${(error as Error).message}`);
  }
  if (values.session !== undefined && typeof payload === "object" && payload !== null) {
    const given = (payload as { sessionId?: unknown }).sessionId;
    if (given !== undefined && given !== values.session)
      throw new UsageError(
        `--session ${values.session} does not match the annotation's sessionId ${String(given)}`,
      );
    payload = { ...payload, sessionId: values.session };
  }
  const store = await openStore(storeSelectionOf(values));
  try {
    const outcome = await annotateSession(store, payload);
    if (!outcome.ok) return reportRejection(io, outcome, values.json);
    const { stream, seq, annotation, redaction } = outcome;
    if (values.json)
      io.stdout(`${JSON.stringify({ stream, seq, sessionId: annotation.sessionId, redaction }, null, 2)}\n`);
    else
      io.stdout(
        `annotated session ${annotation.sessionId}: ${annotation.messages?.length ?? 0} message(s)` +
          `${annotation.cohort ? `, cohort ${annotation.cohort.flag}=${annotation.cohort.arm}` : ""}` +
          `${annotation.eval ? `, eval ${annotation.eval.evalId}` : ""}` +
          `${redaction.totalRedactions ? `, ${redaction.totalRedactions} value(s) redacted` : ""} (${stream} #${seq})\n`,
      );
    return ExitCode.ok;
  } finally {
    await store.close();
  }
}
