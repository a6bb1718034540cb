import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bubblewrapArgs, proxyEnvironment } from "./bubblewrap-args.js";
import { confineCwd } from "./confine-cwd.js";
import { approverKeysDirs, defaultDeniedPaths, homesOf } from "./default-deny.js";
import { scrubbedEnvironment } from "./environment.js";
import { filesystemPlan, mountArgs } from "./filesystem-plan.js";
import type { FilteringProxy } from "./network/proxy.js";
import { OutputCapture } from "./output-capture.js";
import { resolveCommand } from "./resolve-command.js";
import { selectBackend } from "./select-backend.js";
import { type Supervised, type SuperviseOptions, supervise } from "./supervise.js";
import type { Backend, CompletedRun, RunOutcome, RunResult, RunSpec, SandboxReport } from "./types.js";
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

  const baseEnv = spec.baseEnv ?? process.env;
  const env = scrubbedEnvironment(spec.envAllowlist, baseEnv, spec.traceparent, valid.value.traceId);
  const { command } = valid.value;
  const [argv0 = "", ...args] = command;
  const executable = resolveCommand(argv0, env, place.value.cwd);
  if (!executable.ok) return unavailable(executable.code, executable.message, backend);

  const startedAt = new Date();
  const t0 = performance.now();
  if (spec.signal?.aborted)
    return completed("cancelled", notRun(spec.maxOutputBytes), startedAt, t0, report(spec, backend));

  const common = {
    env,
    timeoutMs: spec.timeoutSeconds * 1000,
    killGraceMs: valid.value.killGraceMs,
    maxOutputBytes: spec.maxOutputBytes,
    signal: spec.signal,
    onOutput: spec.onOutput,
    stdin: spec.stdin,
  } satisfies Partial<SuperviseOptions>;

  if (choice.backend === "process") {
    // The checked file itself, so PATH is not searched a second time; argv[0] stays as given.
    const run = await supervise({ ...common, file: executable.value, argv0, args, cwd: place.value.cwd });
    if (!run.spawned) return spawnFailed(argv0, run.message, backend);
    return completed(outcomeOf(run), run, startedAt, t0, report(spec, backend));
  }

  const plan = filesystemPlan({
    workspace: place.value.root,
    workspaceAccess: spec.filesystem === "read-only" ? "read-only" : "write",
    defaultDenied: defaultDeniedPaths(baseEnv),
    protectedPaths: [...(spec.protectedPaths ?? []), ...approverKeysDirs(baseEnv)],
    home: homesOf(baseEnv)[0] ?? "/",
    ...spec.paths,
  });
  if (!plan.ok) return unavailable(plan.code, plan.message, backend);

  // Per run and private (0700): the empty file hidden files are replaced by, and the proxy's sockets.
  const runtime = await mkdtemp(join(tmpdir(), "wsops-run-"));
  const emptyFile = join(runtime, "empty");
  const socketDir = join(runtime, "proxy");
  let proxy: FilteringProxy | null = null;
  // The proxy (SOCKS5 and HTTP servers, address parsing) is loaded only for an allowlist network.
  let bridgeScript = "";
  try {
    try {
      await writeFile(emptyFile, "", { mode: 0o444 });
      if (spec.network === "allowlist") {
        await mkdir(socketDir, { mode: 0o700 });
        const network = await import("./network/proxy.js");
        bridgeScript = network.BRIDGE_SCRIPT;
        proxy = await network.startFilteringProxy({ dir: socketDir, allowlist: spec.allowlist ?? [] });
      }
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      return unavailable("sandbox_unavailable", `the sandbox could not be prepared: ${why}`, backend);
    }
    const run = await supervise({
      ...common,
      file: choice.bwrapPath,
      args: bubblewrapArgs({
        cwd: place.value.cwd,
        mounts: mountArgs(plan.value, emptyFile),
        env: proxy ? { ...env, ...proxyEnvironment() } : env,
        command,
        ...(proxy ? { bridge: { socketDir, node: process.execPath, script: bridgeScript } } : {}),
      }),
      cwd: place.value.cwd,
    });
    if (!run.spawned) return spawnFailed(argv0, run.message, backend);
    return completed(outcomeOf(run), run, startedAt, t0, report(spec, backend, proxy));
  } finally {
    await proxy?.close();
    await rm(runtime, { recursive: true, force: true });
  }
}

/** What the backend enforced: the process backend nothing, bubblewrap the filesystem and the network. */
function report(spec: RunSpec, backend: Backend, proxy: FilteringProxy | null = null): SandboxReport {
  const requested = spec.network ? { requested: spec.network } : {};
  if (backend === "process") return { backend, isolation: "none", network: { ...requested, access: "host" } };
  if (!proxy) return { backend, isolation: "bubblewrap", network: { ...requested, access: "none" } };
  const { connections, omitted } = proxy.log();
  return {
    backend,
    isolation: "bubblewrap",
    network: {
      ...requested,
      access: "proxy",
      connections,
      ...(omitted > 0 ? { connectionsOmitted: omitted } : {}),
    },
  };
}

const spawnFailed = (argv0: string, message: string, backend: Backend) =>
  unavailable("spawn_failed", `could not start ${JSON.stringify(argv0)}: ${message}`, backend);

function outcomeOf(run: Extract<Supervised, { spawned: true }>): RunOutcome {
  if (run.stoppedBy === "timeout") return "timed_out";
  if (run.stoppedBy === "cancel") return "cancelled";
  return run.exitCode === 0 ? "succeeded" : "failed";
}

type Ended = Pick<CompletedRun, "exitCode" | "signal" | "stdout" | "stderr">;

function completed(
  outcome: RunOutcome,
  ended: Ended,
  startedAt: Date,
  t0: number,
  sandbox: SandboxReport,
): CompletedRun {
  const durationMs = Math.round(performance.now() - t0);
  return {
    outcome,
    exitCode: ended.exitCode,
    signal: ended.signal,
    backend: sandbox.backend,
    startedAt: startedAt.toISOString(),
    endedAt: new Date(startedAt.getTime() + durationMs).toISOString(),
    durationMs,
    stdout: ended.stdout,
    stderr: ended.stderr,
    sandbox,
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
