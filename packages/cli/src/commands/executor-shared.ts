// Flags and helpers every executor command shares: where the workspace and its state live, the mode,
// who is acting, where events go.
import { join, resolve } from "node:path";
import type { ContractError } from "@workspace-ops/contracts";
import {
  defaultStateDir,
  droppedCount,
  type EventSink,
  Executor,
  type ExecutorError,
  type ExecutorOptions,
  openEventSink,
  SinkTargetError,
} from "@workspace-ops/executor";
import { defaultBundleDir } from "@workspace-ops/policy";
import { z } from "zod";
import { type Io, UsageError } from "../io.js";
import { staleBundleWarning } from "./stale-bundle.js";

/** wsops exit codes of the executor commands (docs/cli.md), beyond 0/1/2. */
export const ExecExit = {
  /** The request is not a valid contract payload. */
  invalidRequest: 65,
  /** Unavailable: the policy could not decide, the sandbox or the container runtime is missing. */
  unavailable: 69,
  /** The request's toolExecutionId was received before (each call needs its own id). */
  duplicateRequest: 73,
  /** Waiting for an approval (--no-wait, or --wait timed out). */
  approvalPending: 75,
  /** Denied by the policy or by an approver, or the approval expired. */
  denied: 77,
  /** The command ran past its timeout. */
  timedOut: 124,
  /** The command was cancelled. */
  cancelled: 130,
} as const;

/** Where the state lives: enough to open the store without an executor (audit verify, export). */
export const storeOptions = {
  workspace: { type: "string" },
  "state-dir": { type: "string" },
  store: { type: "string" },
  durability: { type: "string" },
  json: { type: "boolean" },
} as const;

export const storeSchema = {
  workspace: z.string().optional(),
  "state-dir": z.string().optional(),
  store: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, {
      error: "must be sqlite:PATH, postgres://… or postgresql://…",
    })
    .optional(),
  durability: z.enum(["full", "relaxed"], { error: "must be full or relaxed" }).default("full"),
  json: z.boolean().optional(),
};

export const storeHelp = `  --store URL          where state and the audit log live: sqlite:PATH or postgres://USER@HOST/DB[?schema=NAME]
                       (default: $WSOPS_STORE_URL, else SQLite at <state-dir>/state.db)
  --durability MODE    full (default): every commit is on disk before anything runs or is reported;
                       relaxed: survives a crash of wsops, may lose the last commits on power loss
                       (SQLite) or a database-server crash (PostgreSQL)
  --state-dir DIR      local state (default: $WSOPS_STATE_DIR, else
                       \${XDG_STATE_HOME:-~/.local/state}/wsops/<workspace id>-<hash of its path>)`;

/** The store the flags name, as the executor would open it. */
export function storeSelectionOf(values: {
  workspace?: string | undefined;
  "state-dir"?: string | undefined;
  store?: string | undefined;
  durability: "full" | "relaxed";
}) {
  return { url: values.store, stateDir: stateDirOf(values), durability: values.durability };
}

export const commonOptions = {
  ...storeOptions,
  mode: { type: "string" },
  events: { type: "string", multiple: true },
  "events-mode": { type: "string" },
  sandbox: { type: "string" },
} as const;

export const commonSchema = {
  ...storeSchema,
  mode: z
    .enum(["governed", "observe", "disabled"], { error: "must be governed, observe or disabled" })
    .default("governed"),
  events: z.array(z.string().min(1, { error: "names no target" })).optional(),
  "events-mode": z
    .enum(["structured", "binary"], { error: "must be structured or binary" })
    .default("structured"),
  sandbox: z
    .enum(["auto", "required", "process", "bubblewrap"], {
      error: "must be auto, required, process or bubblewrap",
    })
    .default("auto"),
};

export const commonHelp = `Common options:
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --mode MODE          governed (default): nothing runs until allowed or approved; observe: decide and
                       record, never block; disabled: no governance, just record
  --sandbox KIND       auto (default: bubblewrap when installed), required (fail closed without it),
                       process, bubblewrap
  --events TARGET      also send the lifecycle events (CloudEvents) to - (stdout, JSONL), a FILE
                       (JSONL, appended) or an http(s)://URL (one POST per event); repeatable. A slow
                       or dead target never delays a decision or the command; what it did not get is
                       reported on stderr at exit (the store has every event)
  --events-mode MODE   HTTP content mode: structured (default) or binary
  --json               print machine-readable JSON`;

