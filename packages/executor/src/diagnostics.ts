// agent_machine.diagnostics.export_redacted: a bundle of the state directory with every entry
// redacted by @workspace-ops/redact, validated as an AgentMachineDiagnosticBundle before it is written.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { type AgentMachineDiagnosticBundle, validate } from "@workspace-ops/contracts";
import { redactText } from "@workspace-ops/redact";

const MAX_ENTRY_CHARS = 1024 * 1024;

async function files(dir: string, root = dir): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && !["exports", "claims"].includes(entry.name))
      out.push(...(await files(path, root)));
    else if (entry.isFile() && /\.(jsonl|json)$/.test(entry.name) && !entry.name.endsWith(".lock"))
      out.push(relative(root, path));
  }
  return out.sort();
}

export async function exportDiagnostics(options: {
  stateDir: string;
  workspaceId: string;
  bundleId: string;
  now: Date;
}): Promise<{ path: string; bundle: AgentMachineDiagnosticBundle }> {
  const totals = new Map<string, number>();
  const entries = [];
  for (const path of await files(options.stateDir)) {
    const raw = await readFile(join(options.stateDir, path), "utf8");
    const { text, report } = redactText(
      raw.length > MAX_ENTRY_CHARS ? raw.slice(raw.length - MAX_ENTRY_CHARS) : raw,
    );
    for (const r of report.rules) totals.set(r.rule, (totals.get(r.rule) ?? 0) + r.count);
    entries.push({
      path,
      contentType: path.endsWith(".jsonl") ? "application/x-ndjson" : "application/json",
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
    entries: entries.slice(0, 1000),
    redaction: { ...report, rules, totalRedactions: rules.reduce((n, r) => n + r.count, 0) },
    redacted: true,
  };
  const checked = validate("AgentMachineDiagnosticBundle", candidate);
  if (!checked.ok)
    throw new Error(
      `diagnostic bundle is invalid: ${checked.errors.map((e) => `${e.pointer} ${e.message}`).join("; ")}`,
    );
  const dir = join(options.stateDir, "exports");
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${options.bundleId}.json`);
  await writeFile(`${path}.tmp`, `${JSON.stringify(checked.value, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return { path, bundle: checked.value };
}
