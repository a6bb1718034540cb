// agent_machine.diagnostics.export_redacted: a bundle of the store — every call's and operation's
// records and the audit log — with every entry redacted by @workspace-ops/redact, validated as an
// AgentMachineDiagnosticBundle before it is written to <state>/exports/.
import { createHash } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { type AgentMachineDiagnosticBundle, errorsInOneLine, validate } from "@workspace-ops/contracts";
import { redactText } from "@workspace-ops/redact";
import type { Store } from "@workspace-ops/store";

const MAX_ENTRY_CHARS = 1024 * 1024;
/** The contract allows 1000 entries: the audit log and the 999 most recent streams. */
const MAX_STREAMS = 999;

const jsonl = (values: readonly unknown[]) => values.map((v) => `${JSON.stringify(v)}\n`).join("");

/** The text of every entry, newest streams first: the audit log (its last MiB), then each stream's records. */
async function entries(store: Store): Promise<{ path: string; text: string }[]> {
  let audit = "";
  for await (const chunk of store.exportAudit()) {
    audit += chunk;
    if (audit.length > 2 * MAX_ENTRY_CHARS) audit = audit.slice(audit.length - MAX_ENTRY_CHARS);
  }
  const out = [{ path: "audit.jsonl", text: audit }];
  const streams = [];
  for (let before: { createdAt: string; stream: string } | undefined; streams.length < MAX_STREAMS; ) {
    const page = await store.listStreams({
      limit: Math.min(1000, MAX_STREAMS - streams.length),
      ...(before ? { before } : {}),
    });
    streams.push(...page);
    const last = page.at(-1);
    if (!last || page.length < 1000) break;
    before = { createdAt: last.createdAt, stream: last.stream };
  }
  for (const { stream } of streams)
    out.push({ path: `streams/${stream}.jsonl`, text: jsonl(await store.read(stream)) });
  return out;
}

export async function exportDiagnostics(options: {
  store: Store;
  stateDir: string;
  workspaceId: string;
  bundleId: string;
  now: Date;
}): Promise<{ path: string; bundle: AgentMachineDiagnosticBundle }> {
  const totals = new Map<string, number>();
  const bundled = [];
  for (const { path, text: raw } of await entries(options.store)) {
    const { text, report } = redactText(
      raw.length > MAX_ENTRY_CHARS ? raw.slice(raw.length - MAX_ENTRY_CHARS) : raw,
    );
    for (const r of report.rules) totals.set(r.rule, (totals.get(r.rule) ?? 0) + r.count);
    bundled.push({
      path,
      contentType: "application/x-ndjson",
      content: text,
      digest: `sha256:${createHash("sha256").update(text).digest("hex")}`,
    });
  }
  const rules = [...totals].sort(([a], [b]) => a.localeCompare(b)).map(([rule, count]) => ({ rule, count }));
  const { report } = redactText("");
  const candidate = {
    kind: "AgentMachineDiagnosticBundle",
    apiVersion: "workspace-ops.dev/v1",
    bundleId: options.bundleId,
    createdAt: options.now.toISOString(),
    workspaceId: options.workspaceId,
    entries: bundled,
    redaction: { ...report, rules, totalRedactions: rules.reduce((n, r) => n + r.count, 0) },
    redacted: true,
  };
  const checked = validate("AgentMachineDiagnosticBundle", candidate);
  if (!checked.ok) throw new Error(`diagnostic bundle is invalid: ${errorsInOneLine(checked.errors)}`);
  const dir = join(options.stateDir, "exports");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${options.bundleId}.json`);
  await writeFile(`${path}.tmp`, `${JSON.stringify(checked.value, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return { path, bundle: checked.value };
}
