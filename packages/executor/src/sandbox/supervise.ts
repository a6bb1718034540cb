import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import type { Readable } from "node:stream";
import { setTimeout as delay } from "node:timers/promises";
import { OutputCapture } from "./output-capture.js";
import { groupAlive, terminateGroup } from "./process-group.js";
import type { StreamCapture } from "./types.js";

// How long to keep reading after the group is gone: a process that escaped the group (setsid) may
// hold the pipes open forever, but output already written must still be drained.
const STREAM_DRAIN_GRACE_MS = 1000;
// setTimeout overflows above 2^31-1 ms and would fire at once.
const MAX_TIMER_MS = 2_147_483_647;

export interface SuperviseOptions {
  file: string;
  args: readonly string[];
  /** argv[0] as the command sees it, when `file` is a resolved path. */
  argv0?: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  killGraceMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal | undefined;
  onOutput?: ((stream: "stdout" | "stderr", chunk: Buffer) => void) | undefined;
  /** Piped to the process's standard input; without it, stdin is /dev/null. */
  stdin?: Readable | undefined;
}

export type StopReason = "timeout" | "cancel";

export type Supervised =
  | { spawned: false; message: string }
  | {
      spawned: true;
      exitCode: number | null;
      signal: string | null;
      stoppedBy: StopReason | null;
      stdout: StreamCapture;
      stderr: StreamCapture;
    };

/**
 * Runs one process as the leader of its own process group and returns once it has exited, nothing
 * of its group is left, and its output is read. A timeout or an abort ends the whole group.
 */
export async function supervise(options: SuperviseOptions): Promise<Supervised> {
  let child: ChildProcess;
  try {
    child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      // Own process group (and session, without a controlling terminal), so -pid reaches grandchildren.
      detached: true,
      shell: false,
      stdio: [options.stdin ? "pipe" : "ignore", "pipe", "pipe"],
      ...(options.argv0 === undefined ? {} : { argv0: options.argv0 }),
    });
  } catch (error) {
    return { spawned: false, message: errorMessage(error) };
  }
  const stdout = capture(child.stdout, "stdout", options);
  const stderr = capture(child.stderr, "stderr", options);
  // Not events.once: it would reject (unhandled) when the spawn fails with "error" instead.
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once("exit", (code, signal) => resolve([code, signal])),
  );

  const started = await spawnOutcome(child);
  if (started !== null) {
    destroyStreams(child);
    return { spawned: false, message: started };
  }
  const pgid = child.pid as number; // set once "spawn" has fired
  child.on("error", () => {}); // nothing after the start may throw from an unhandled "error"
  const feeding = feed(options.stdin, child);

  let stoppedBy: StopReason | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (reason: StopReason) => {
    if (stopping) return;
    stoppedBy = reason;
    stopping = terminateGroup(pgid, options.killGraceMs);
  };
  const timer = setTimeout(() => stop("timeout"), Math.min(options.timeoutMs, MAX_TIMER_MS));
  const onAbort = () => stop("cancel");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  const [exitCode, signal] = await exited;
  // The leader's exit decides the outcome; what follows is clean-up.
  feeding.stop();
  clearTimeout(timer);
  options.signal?.removeEventListener("abort", onAbort);
  // Background jobs left in the group must not outlive the run.
  if (!stopping && groupAlive(pgid)) stopping = terminateGroup(pgid, options.killGraceMs);
  await stopping;
  await drainStreams(child);

  return { spawned: true, exitCode, signal, stoppedBy, stdout: stdout.finish(), stderr: stderr.finish() };
}

/**
 * Pipes `input` into the child's stdin until the input ends or the child exits; a child that stops
 * reading (EPIPE) ends the feeding, not the run.
 */
function feed(input: Readable | undefined, child: ChildProcess): { stop: () => void } {
  const sink = child.stdin;
  if (!input || !sink) return { stop: () => {} };
  sink.on("error", () => {});
  input.pipe(sink);
  return {
    stop: () => {
      input.unpipe(sink);
      sink.destroy();
    },
  };
}

/** null once the process has started, else why it could not (ENOENT, EACCES, …). */
function spawnOutcome(child: ChildProcess): Promise<string | null> {
  return new Promise((resolve) => {
    child.once("spawn", () => resolve(null));
    child.once("error", (error) => resolve(errorMessage(error)));
  });
}

function capture(
  stream: Readable | null,
  name: "stdout" | "stderr",
  options: SuperviseOptions,
): OutputCapture {
  const output = new OutputCapture(options.maxOutputBytes);
  stream?.on("data", (chunk: Buffer) => {
    const kept = output.push(chunk);
    if (kept.length === 0 || !options.onOutput) return;
    try {
      options.onOutput(name, kept);
    } catch {
      // A failing log sink must not break supervision of the process.
    }
  });
  // Stream errors (EPIPE after destroy, …) end the stream; the capture keeps what it has.
  stream?.on("error", () => {});
  return output;
}

async function drainStreams(child: ChildProcess): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => s !== null);
  const closed = Promise.all(streams.map((s) => (s.closed ? Promise.resolve() : once(s, "close"))));
  const cancelGrace = new AbortController();
  const grace = delay(STREAM_DRAIN_GRACE_MS, "timeout" as const, { signal: cancelGrace.signal }).catch(
    () => "closed" as const,
  );
  const first = await Promise.race([closed.then(() => "closed" as const), grace]);
  cancelGrace.abort(); // do not hold the event loop open for the rest of the grace
  if (first === "timeout") destroyStreams(child);
}

function destroyStreams(child: ChildProcess): void {
  child.stdout?.destroy();
  child.stderr?.destroy();
}

const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
