import { bubblewrapArgs } from "./bubblewrap-args.js";
import { confineCwd } from "./confine-cwd.js";
import { scrubbedEnvironment } from "./environment.js";
import { OutputCapture } from "./output-capture.js";
import { resolveCommand } from "./resolve-command.js";
import { selectBackend } from "./select-backend.js";
import { type Supervised, type SuperviseOptions, supervise } from "./supervise.js";
import type { Backend, CompletedRun, RunOutcome, RunResult, RunSpec } from "./types.js";
import { unavailable } from "./unavailable.js";
import { validateSpec } from "./validate-spec.js";

/**
 * Runs one command confined to its workspace with a scrubbed environment, a timeout that ends its
 * whole process group, and capped output. Never throws for a bad spec or a failed start: those are
 * `unavailable` results, and then nothing has run.
 */
export async function runSandboxed(spec: RunSpec): Promise<RunResult> {
  const valid = validateSpec(spec);
  if (!valid.ok) return unavailable(valid.code, valid.message, null);
  const choice = selectBackend(spec);
  if (!choice.ok) return unavailable(choice.code, choice.message, choice.backend);
  const { backend } = choice;
  const place = confineCwd(spec.workspaceRoot, spec.cwd);
  if (!place.ok) return unavailable(place.code, place.message, backend);

  const env = scrubbedEnvironment(
    spec.envAllowlist,
    spec.baseEnv ?? process.env,
    spec.traceparent,
    valid.value.traceId,
  );
  const { command } = valid.value;
  const [argv0 = "", ...args] = command;
  const executable = resolveCommand(argv0, env, place.value.cwd);
  if (!executable.ok) return unavailable(executable.code, executable.message, backend);

  const startedAt = new Date();
  const t0 = performance.now();
  if (spec.signal?.aborted)
    return completed("cancelled", notRun(spec.maxOutputBytes), backend, startedAt, t0);

  const common = {
    env,
    timeoutMs: spec.timeoutSeconds * 1000,
    killGraceMs: valid.value.killGraceMs,
    maxOutputBytes: spec.maxOutputBytes,
    signal: spec.signal,
    onOutput: spec.onOutput,
  } satisfies Partial<SuperviseOptions>;
  const run =
    choice.backend === "bubblewrap"
      ? await supervise({
          ...common,
          file: choice.bwrapPath,
          args: bubblewrapArgs({
            ...place.value,
            filesystem: spec.filesystem ?? "workspace-write",
            env,
            command,
          }),
          cwd: place.value.cwd,
        })
      : // The checked file itself, so PATH is not searched a second time; argv[0] stays as given.
        await supervise({ ...common, file: executable.value, argv0, args, cwd: place.value.cwd });

  if (!run.spawned)
    return unavailable("spawn_failed", `could not start ${JSON.stringify(argv0)}: ${run.message}`, backend);
  return completed(outcomeOf(run), run, backend, startedAt, t0);
}

function outcomeOf(run: Extract<Supervised, { spawned: true }>): RunOutcome {
  if (run.stoppedBy === "timeout") return "timed_out";
  if (run.stoppedBy === "cancel") return "cancelled";
  return run.exitCode === 0 ? "succeeded" : "failed";
}

type Ended = Pick<CompletedRun, "exitCode" | "signal" | "stdout" | "stderr">;

function completed(
  outcome: RunOutcome,
  ended: Ended,
  backend: Backend,
  startedAt: Date,
  t0: number,
): CompletedRun {
  const durationMs = Math.round(performance.now() - t0);
  return {
    outcome,
    exitCode: ended.exitCode,
    signal: ended.signal,
    backend,
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
    durationMs,
    stdout: ended.stdout,
    stderr: ended.stderr,
  };
}

/** Cancelled before the start: nothing ran, nothing was written. */
function notRun(maxOutputBytes: number): Ended {
  return {
    exitCode: null,
    signal: null,
    stdout: new OutputCapture(maxOutputBytes).finish(),
    stderr: new OutputCapture(maxOutputBytes).finish(),
  };
}
