// keys create | list: the Ed25519 keys approvers sign resolutions with, and the audit keys that sign
// a store's audit head. Keys live in ${XDG_CONFIG_HOME:-~/.config}/wsops/keys, never in a workspace.
import {
  createApproverKey,
  createAuditKey,
  ensureStateDir,
  listKeys,
  openStore,
} from "@workspace-ops/executor";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import {
  principalSchema,
  storeHelp,
  storeOptions,
  storeSchema,
  storeSelectionOf,
} from "./executor-shared.js";

export const keysUsage = `Usage:
  wsops keys create --principal TYPE:ID     an approver's signing key (prints the public key for a profile)
  wsops keys create --audit [store options] the key that signs this workspace's audit head on every commit
  wsops keys list                           every key pair in the keys directory

Keys are Ed25519 key pairs in \${XDG_CONFIG_HOME:-~/.config}/wsops/keys: NAME.key (the private key,
mode 0600, never overwritten) and NAME.pub. An approver's key is named after the principal
(user:alice.key); an audit key after the store it signs. Under bubblewrap no command can read them.

Options:
  --workspace DIR      the workspace root (default: the current directory), for --audit
${storeHelp}
  --json               print machine-readable JSON

Exit codes: 0 created or listed; 1 a key of that name already exists; 69 the store cannot be opened
(--audit); 2 usage error.
`;

export async function keysCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...storeOptions, principal: { type: "string" }, audit: { type: "boolean" } },
    z.object({ ...storeSchema, principal: principalSchema.optional(), audit: z.boolean().optional() }),
  );
  const [action, ...rest] = positionals;
  if (rest.length > 0 || (action !== "create" && action !== "list"))
    throw new UsageError("say create or list: wsops keys create --principal user:alice | wsops keys list");
  if (action === "list") {
    if (values.principal || values.audit)
      throw new UsageError("--principal and --audit belong to keys create");
    return list(io, values.json);
  }
  if (Boolean(values.principal) === Boolean(values.audit))
    throw new UsageError("keys create needs either --principal TYPE:ID or --audit");
  if (values.principal) {
    const made = await createApproverKey(values.principal);
    const approver = { principal: values.principal, publicKey: made.publicKey };
    if (values.json) io.stdout(`${JSON.stringify({ ...made, approver }, null, 2)}\n`);
    else
      io.stdout(
        [
          `created ${made.privateKeyPath} (private, mode 0600) and ${made.publicKeyPath}`,
          `public key: ${made.publicKey}`,
          "",
          "To let this key approve, list it in the profile's approvers:",
          `  "approvers": [${JSON.stringify(approver)}]`,
          `Then: wsops approve ID --by ${values.principal.type}:${values.principal.id} signs with it.`,
          "",
        ].join("\n"),
      );
    return ExitCode.ok;
  }
  // The audit key is named after the store, as the executor that signs with it will open it.
  const selection = storeSelectionOf(values);
  // The first command of a workspace may be this one: its state directory is made 0700, as an executor makes it.
  await ensureStateDir(selection.stateDir);
  const store = await openStore(selection);
  const location = store.location;
  await store.close();
  const made = await createAuditKey(location);
  if (values.json) io.stdout(`${JSON.stringify({ ...made, store: location }, null, 2)}\n`);
  else
    io.stdout(
      [
        `created ${made.privateKeyPath} (private, mode 0600) and ${made.publicKeyPath}`,
        `public key: ${made.publicKey}`,
        `From the next commit on, every executor of this user on ${location} signs its audit head with it;`,
        "wsops audit verify checks the signature. Keep a copy of the public key elsewhere too: whoever can",
        "replace both files can sign a forged log (docs/security.md).",
        "",
      ].join("\n"),
    );
  return ExitCode.ok;
}

function list(io: Io, json: boolean | undefined): number {
  const { keys, problems } = listKeys();
  if (json) io.stdout(`${JSON.stringify({ keys, problems }, null, 2)}\n`);
  else {
    if (keys.length === 0 && problems.length === 0)
      io.stdout("no keys (wsops keys create --principal TYPE:ID)\n");
    for (const key of keys) {
      const what =
        "principal" in key.info
          ? `approver ${(key.info.principal as { type: string; id: string }).type}:${(key.info.principal as { id: string }).id}`
          : "audit" in key.info
            ? `audit key of ${(key.info.audit as { store: string }).store}`
            : "key";
      io.stdout(
        `${key.publicKey}  ${what}${key.privateKeyPath ? "" : " (public half only)"}  ${key.publicKeyPath}\n`,
      );
    }
    for (const problem of problems) io.stderr(`wsops keys: cannot read ${problem}\n`);
  }
  return ExitCode.ok;
}
