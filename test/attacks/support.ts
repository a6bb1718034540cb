// What every attack needs: a workspace inside a fake HOME (outside /tmp, which the sandbox replaces
// anyway), the real wsops binary run with that HOME, and governance set up the way a user would.
import { spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { ToolExecutionResult } from "@workspace-ops/contracts";
import { defaultStateDir } from "@workspace-ops/executor";
import type { AuditRecord } from "@workspace-ops/store";

export const repoRoot = new URL("../../", import.meta.url).pathname;
const bin = join(repoRoot, "packages/cli/bin/wsops.js");

/** The agent every attack runs as; grants name it. */
export const ATTACKER = "agent:attacker";

export interface Place {
  home: string;
  workspace: string;
  /** The environment wsops runs with: the fake HOME, nothing pointing the state elsewhere. */
  env: Record<string, string>;
  stateDir: string;
}

const made: string[] = [];

/** Removes every fake HOME this test file made (call it from afterAll). */
export function removePlaces(): void {
  for (const home of made.splice(0)) rmSync(home, { recursive: true, force: true });
}

/** A fresh fake HOME under /var/tmp with a workspace at ~/src/app holding notes.txt. */
export function place(extraEnv: Record<string, string> = {}): Place {
  const home = realpathSync(mkdtempSync("/var/tmp/wsops-attack-"));
  made.push(home);
  const workspace = join(home, "src", "app");
  mkdirSync(workspace, { recursive: true });
  writeFileSync(join(workspace, "notes.txt"), "hello\n");
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
    HOME: home,
    LANG: "C.UTF-8",
    WSOPS_DEBUG: "",
    ...extraEnv,
  };
  return { home, workspace, env, stateDir: defaultStateDir(workspace, env) };
}

export interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The real wsops binary in the workspace, optionally inside a network namespace. */
export function wsops(at: Place, args: string[], options: { netns?: string; input?: string } = {}): Ran {
  const argv = [process.execPath, bin, ...args];
  const [file, ...rest] = options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : argv;
  const run = spawnSync(file as string, rest, {
    cwd: at.workspace,
    env: at.env,
    input: options.input ?? "",
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** `wsops exec --json` as the attacker: the exit code and the recorded ToolExecutionResult. */
export function execJson(
  at: Place,
  argv: string[],
  options: { sandbox?: string; netns?: string } = {},
): { code: number | null; result: ToolExecutionResult; stderr: string } {
  // --no-wait: a call that needs approval is parked, never waited for.
  const flags = ["--json", "--no-wait", "--actor", ATTACKER, "--sandbox", options.sandbox ?? "bubblewrap"];
  const ran = wsops(at, ["exec", ...flags, "--", ...argv], options.netns ? { netns: options.netns } : {});
  try {
    return { code: ran.code, result: JSON.parse(ran.stdout) as ToolExecutionResult, stderr: ran.stderr };
  } catch {
    throw new Error(`wsops exec printed no result (exit ${ran.code}): ${ran.stdout}\n${ran.stderr}`);
  }
}

/** A ToolExecutionRequest file the attacker sends (`wsops exec --request FILE`), with a known id. */
export function requestFile(at: Place, tool: object): { id: string; file: string } {
  const id = `texec-${randomUUID()}`;
  const file = join(at.home, `request-${id}.json`);
  const [type, actor] = ATTACKER.split(":");
  writeFileSync(
    file,
    JSON.stringify({
      kind: "ToolExecutionRequest",
      apiVersion: "workspace-ops.dev/v1",
      toolExecutionId: id,
      requestedAt: new Date().toISOString(),
      context: {
        organizationId: "local",
        workspaceId: "app",
        sessionId: "s",
        agentRunId: "r",
        agentRunStepId: id,
        actor: { type, id: actor },
        surface: "cli",
        cwd: ".",
      },
      tool,
      correlation: { traceparent: `00-${randomUUID().replaceAll("-", "")}-${"1".repeat(16)}-01` },
    }),
  );
  return { id, file };
}

const now = () => new Date();
const later = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

/** A WorkspaceOperationContract the attacker is delegated to submit. */
function operation(operationType: string, artifact: object) {
  const [type, id] = ATTACKER.split(":");
  const traceparent = `00-${randomUUID().replaceAll("-", "")}-${randomUUID().replaceAll("-", "").slice(0, 16)}-01`;
  return {
    kind: "WorkspaceOperationContract",
    apiVersion: "workspace-ops.dev/v1",
    workspaceOperation: {
      operationId: `op-${randomUUID()}`,
      operationType,
      commandRef: "cmd://attack-setup",
      requestedAt: now().toISOString(),
      workspace: { organizationId: "local", workspaceId: "app", root: "/workspace" },
    },
    operationTask: { taskId: `task-${randomUUID()}`, state: "pending" },
    delegation: {
      delegator: { type: "user", id: "owner" },
      delegate: { type, id },
      scopes: [operationType],
      issuedAt: new Date(Date.now() - 60_000).toISOString(),
      expiresAt: later(2),
    },
    controls: {
      delegatedAuthorityRequired: true,
      ambientAuthority: false,
      durableWorkspaceState: { mode: "operation-contract-only", externalWrites: false },
    },
    budget: { maxWallClockSeconds: 600, maxSteps: 10 },
    artifact,
    lifecycle: { emits: ["dev.workspace-ops.operation.started", "dev.workspace-ops.operation.completed"] },
    audit: { traceparent },
  };
}

/** Submits an operation through `wsops submit`; throws unless it succeeded. */
export function submit(at: Place, operationType: string, artifact: object, netns?: string): void {
  const file = join(at.home, `op-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(operation(operationType, artifact)));
  const ran = wsops(at, ["submit", file], netns ? { netns } : {});
  if (ran.code !== 0)
    throw new Error(`submit ${operationType} failed (exit ${ran.code}): ${ran.stdout}${ran.stderr}`);
}

/** The workspace's profile: bubblewrap, the given sandbox settings, PATH and HOME passed (and `extra` fields). */
export function useProfile(at: Place, sandbox: object, netns?: string, extra: object = {}): void {
  submit(
    at,
    "agent_machine.profile.create",
    {
      kind: "AgentMachineProfile",
      apiVersion: "workspace-ops.dev/v1",
      profileId: "profile-attack",
      persona: "coder",
      allowedOperationTypes: ["agent_machine.execution.start", "agent_machine.tool_grant.apply"],
      sandbox: { network: "none", filesystem: "workspace-write", ...sandbox },
      envAllowlist: ["PATH", "HOME"],
      defaultBudget: { maxWallClockSeconds: 600, maxSteps: 20 },
      ...extra,
    },
    netns,
  );
}

/** A grant to the attacker to run `program` with any arguments: the "allowed command" of every attack. */
export function grant(at: Place, program: string, netns?: string): void {
  const [type, id] = ATTACKER.split(":");
  submit(
    at,
    "agent_machine.tool_grant.apply",
    {
      kind: "ToolGrantRecord",
      apiVersion: "workspace-ops.dev/v1",
      grantId: `grant-${program}-${randomUUID().slice(0, 8)}`,
      tool: { kind: "shell", name: program, argvPattern: [], allowExtraArgs: true },
      grantee: { type, id },
      grantor: { type: "user", id: "owner" },
      grantedAt: new Date(Date.now() - 60_000).toISOString(),
      expiresAt: later(2),
    },
    netns,
  );
}

/** Writes an attack script into the workspace; returns its name (relative to the workspace). */
/**
 * Hands a script its arguments in a workspace file, as an agent would to keep paths off the command
 * line: a command that names the state or a credential store is denied before it runs, so these
 * attacks meet the sandbox only when the paths do not appear in argv. An ES module script reads them
 * with the expression `SMUGGLED`.
 */
export function smuggle(at: Place, args: string[]): void {
  writeFileSync(join(at.workspace, "args.json"), JSON.stringify(args));
}

export const SMUGGLED = `JSON.parse((await import("node:fs")).readFileSync("args.json", "utf8"))`;

export function script(at: Place, name: string, source: string): string {
  writeFileSync(join(at.workspace, name), source);
  return name;
}

/** Every file under `dir`, with its bytes. */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files.set(full, readFileSync(full, "latin1"));
    }
  };
  walk(dir);
  return files;
}

/** Whether `text` occurs in any file under `dir`. */
export const foundUnder = (dir: string, text: string): string[] =>
  [...snapshot(dir)].filter(([, bytes]) => bytes.includes(text)).map(([path]) => path);

/** The audit records of the workspace's store, as `wsops audit export` writes them (header dropped). */
export const auditRecords = (at: Place): AuditRecord[] =>
  wsops(at, ["audit", "export"])
    .stdout.trimEnd()
    .split("\n")
    .slice(1)
    .map((line) => JSON.parse(line));

/** Root can make network namespaces and mount namespaces; the CI runs as root. */
export const isRoot = process.getuid?.() === 0;
