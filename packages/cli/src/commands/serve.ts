// wsops serve: the HTTP API and the web app (approval inbox, timeline) over this workspace's store.
// A thin shell over @workspace-ops/server: flags, the runtime token file, signals, exit codes.
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { stateFlagsOf } from "./agent-shared.js";
import {
  closeExecutor,
  openExecutor,
  stateDirOf,
  storeHelp,
  storeOptions,
  storeSchema,
} from "./executor-shared.js";

export const serveUsage = `Usage: wsops serve [--listen HOST:PORT] [--public-url URL] [--session-minutes N]
                   [--runtime-token-file FILE] [--workspace DIR] [--store URL] [--json]

Serves the HTTP API (OpenAPI 3.1 at /openapi.json) and the web app — the approval inbox and the
session timeline — over the workspace's store (with a PostgreSQL store: every machine sharing it).
Approvers sign in with their key: wsops login URL --principal TYPE:ID. Agent runtimes decide with
POST /api/v1/decide and the runtime token. Runs until interrupted (SIGINT, SIGTERM). docs/serve.md.

Options:
  --listen HOST:PORT       where to listen (default 127.0.0.1:7420; port 0 picks a free one). Only
                           loopback by default: put a TLS proxy in front to serve other machines
  --public-url URL         the URL people open, when a proxy is in front (https: makes the cookie Secure)
  --session-minutes N      how long a sign-in lasts (default 60, at most 1440)
  --runtime-token-file FILE  the runtime token for decide (default: <state-dir>/serve-runtime.token,
                           made on first start, mode 0600)
  --workspace DIR          the workspace root (default: the current directory)
${storeHelp}
  --json                   print where it listens as one JSON line

Exit codes: 0 stopped by a signal; 69 the store cannot be opened or the address is taken; 2 usage error.
`;

function listenOf(text: string): { host: string; port: number } {
  const match = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || port > 65535) throw new UsageError("--listen: must be HOST:PORT (127.0.0.1:7420, [::1]:0)");
  return { host: (match[1] as string).replace(/^\[|\]$/g, ""), port };
}

/** The runtime token: read from the file given, else from (or made into) the state directory's. */
async function runtimeToken(
  file: string | undefined,
  stateDir: string,
): Promise<{ token: string; file: string }> {
  const path = file ?? join(stateDir, "serve-runtime.token");
  try {
    const token = (await readFile(path, "utf8")).trim();
    if (!/^[A-Za-z0-9_-]{16,256}$/.test(token))
      throw new UsageError(`${path}: a runtime token is 16 to 256 letters, digits, - and _`);
    return { token, file: path };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT" || file !== undefined) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`--runtime-token-file: cannot read ${path}: ${(error as Error).message}`);
    }
  }
  const token = randomBytes(32).toString("base64url");
  await writeFile(path, `${token}\n`, { mode: 0o600, flag: "wx" });
  return { token, file: path };
}

export async function serveCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...storeOptions,
      listen: { type: "string" },
      "public-url": { type: "string" },
      "session-minutes": { type: "string" },
      "runtime-token-file": { type: "string" },
    },
    z.object({
      ...storeSchema,
      listen: z.string().default("127.0.0.1:7420"),
      "public-url": z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
      "session-minutes": z.coerce.number({ error: "must be a number" }).int().min(1).max(1440).default(60),
      "runtime-token-file": z.string().optional(),
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected ${positionals[0]}`);
  const listen = listenOf(values.listen);
  const { startServer } = await import("@workspace-ops/server");
  const executor = await openExecutor(
    { ...values, mode: "governed", "events-mode": "structured", sandbox: "auto" },
    {},
    io,
  );
  let server: Awaited<ReturnType<typeof startServer>>;
  let token: { token: string; file: string };
  try {
    token = await runtimeToken(values["runtime-token-file"], stateDirOf(values));
    server = await startServer({
      executor,
      host: listen.host,
      port: listen.port,
      ...(values["public-url"] ? { publicUrl: values["public-url"] } : {}),
      sessionSeconds: values["session-minutes"] * 60,
      runtimeToken: token.token,
      approveFlags: stateFlagsOf(values),
      log: (line) => io.stderr(`${line}\n`),
    });
  } catch (error) {
    await closeExecutor(executor, io);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE" || code === "EACCES" || code === "EADDRNOTAVAIL") {
      io.stderr(`wsops serve: cannot listen on ${values.listen}: ${(error as Error).message}\n`);
      return ExitCode.storeUnavailable;
    }
    throw error;
  }
  const where = {
    url: server.url,
    inbox: server.url,
    openapi: `${server.url}openapi.json`,
    runtimeTokenFile: token.file,
  };
  if (values.json) io.stdout(`${JSON.stringify(where)}\n`);
  else
    io.stdout(
      [
        `wsops serve: listening on ${server.url}`,
        `  inbox:          ${server.url}`,
        `  API:            ${where.openapi}`,
        `  runtime token:  ${token.file}`,
        `  sign in:        wsops login ${server.url} --principal TYPE:ID`,
        "",
      ].join("\n"),
    );
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  await closeExecutor(executor, io);
  return ExitCode.ok;
}
