// wsops gateway: the model gateway (@workspace-ops/model-gateway) on a local port until a signal
// ends it. Parsing, printing and exit codes only.
import { resolve } from "node:path";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { type Io, UsageError } from "../io.js";
import { ExecExit, openExecutor, storeHelp, storeOptions, storeSchema } from "./executor-shared.js";

export const gatewayUsage = `Usage: wsops gateway --persona NAME --upstream PROVIDER=URL... [options]

An OpenAI-compatible POST /v1/chat/completions for one persona. Every call is routed through the
persona's model binding and fallback chain by the model_call policy, its estimate reserved against the
persona's per-minute budgets, and its stream metered: a stream is cut when a budget runs out, a
provider that fails moves the call to the next entry. Refusals: 412 capability_unmet, 429
budget_exhausted, 503 no provider or no policy, 403 any other deny. Runs until SIGINT or SIGTERM.

Options:
  --persona NAME       the persona every call is made for (its binding comes from model_provider.bind)
  --upstream P=URL     the base URL of provider P's OpenAI-compatible API, e.g.
                       openai=https://api.openai.com/v1 (repeat for each provider of the chain)
  --listen HOST:PORT   where to listen (default 127.0.0.1:8790; port 0 picks a free one)
  --secrets-dir DIR    where secretref://file/PATH credentials are (default: $WSOPS_SECRETS_DIR);
                       env://VAR credentials come from this process's environment
  --max-tokens N       output tokens to expect of a request without max_tokens (default 1024)
  --block-tokens N     tokens a reservation grows by while a stream runs (default 256)
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --json               print where it listens as one JSON line

Prints where it listens on stdout, one line per call on stderr (ids, route, outcome, tokens; never a
credential). Exit codes: 0 stopped by a signal; 69 cannot listen or the store is unavailable; 2 usage error.
`;

const count = (flag: string) =>
  z.coerce
    .number({ error: `${flag} must be a number` })
    .int()
    .positive({ error: `${flag} must be positive` });

export async function gatewayCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...storeOptions,
      persona: { type: "string" },
      upstream: { type: "string", multiple: true },
      listen: { type: "string" },
      "secrets-dir": { type: "string" },
      "max-tokens": { type: "string" },
      "block-tokens": { type: "string" },
    },
    z.object({
      ...storeSchema,
      persona: z
        .string({ error: "is required" })
        .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, { error: "must be an identifier" }),
      upstream: z
        .array(
          z.string().regex(/^[a-z][a-z0-9-]{0,63}=https?:\/\/.+$/, {
            error: "must be PROVIDER=URL with a lowercase provider name and an http(s) URL",
          }),
          { error: "is required (PROVIDER=URL, one per provider)" },
        )
        .min(1),
      listen: z
        .string()
        .regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, { error: "must be HOST:PORT" })
        .default("127.0.0.1:8790"),
      "secrets-dir": z.string().optional(),
      "max-tokens": count("--max-tokens").default(1024),
      "block-tokens": count("--block-tokens").default(256),
    }),
  );
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`);
  const upstreams: Record<string, string> = {};
  for (const pair of values.upstream) {
    const at = pair.indexOf("=");
    const [name, url] = [pair.slice(0, at), pair.slice(at + 1)];
    if (Object.hasOwn(upstreams, name)) throw new UsageError(`--upstream ${name} is given twice`);
    try {
      new URL(url);
    } catch {
      throw new UsageError(`--upstream ${name}: ${url} is not a URL`);
    }
    upstreams[name] = url;
  }
  const colon = values.listen.lastIndexOf(":");
  const host = values.listen.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(values.listen.slice(colon + 1));
  if (port > 65535) throw new UsageError("--listen: the port must be at most 65535");
  const secretsDir = values["secrets-dir"] ?? process.env.WSOPS_SECRETS_DIR;

  const { credentialResolver, startGateway } = await import("@workspace-ops/model-gateway");
  const executor = await openExecutor(
    { ...values, mode: "governed", sandbox: "auto", "events-mode": "structured" },
    {},
    io,
  );
  let gateway: Awaited<ReturnType<typeof startGateway>>;
  try {
    gateway = await startGateway({
      executor,
      persona: values.persona,
      upstreams,
      credentials: credentialResolver(secretsDir ? { secretsDir: resolve(secretsDir) } : {}),
      defaultMaxTokens: values["max-tokens"],
      meter: { blockTokens: values["block-tokens"] },
      log: (line) => io.stderr(`wsops gateway: ${line}\n`),
      host,
      port,
    });
  } catch (error) {
    await executor.close();
    io.stderr(
      `wsops gateway: cannot listen on ${values.listen}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return ExecExit.unavailable;
  }
  const url = `${gateway.url}/v1`;
  if (values.json)
    io.stdout(`${JSON.stringify({ url, persona: values.persona, upstreams: Object.keys(upstreams) })}\n`);
  else
    io.stdout(
      `wsops gateway: ${url} for persona ${values.persona} (upstreams: ${Object.keys(upstreams).join(", ")})\n`,
    );
  await new Promise<void>((stopped) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      stopped();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await gateway.close();
  await executor.close();
  return 0;
}
