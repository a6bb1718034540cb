// audit verify | export: check the hash-chained audit log in either database, or write a copy that
// verifies on its own. Opens only the store — no executor, no policy.

import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { auditPublicKey, describeStore, openStore } from "@workspace-ops/executor";
import { PUBLIC_KEY_PATTERN } from "@workspace-ops/signing";
import { type AuditVerification, verifyExportFile } from "@workspace-ops/store";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { storeHelp, storeOptions, storeSchema, storeSelectionOf } from "./executor-shared.js";

export const auditUsage = `Usage:
  wsops audit verify [--file EXPORT] [--audit-key PUBLIC_KEY]...
                                           check the audit log (or an export file) and name the first bad
                                           record; with an audit public key, also the head's signature
  wsops audit export [--format jsonl] [--out FILE]
                                           write a copy that verifies on its own (default: to stdout)

Options:
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --audit-key KEY      an audit public key (ed25519:…) the head must be signed by; repeatable. Default
                       for the store: its audit key in the keys directory (wsops keys create --audit),
                       when this user has one
  --json               print machine-readable JSON

Exit codes: verify 0 intact, 1 names the first bad record (head_unsigned, head_signature_invalid: the
head is not signed by the audit key, or the log was rewritten after it was signed); export 0 written; 69 the store cannot be
opened; 2 usage error. The export format is described in docs/executor.md.
`;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    {
      ...storeOptions,
      file: { type: "string" },
      format: { type: "string" },
      out: { type: "string" },
      "audit-key": { type: "string", multiple: true },
    },
    z.object({
      ...storeSchema,
      file: z.string().min(1).optional(),
      "audit-key": z
        .array(
          z
            .string()
            .regex(PUBLIC_KEY_PATTERN, { error: "must be ed25519:<base64>, as wsops keys list shows" }),
        )
        .optional(),
      format: z.enum(["jsonl"], { error: "must be jsonl" }).default("jsonl"),
      out: z.string().min(1).optional(),
    }),
  );
  const [action, ...rest] = positionals;
  if (rest.length > 0 || (action !== "verify" && action !== "export"))
    throw new UsageError("say verify or export: wsops audit verify | wsops audit export");
  if (action === "verify" && (values.out || argv.includes("--format")))
    throw new UsageError("--out and --format belong to audit export");
  if (action === "export" && values.file) throw new UsageError("--file belongs to audit verify");
  if (action === "export" && values["audit-key"]) throw new UsageError("--audit-key belongs to audit verify");
  const given = values["audit-key"] ?? [];

  if (action === "verify" && values.file) {
    const path = resolve(values.file);
    return report(
      io,
      values.json,
      await verifyExportFile(path, { headKeys: given }),
      `export ${path}`,
      (position) => `line ${position + 1}`,
    );
  }
  const selection = storeSelectionOf(values);
  const store = await openStore(selection);
  try {
    if (action === "verify") {
      const own = auditPublicKey(store.location);
      return report(
        io,
        values.json,
        await store.verifyAudit({ headKeys: given.length > 0 ? given : own ? [own] : [] }),
        describeStore(selection),
        (position) => `record ${position}`,
      );
    }
    return await exportTo(io, store, values.out ? resolve(values.out) : null, values.json);
  } finally {
    await store.close();
  }
}

function report(
  io: Io,
  json: boolean | undefined,
  verdict: AuditVerification,
  where: string,
  place: (position: number) => string,
): number {
  if (json) io.stdout(`${JSON.stringify({ ...verdict, store: where }, null, 2)}\n`);
  else if (verdict.ok) {
    const signature = verdict.signature;
    const signed = !signature
      ? "; the head is not signed (no audit key)"
      : signature.verified
        ? `; the head is signed by ${signature.publicKey}, verified`
        : `; the head is signed by ${signature.publicKey}, NOT checked: give its public key with --audit-key`;
    io.stdout(`audit log intact: ${verdict.records} records, head ${verdict.head}${signed} (${where})\n`);
  } else {
    const { seq, position, code, message } = verdict.firstBad;
    const at = `${place(position)}${seq !== null ? ` (seq ${seq})` : ""}`;
    io.stdout(`audit log BROKEN at ${at}: ${code}: ${message} (${where})\n`);
  }
  return verdict.ok ? ExitCode.ok : ExitCode.problems;
}

/** To stdout, or to FILE through a temporary file renamed at the end: never a half-written export. */
async function exportTo(
  io: Io,
  store: Awaited<ReturnType<typeof openStore>>,
  out: string | null,
  json: boolean | undefined,
): Promise<number> {
  let header: { records: number; head: { seq: number; hash: string } } | null = null;
  const capture = (chunk: string) => {
    header ??= JSON.parse(chunk.slice(0, chunk.indexOf("\n")));
  };
  if (out === null) {
    if (json)
      throw new UsageError(
        "--json reports on an export written with --out FILE; without it the export is the output",
      );
    for await (const chunk of store.exportAudit()) {
      capture(chunk);
      io.stdout(chunk);
    }
    return ExitCode.ok;
  }
  const temporary = `${out}.tmp-${process.pid}`;
  const file = createWriteStream(temporary, { flags: "wx" });
  try {
    for await (const chunk of store.exportAudit()) {
      capture(chunk);
      if (!file.write(chunk)) await new Promise<void>((drained) => file.once("drain", () => drained()));
    }
    await new Promise<void>((done, failed) =>
      file.end((error?: Error | null) => (error ? failed(error) : done())),
    );
    await rename(temporary, out);
  } catch (error) {
    file.destroy();
    await rm(temporary, { force: true });
    throw error;
  }
  const { records, head } = header as unknown as { records: number; head: { hash: string } };
  if (json) io.stdout(`${JSON.stringify({ out, records, head }, null, 2)}\n`);
  else io.stderr(`exported ${records} audit records to ${out} (head ${head.hash})\n`);
  return ExitCode.ok;
}
