// submit, status, logs, approve, deny, resume, cancel.

import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import type { CommandAnalysis, ToolExecutionDecision } from "@workspace-ops/contracts";
import type { OperationOutcome, ToolCallOutcome } from "@workspace-ops/executor";
import { approverKeyPath, loadApproverKey, terminalStates } from "@workspace-ops/executor";
import { ChangeFeed, type StoredRecord } from "@workspace-ops/store";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { stateFlagsOf } from "./agent-shared.js";
import { describeClassification } from "./classification.js";
import { report } from "./exec.js";
import {
  closeExecutor,
  commonHelp,
  commonOptions,
  commonSchema,
  ExecExit,
  openExecutor,
  principalSchema,
  reportRejection,
} from "./executor-shared.js";

export const operationsUsage = `Usage:
  wsops submit FILE [--actor TYPE:ID]        run a WorkspaceOperationContract
  wsops status ID                            state of a tool execution or operation (ID: its id, or
                                             the id of its approval request)
  wsops logs ID [--follow]                   its records (events, steps, decisions) as they are written
  wsops approve ID --by TYPE:ID [--key FILE] [--comment TEXT]
  wsops deny ID --by TYPE:ID [--key FILE] [--comment TEXT]
                                             signed with --key, else with the resolver's own key
                                             (wsops keys create --principal TYPE:ID) when there is one
  wsops resume ID [--request FILE]           run an approved call or operation nobody was waiting for;
                                             --request resubmits it as first sent (needed when the
                                             stored one was redacted)
  wsops cancel ID [--reason TEXT]            end it (its whole process group) and record the cancel
${commonHelp}

Exit codes: submit 0 succeeded, 1 failed, ${ExecExit.denied} denied, ${ExecExit.unavailable} unavailable, ${ExecExit.approvalPending} approval pending,
${ExecExit.timedOut} timed out, ${ExecExit.cancelled} cancelled, ${ExecExit.invalidRequest} invalid; status 0 (1 when unknown); approve/deny 0, 1 refused
(self-approval, approval_unsigned, approver_not_listed, approval_bad_signature, request_changed) or a key
that cannot be read; resume like exec or submit, 1 refused (request_redacted, not_approved); cancel 0, 1 not running; 69 the store cannot be
opened; 2 usage error.
`;

const stateExit: Record<string, number> = {
  succeeded: 0,
  failed: 1,
  denied: ExecExit.denied,
  unavailable: ExecExit.unavailable,
  timed_out: ExecExit.timedOut,
  cancelled: ExecExit.cancelled,
};

const print = (io: Io, json: boolean | undefined, value: unknown, text: string) =>
  json ? io.stdout(`${JSON.stringify(value, null, 2)}\n`) : io.stdout(`${text}\n`);

function reportOperation(io: Io, outcome: OperationOutcome, json: boolean | undefined): number {
  if (outcome.kind === "rejected") return reportRejection(io, outcome, json);
  if (outcome.kind === "pending") {
    print(
      io,
      json,
      outcome,
      `approval required (${outcome.approvalRequestId}) for ${outcome.operationId}; expires ${outcome.expiresAt}`,
    );
    return ExecExit.approvalPending;
  }
  const why = outcome.reasons.map((r) => `${r.code}: ${r.message}`).join("; ");
  print(io, json, outcome, `${outcome.operationId}: ${outcome.state}${why ? ` (${why})` : ""}`);
  return stateExit[outcome.state] ?? 1;
}

/** The decision and its provenance, for wsops status. */
function decidedBy(decision: unknown): string {
  const d = decision as ToolExecutionDecision | undefined;
  if (!d?.decision) return "";
  return `\n  decision: ${d.decision}${d.classification ? ` (${describeClassification(d.classification)})` : ""}`;
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UsageError(`cannot read ${file} as JSON: ${(error as Error).message}`);
  }
}

const withId = (positionals: string[], what: string) => {
  const [id, ...rest] = positionals;
  if (!id || rest.length) throw new UsageError(`${what} takes exactly one ID`);
  return id;
};

const describe = (r: StoredRecord): string => {
  const d = r.data as Record<string, unknown>;
  switch (r.type) {
    case "transition":
      return `${d.from} → ${d.to}${d.reason ? ` (${d.reason})` : ""}`;
    case "event":
      return `${String(d.type).replace("dev.workspace-ops.operation.", "")} ${JSON.stringify(d.data)}`;
    case "decision": {
      const decision = d as unknown as ToolExecutionDecision;
      const why = JSON.stringify(decision.reasons.map((x) => x.code));
      return `${decision.decision} ${why}${decision.classification ? ` ${describeClassification(decision.classification)}` : ""}`;
    }
    case "analysis": {
      const analysis = d as unknown as CommandAnalysis;
      const parts = analysis.parts.map((p) => `[${p.index}] ${p.argv.join(" ") || "(no command)"}`).join(" ");
      const unknown = [...analysis.unknown, ...analysis.parts.flatMap((p) => p.unknown ?? [])];
      return `${parts}${unknown.length ? `; cannot know: ${unknown.map((u) => u.code).join(", ")}` : ""}`.slice(
        0,
        300,
      );
    }
    case "step_result":
      return `step ${d.name}: ${d.outcome}${d.exitCode !== undefined && d.exitCode !== null ? ` exit ${d.exitCode}` : ""}`;
    default:
      return JSON.stringify(d).slice(0, 300);
  }
};

