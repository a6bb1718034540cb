// wsops login URL: signs in to a wsops serve with an approver's key, which never leaves this machine
// (it signs a short-lived delegation to a key the server made for this sign-in). Prints the one-time
// link to open in a browser, or the token for headless use.
import { listKeys, loadApproverKey } from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { principalSchema } from "./executor-shared.js";

export const loginUsage = `Usage: wsops login URL [--principal TYPE:ID] [--key FILE] [--token] [--json]

Signs in to the wsops serve at URL as an approver: the server proposes a short-lived delegation to a
key it made for this sign-in, this command checks it (this server, this principal, at most 24 hours)
and signs it with the approver's key (wsops keys create --principal TYPE:ID); the server accepts it
when a profile lists that key for the principal. Prints a one-time link that signs a browser in.

Options:
  --principal TYPE:ID  who signs in (default: the one approver key in the keys directory)
  --key FILE           the private key file (default: the principal's in the keys directory)
  --token              print the bearer token for headless use (Authorization: Bearer …) instead
  --json               print {principal, expiresAt, loginUrl, token}

Exit codes: 0 signed in; 1 refused (not an approver, a bad signature, a challenge not for this
server); 69 the server cannot be reached; 2 usage error.
`;

export async function loginCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      principal: { type: "string" },
      key: { type: "string" },
      token: { type: "boolean" },
      json: { type: "boolean" },
    },
    z.object({
      principal: principalSchema.optional(),
      key: z.string().optional(),
      token: z.boolean().optional(),
      json: z.boolean().optional(),
    }),
  );
  const [url, ...rest] = positionals;
  if (!url || rest.length) throw new UsageError("say which server: wsops login URL");
  if (!/^https?:\/\/[^/\s]+/.test(url)) throw new UsageError(`${url}: must be the server's http(s) URL`);
  const principal = values.principal ?? onlyApprover();
  const { login, ServerUnreachable } = await import("@workspace-ops/server/login");
  let key: Awaited<ReturnType<typeof loadApproverKey>>;
  try {
    key = await loadApproverKey(principal, values.key);
  } catch (error) {
    io.stderr(
      `wsops login: ${(error as Error).message} (wsops keys create --principal ${principal.type}:${principal.id})\n`,
    );
    return ExitCode.problems;
  }
  try {
    const outcome = await login(url, principal, key);
    if (!outcome.ok) {
      if (values.json) io.stdout(`${JSON.stringify(outcome, null, 2)}\n`);
      io.stderr(`wsops login: ${outcome.code}: ${outcome.detail}\n`);
      return ExitCode.problems;
    }
    const { login: signedIn } = outcome;
    if (values.json) io.stdout(`${JSON.stringify(signedIn, null, 2)}\n`);
    else if (values.token) io.stdout(`${signedIn.token}\n`);
    else
      io.stdout(
        `signed in as ${principal.type}:${principal.id} until ${signedIn.expiresAt}\nopen this link once in your browser:\n  ${signedIn.loginUrl}\n`,
      );
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof ServerUnreachable) {
      io.stderr(`wsops login: cannot reach ${error.message}\n`);
      return ExitCode.storeUnavailable;
    }
    throw error;
  }
}

/** The principal of the one approver key in the keys directory, or a usage error. */
function onlyApprover(): { type: "user" | "agent" | "service"; id: string } {
  const approvers = listKeys().keys.flatMap((k) =>
    "principal" in k.info && k.privateKeyPath ? [k.info.principal as { type: "user"; id: string }] : [],
  );
  if (approvers.length === 1) return approvers[0] as { type: "user"; id: string };
  throw new UsageError(
    approvers.length === 0
      ? "no approver key here: wsops keys create --principal TYPE:ID, or say --principal and --key"
      : `several approver keys (${approvers.map((p) => `${p.type}:${p.id}`).join(", ")}): say --principal`,
  );
}