export const principalSchema = z
  .string()
  .regex(/^(user|agent|service):[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, {
    error: "must be TYPE:ID with TYPE user, agent or service",
  })
  .transform((s) => {
    const at = s.indexOf(":");
    return { type: s.slice(0, at) as "user" | "agent" | "service", id: s.slice(at + 1) };
  });

export function workspaceOf(values: { workspace?: string | undefined }): string {
  return resolve(values.workspace ?? process.cwd());
}

export { workspaceIdOf } from "@workspace-ops/executor";

/** --state-dir, else the executor's default for the workspace (outside it). */
export function stateDirOf(values: { workspace?: string | undefined; "state-dir"?: string | undefined }) {
  return resolve(values["state-dir"] ?? defaultStateDir(workspaceOf(values)));
}

export async function openExecutor(
  values: {
    workspace?: string | undefined;
    "state-dir"?: string | undefined;
    mode: ExecutorOptions["mode"];
    events?: string[] | undefined;
    "events-mode": "structured" | "binary";
    sandbox: string;
    json?: boolean | undefined;
    store?: string | undefined;
    durability: "full" | "relaxed";
  },
  extra: Partial<ExecutorOptions> = {},
  io?: Io,
): Promise<Executor> {
  // The executor decides with the bundle it is given; an author who edited <workspace>/policies and
  // did not rebuild would otherwise be governed by the old rules without a word.
  if (io) {
    const bundleDir = extra.bundleDir ?? defaultBundleDir;
    const warning = await staleBundleWarning(bundleDir, join(workspaceOf(values), "policies"));
    if (warning)
      io.stderr(`wsops: warning: ${warning}; decisions come from ${bundleDir} (npm run build rebuilds it)\n`);
  }
  if (values.events?.includes("-") && values.json)
    throw new UsageError("--events - and --json both write to stdout; send events to a file");
  const sinks: EventSink[] = [];
  try {
    for (const target of values.events ?? [])
      sinks.push(await openEventSink(target, { httpMode: values["events-mode"] }));
  } catch (error) {
    await Promise.all(sinks.map((sink) => sink.close?.()));
    if (error instanceof SinkTargetError) throw new UsageError(`--events: ${error.message}`);
    throw error;
  }
  return Executor.open({
    workspaceRoot: workspaceOf(values),
    stateDir: stateDirOf(values),
    ...(values.store ? { store: values.store } : {}),
    durability: values.durability,
    mode: values.mode,
    sinks,
    sandbox:
      values.sandbox === "required"
        ? { backend: "bubblewrap", required: true }
        : { backend: values.sandbox as "auto" | "process" | "bubblewrap", required: false },
    ...extra,
  });
}

/**
 * Closes the executor (its sinks get up to 3 s to take what is queued) and says on stderr which
 * events a sink did not get. That never changes the exit code: the store has every event.
 */
export async function closeExecutor(executor: Executor, io: Io): Promise<void> {
  await executor.close();
  for (const report of executor.eventDelivery()) {
    const dropped = droppedCount(report);
    if (dropped === 0) continue;
    const { failed, queueFull, unsent } = report.dropped;
    const why = [
      failed ? `${failed} failed` : "",
      queueFull ? `${queueFull} over a full queue` : "",
      unsent ? `${unsent} still queued at exit` : "",
    ].filter(Boolean);
    const last = report.lastFailure ? `; last failure: ${report.lastFailure.message}` : "";
    io.stderr(
      `wsops: events: ${dropped} of ${dropped + report.delivered} not delivered to ${report.target} (${why.join(", ")}${last}); the store has them all (wsops logs ID)\n`,
    );
  }
}

/**
 * The executor refused the request before anything was decided: say why; exit 65 when it was
 * invalid, 73 when its id was taken.
 */
export function reportRejection(
  io: import("../io.js").Io,
  rejected: { error: ExecutorError; errors?: ContractError[] },
  json: boolean | undefined,
): number {
  if (json)
    io.stdout(`${JSON.stringify({ error: rejected.error, errors: rejected.errors ?? [] }, null, 2)}\n`);
  else {
    io.stderr(`wsops: ${rejected.error.message}\n`);
    for (const e of rejected.errors ?? []) io.stderr(`  ${e.pointer || "/"}  ${e.message}\n`);
  }
  if (rejected.error.code === "request_invalid") return ExecExit.invalidRequest;
  return rejected.error.code === "duplicate_request" ? ExecExit.duplicateRequest : 1;
}