export async function operationsCommand(name: string, argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...commonOptions,
      actor: { type: "string" },
      by: { type: "string" },
      comment: { type: "string" },
      reason: { type: "string" },
      follow: { type: "boolean" },
      key: { type: "string" },
      request: { type: "string" },
    },
    z.object({
      ...commonSchema,
      actor: principalSchema.optional(),
      by: principalSchema.optional(),
      comment: z.string().max(4096).optional(),
      reason: z.string().min(1).max(4096).default("cancelled on request"),
      follow: z.boolean().optional(),
      key: z.string().min(1).optional(),
      request: z.string().min(1).optional(),
    }),
  );
  if (values.key && name !== "approve" && name !== "deny")
    throw new UsageError("--key belongs to approve and deny");
  if (values.request && name !== "resume") throw new UsageError("--request belongs to resume");
  const executor = await openExecutor(
    values,
    values.json
      ? {}
      : {
          onOutput: (stream, chunk) => (stream === "stdout" ? io.stdout : io.stderr)(chunk.toString("utf8")),
        },
    io,
  );
  try {
    switch (name) {
      case "submit": {
        const payload = await readJson(withId(positionals, "submit"));
        return reportOperation(io, await executor.submit(payload, values.actor), values.json);
      }
      case "status": {
        const status = await executor.status(withId(positionals, "status"));
        if (!status) {
          io.stderr(`wsops: nothing with id ${positionals[0]}\n`);
          return ExitCode.problems;
        }
        print(
          io,
          values.json,
          status,
          `${status.id}: ${status.kind} ${status.state}${status.approvalRequestId ? ` (approval ${status.approvalRequestId})` : ""}${decidedBy(status.decision)}`,
        );
        return ExitCode.ok;
      }
      case "logs": {
        const id = withId(positionals, "logs");
        // Following, it wakes on every commit the store reports (of any process or machine).
        const feed = values.follow ? new ChangeFeed(executor.context.store) : null;
        try {
          for (let seen = 0; ; ) {
            const records = await executor.records(id);
            if (records.length === 0 && seen === 0 && !values.follow) {
              io.stderr(`wsops: nothing with id ${id}\n`);
              return ExitCode.problems;
            }
            for (const r of records.slice(seen))
              io.stdout(
                values.json ? `${JSON.stringify(r)}\n` : `${r.at}  ${r.type.padEnd(20)} ${describe(r)}\n`,
              );
            seen = records.length;
            const state = (await executor.status(id))?.state;
            if (!feed || (state && terminalStates.has(state))) return ExitCode.ok;
            await feed.next(60_000);
          }
        } finally {
          feed?.close();
        }
      }
      case "approve":
      case "deny": {
        const id = withId(positionals, name);
        if (!values.by)
          throw new UsageError(
            `${name} needs --by TYPE:ID (who ${name === "approve" ? "approves" : "denies"})`,
          );
        // Signed with --key, else with the resolver's own key when this user has one.
        const own = approverKeyPath(values.by);
        const key = values.key || existsSync(own) ? await loadApproverKey(values.by, values.key) : undefined;
        const options = { comment: values.comment, key };
        const result =
          name === "approve"
            ? await executor.approve(id, values.by, options)
            : await executor.deny(id, values.by, options);
        if (!result.ok) {
          if (values.json) print(io, true, result, "");
          else io.stderr(`wsops ${name}: ${result.error.code}: ${result.error.message}\n`);
          return ExitCode.problems;
        }
        const how = result.signed
          ? `signed with ${result.resolution.signature?.publicKey}`
          : key
            ? "signed, but the profile names no approvers to check it against"
            : "unsigned: the profile names no approvers";
        print(
          io,
          values.json,
          result,
          `${result.resolution.resolution} ${id} (${result.toolExecutionId}; ${how})`,
        );
        return ExitCode.ok;
      }
      case "resume": {
        const id = withId(positionals, "resume");
        const outcome = await executor.resume(
          id,
          values.request ? { request: await readJson(values.request) } : {},
        );
        // Operations answer with their id and state; tool calls (and refusals) with a result.
        return "operationId" in outcome
          ? reportOperation(io, outcome, values.json)
          : report(io, outcome as ToolCallOutcome, values.json, stateFlagsOf(values));
      }
      case "cancel": {
        const result = await executor.cancel(withId(positionals, "cancel"), values.reason);
        if (!result.ok) {
          if (values.json) print(io, true, result, "");
          else io.stderr(`wsops cancel: ${result.error.message}\n`);
          return ExitCode.problems;
        }
        print(io, values.json, result, `${positionals[0]}: ${result.state}`);
        return ExitCode.ok;
      }
      default:
        throw new UsageError(`unknown command ${name}`);
    }
  } finally {
    await closeExecutor(executor, io);
  }
}
