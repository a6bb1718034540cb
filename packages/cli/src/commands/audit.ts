// audit verify | export: check the hash-chained audit log in either database, or write a copy that
// verifies on its own. Opens only the store — no executor, no policy.

import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { describeStore, openStore } from "@workspace-ops/executor";
import { type AuditVerification, verifyExportFile } from "@workspace-ops/store";
import { z } from "zod";
import { parseCommand } from "../args.js";
import { ExitCode } from "../exit-codes.js";
import { type Io, UsageError } from "../io.js";
import { storeHelp, storeOptions, storeSchema, storeSelectionOf } from "./executor-shared.js";

export const auditUsage = `Usage:
  wsops audit verify [--file EXPORT]       check the audit log (or an export file) and name the first bad record
  wsops audit export [--format jsonl] [--out FILE]
                                           write a copy that verifies on its own (default: to stdout)

Options:
  --workspace DIR      the workspace root (default: the current directory)
${storeHelp}
  --json               print machine-readable JSON

Exit codes: verify 0 intact, 1 names the first bad record; export 0 written; 69 the store cannot be
opened; 2 usage error. The export format is described in docs/executor.md.
`;

export async function auditCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommand(
    argv,
    { ...storeOptions, file: { type: "string" }, format: { type: "string" }, out: { type: "string" } },
    z.object({
      ...storeSchema,
      file: z.string().min(1).optional(),
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

  if (action === "verify" && values.file) {
    const path = resolve(values.file);
    return report(
      io,
      values.json,
      await verifyExportFile(path),
      `export ${path}`,
      (position) => `line ${position + 1}`,
    );
  }
  const selection = storeSelectionOf(values);
  const store = await openStore(selection);
  try {
    if (action === "verify")
      return report(
        io,
        values.json,
        await store.verifyAudit(),
        describeStore(selection),
        (position) => `record ${position}`,
      );
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
  else if (verdict.ok)
    io.stdout(`audit log intact: ${verdict.records} records, head ${verdict.head} (${where})\n`);
  else {
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
