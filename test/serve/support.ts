// What the wsops serve tests share: a workspace with a profile that lists alice as its approver (her
// key made by wsops keys create), the real wsops binary, a real `wsops serve` child process on
// loopback, and every HTTP response kept to be checked against the server's OpenAPI document.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { writeProfileOperation } from "../adapters/support.js";

export const repoRoot = new URL("../../", import.meta.url).pathname;
const bin = join(repoRoot, "packages/cli/bin/wsops.js");

export interface Machine {
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** --store URL when the store is shared (PostgreSQL); else the workspace's SQLite. */
  storeFlags: string[];
}

/** A workspace of its own, with a scratch state home and its own keys directory. */
export function machine(store?: string): Machine {
  const home = mkdtempSync(join(tmpdir(), "wsops-serve-"));
  const workspace = join(home, "ws");
  mkdirSync(workspace);
  writeFileSync(join(workspace, "notes.txt"), "hello\n");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    WSOPS_DEBUG: "",
    WSOPS_STATE_DIR: "",
    WSOPS_STORE_URL: "",
    XDG_STATE_HOME: join(home, "state"),
    XDG_CONFIG_HOME: join(home, "config"),
  };
  return { workspace, env, storeFlags: store ? ["--store", store] : [] };
}

export function wsops(at: Machine, args: string[], input = "") {
  const ran = spawnSync(process.execPath, [bin, ...args], {
    cwd: at.workspace,
    env: at.env,
    input,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: ran.status, stdout: ran.stdout, stderr: ran.stderr };
}

/** `wsops keys create --principal` in the machine's keys directory: the public key. */
export function createKey(at: Machine, principal: string): string {
  const ran = wsops(at, ["keys", "create", "--principal", principal, "--json"]);
  if (ran.code !== 0) throw new Error(`keys create: ${ran.stderr}`);
  return (JSON.parse(ran.stdout) as { publicKey: string }).publicKey;
}

/** The workspace's profile (process sandbox), listing these approvers; submitted with wsops submit. */
export function useProfile(at: Machine, approvers: { principal: string; publicKey: string }[]) {
  const file = join(at.workspace, "..", `profile-${Date.now()}.json`);
  writeProfileOperation(file, at.workspace, {
    approvers: approvers.map(({ principal, publicKey }) => {
      const [type, id] = principal.split(":");
      return { principal: { type, id }, publicKey };
    }),
  });
  const ran = wsops(at, ["submit", file, ...at.storeFlags]);
  if (ran.code !== 0) throw new Error(`submit profile: ${ran.stdout}${ran.stderr}`);
}

/** A parked call: `wsops exec --no-wait` of a destructive command as `actor`; its result. */
export function parkedCall(
  at: Machine,
  actor = "agent:coder",
  session = "session-serve",
  argv = ["rm", "notes.txt"],
) {
  const ran = wsops(at, [
    "exec",
    "--no-wait",
    "--json",
    "--sandbox",
    "process",
    "--actor",
    actor,
    "--session",
    session,
    ...at.storeFlags,
    "--",
    ...argv,
  ]);
  if (ran.code !== 75) throw new Error(`exec --no-wait (exit ${ran.code}): ${ran.stdout}${ran.stderr}`);
  return JSON.parse(ran.stdout) as { toolExecutionId: string; approvalRequestId: string; traceId: string };
}

export interface Serving {
  url: string;
  runtimeToken: string;
  process: ChildProcess;
  stderr: () => string;
  stop: () => Promise<number | null>;
}

/** `wsops serve --listen 127.0.0.1:0 --json` as a child process; resolves once it listens. */
export async function serve(at: Machine, extra: string[] = []): Promise<Serving> {
  const child = spawn(
    process.execPath,
    [
      bin,
      "serve",
      "--listen",
      "127.0.0.1:0",
      "--json",
      "--workspace",
      at.workspace,
      ...at.storeFlags,
      ...extra,
    ],
    { cwd: at.workspace, env: at.env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const first = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", resolve);
    child.once("exit", (code) => reject(new Error(`wsops serve exited ${code}: ${stderr}`)));
  });
  const where = JSON.parse(first) as { url: string; runtimeTokenFile: string };
  return {
    url: where.url.replace(/\/$/, ""),
    runtimeToken: readFileSync(where.runtimeTokenFile, "utf8").trim(),
    process: child,
    stderr: () => stderr,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill("SIGTERM");
      }),
  };
}

/** `wsops login URL --json` as the machine's approver: the one-time link and the token. */
export function login(at: Machine, url: string, principal = "user:alice") {
  const ran = wsops(at, ["login", url, "--principal", principal, "--json"]);
  if (ran.code !== 0) throw new Error(`wsops login (exit ${ran.code}): ${ran.stderr}`);
  return JSON.parse(ran.stdout) as { loginUrl: string; token: string; expiresAt: string };
}

export interface Exchange {
  method: string;
  path: string;
  status: number;
  contentType: string;
  body: unknown;
}

/** fetch, keeping every response (its body read once) for the OpenAPI check. */
export class Recorder {
  readonly exchanges: Exchange[] = [];

  async fetch(
    url: string,
    init: RequestInit = {},
  ): Promise<{ status: number; headers: Headers; body: unknown; text: string }> {
    const response = await fetch(url, { redirect: "manual", ...init });
    const text = await response.text();
    const contentType = response.headers.get("content-type") ?? "";
    const body = /json/.test(contentType) && text ? JSON.parse(text) : text;
    this.exchanges.push({
      method: (init.method ?? "GET").toLowerCase(),
      path: new URL(url).pathname,
      status: response.status,
      contentType,
      body,
    });
    return { status: response.status, headers: response.headers, body, text };
  }
}

/**
 * Every kept response against the OpenAPI document: its operation (method and path template), a
 * response declared for its status with its content type, and a body valid against the schema there.
 * Returns what did not fit (empty when everything did).
 */
export function checkAgainstOpenApi(document: Record<string, unknown>, exchanges: Exchange[]): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  addFormats.default(ajv);
  const components = (document.components as { schemas: Record<string, { $id: string }> }).schemas;
  for (const schema of Object.values(components)) ajv.addSchema(schema);
  const paths = document.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, "[^/]+")}$`),
  }));
  const misfits: string[] = [];
  for (const x of exchanges) {
    const where = `${x.method.toUpperCase()} ${x.path} → ${x.status}`;
    const template = templates.find((t) => t.pattern.test(x.path) && paths[t.template]?.[x.method]);
    const operation = template ? paths[template.template]?.[x.method] : undefined;
    if (!operation) {
      // A path the document does not name must answer with a problem (404).
      if (!(x.status === 404 && x.contentType.startsWith("application/problem+json")))
        misfits.push(`${where}: no such operation in the document`);
      continue;
    }
    const declared = operation.responses[String(x.status)] as
      | { content?: Record<string, { schema: object }> }
      | undefined;
    if (!declared) {
      misfits.push(`${where}: status not declared`);
      continue;
    }
    if (!declared.content) continue;
    const type = x.contentType.split(";")[0]?.trim() ?? "";
    const media = declared.content[type];
    if (!media) {
      misfits.push(`${where}: content type ${type} not declared`);
      continue;
    }
    if (type === "text/event-stream" || type === "text/html") continue;
    const validate = ajv.compile(media.schema);
    if (!validate(x.body))
      misfits.push(`${where}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(x.body).slice(0, 300)}`);
  }
  return misfits;
}
