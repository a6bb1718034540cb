import type { Readable } from "node:stream";
import type { SandboxReport } from "@workspace-ops/contracts";
import type { PathRules } from "./filesystem-plan.js";

/** One command for the sandbox to run. */
export interface RunSpec {
  /**
   * The command, executed directly (no shell). A bare name (no "/") is looked up on the PATH of the
   * scrubbed environment, so "PATH" must be in `envAllowlist`; otherwise give an absolute argv[0].
   * With `shell: true`, argv must be exactly ["<script>"], run as `/bin/sh -c <script>`.
   */
  argv: string[];
  shell?: boolean;
  /** Absolute path of the workspace; the command cannot start outside it. */
  workspaceRoot: string;
  /** Working directory relative to `workspaceRoot` ("." for the root); an absolute path must lie inside it. */
  cwd: string;
  /** Names copied from `baseEnv`; nothing else reaches the command except TRACE_ID and traceparent. */
  envAllowlist: string[];
  /**
   * The executor's own environment (default: process.env): where allowlisted values come from, and
   * whose HOME, XDG_CONFIG_HOME and user the default list of hidden credential stores is built for.
   */
  baseEnv?: Record<string, string | undefined>;
  /** W3C traceparent; exported to the command as `traceparent` and its trace id as `TRACE_ID`. */
  traceparent: string;
  /** Then SIGTERM to the whole process group, `killGraceMs` later SIGKILL. */
  timeoutSeconds: number;
  /** Default 2000. */
  killGraceMs?: number;
  /** Per stream: bytes beyond this are counted but neither kept, digested nor forwarded. */
  maxOutputBytes: number;
  /** "auto": bubblewrap when it works here, else process (unless `requireSandbox`). */
  backend: "process" | "bubblewrap" | "auto";
  /** Fail closed: run only under bubblewrap; when it is missing or broken nothing runs. */
  requireSandbox?: boolean;
  /**
   * The network the obligations ask for (reported in the result). bubblewrap enforces it: "none" is a
   * private network namespace with only `lo`; "allowlist" is the same plus a filtering proxy that
   * admits `allowlist` only. The process backend enforces neither, and says so in the result.
   */
  network?: "none" | "allowlist";
  /** Entries the filtering proxy admits under network "allowlist": "host", "*.domain", optional ":port". */
  allowlist?: readonly string[];
  /** bubblewrap only: the workspace is bound writable (default) or read-only. */
  filesystem?: "workspace-write" | "read-only";
  /** bubblewrap only: a profile's denyRead, allowRead and allowWrite ("~" is baseEnv's HOME). */
  paths?: PathRules;
  /** bubblewrap only: hidden whatever any rule says (the state directory, approver keys). */
  protectedPaths?: readonly string[];
  /** Cancel: the same group kill as a timeout, outcome "cancelled". */
  signal?: AbortSignal;
  /** Live output, only the kept bytes (so a log written from it matches the digest). */
  onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void;
  /** Piped to the command's standard input; without it the command reads end of file at once. */
  stdin?: Readable;
  /** Test seam: the bwrap executable (default: the first of /usr/bin/bwrap, /usr/local/bin/bwrap). */
  bwrapPath?: string;
}

export interface StreamCapture {
  /** Every byte the command wrote to the stream, kept or not. */
  bytes: number;
  /** "sha256:<hex>" of the kept bytes. */
  digest: string;
  /** The first ≤4096 characters of the kept bytes, decoded as UTF-8. */
  preview: string;
  /** True when bytes beyond maxOutputBytes were dropped. */
  truncated: boolean;
}

export type Backend = "process" | "bubblewrap";

/** Why nothing ran. */
export type UnavailableCode =
  /** cwd is absolute outside the workspace, climbs out with "..", or resolves outside through a symlink. */
  | "cwd_outside_workspace"
  /** bubblewrap was required or selected but is missing or cannot create a sandbox here. */
  | "sandbox_unavailable"
  /** The command, the workspace root or the cwd could not be found, or the OS refused to start it. */
  | "spawn_failed"
  /** argv is empty, contains NUL bytes, or is not ["<script>"] with shell: true. */
  | "argv_invalid"
  /** Another field is malformed: traceparent, timeout, limits, env names, a relative workspaceRoot. */
  | "spec_invalid";

export interface UnavailableReason {
  code: UnavailableCode;
  message: string;
}

export type RunOutcome = "succeeded" | "failed" | "timed_out" | "cancelled";

/** How the command was confined: ToolExecutionResult.sandbox, the contract's SandboxReport. */
export type { SandboxReport } from "@workspace-ops/contracts";

export interface CompletedRun {
  outcome: RunOutcome;
  exitCode: number | null;
  signal: string | null;
  backend: Backend;
  startedAt: string;
  endedAt: string;
  durationMs: number;
  stdout: StreamCapture;
  stderr: StreamCapture;
  sandbox: SandboxReport;
}

export interface UnavailableRun {
  outcome: "unavailable";
  reason: UnavailableReason;
  /** The backend selected when it failed; null when none had been selected yet. */
  backend: Backend | null;
}

export type RunResult = CompletedRun | UnavailableRun;
