// The write boundary: whatever the executor writes or emits is redacted on its way out — records, the
// audit log, the result it returns, the events its sinks get — while the caller's live output is the
// command's own; and with an audit key every commit signs the audit head.
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OperationLifecycleEvent } from "@workspace-ops/contracts";
import { createKeyFiles } from "@workspace-ops/signing";
import { describe, expect, it } from "vitest";
import { Executor, type ExecutorOptions } from "./executor.js";
import { T0, toolCall } from "./testing/payloads.js";

const ghp = `ghp_${"Pq7Xw3Vb9Kd2".repeat(3)}`;

async function open(extra: Partial<ExecutorOptions> = {}) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-boundary-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), `deploy with token=${ghp}\n`);
  const events: OperationLifecycleEvent[] = [];
  const live: string[] = [];
  const executor = await Executor.open({
    workspaceRoot,
    mode: "governed",
    now: () => new Date(T0),
    sandbox: { backend: "process" },
    sinks: [(event) => void events.push(event)],
    onOutput: (_, chunk) => void live.push(chunk.toString()),
    ...extra,
  });
  return { executor, events, live, db: join(executor.context.stateDir, "state.db") };
}

describe("the write boundary", () => {
  it("stores, audits, returns and emits only redacted values; the live output is the command's own", async () => {
    const { executor, events, live, db } = await open();
    const outcome = await executor.exec(toolCall(["cat", "notes.txt"]));
    if (outcome.kind !== "finished") throw new Error(JSON.stringify(outcome));
    expect(live.join("")).toBe(`deploy with token=${ghp}\n`);
    expect(outcome.result.output?.stdout.preview).toBe("deploy with token=[REDACTED:github-token]\n");
    const records = await executor.records(outcome.result.toolExecutionId);
    expect(records.at(-1)).toMatchObject({
      type: "redaction",
      data: { records: [{ type: "result", rules: [{ rule: "github-token", count: 1 }] }] },
    });
    let exported = "";
    for await (const chunk of executor.context.store.exportAudit()) exported += chunk;
    // Sinks are delivered from a queue: close drains it.
    await executor.close();
    expect(events.length).toBe(2);
    const everything = [
      readFileSync(db, "latin1"),
      exported,
      JSON.stringify(events),
      JSON.stringify(outcome),
    ];
    expect(everything.map((text) => text.includes(ghp))).toEqual([false, false, false, false]);
    expect(exported).toContain('"type":"redaction"');
  });

  it("signs the audit head of every commit with the store's audit key, and leaves it unsigned without one", async () => {
    const keys = mkdtempSync(join(tmpdir(), "wsops-audit-key-"));
    const { privateKeyPath, publicKey } = await createKeyFiles(keys, "audit-test");
    const signed = await open({ auditKey: privateKeyPath });
    await signed.executor.exec(toolCall(["cat", "notes.txt"]));
    expect(await signed.executor.context.store.verifyAudit({ headKeys: [publicKey] })).toMatchObject({
      ok: true,
      signature: { publicKey, verified: true },
    });
    await signed.executor.close();

    const unsigned = await open({ auditKey: false });
    await unsigned.executor.exec(toolCall(["cat", "notes.txt"]));
    expect(await unsigned.executor.context.store.verifyAudit({ headKeys: [publicKey] })).toMatchObject({
      ok: false,
      firstBad: { code: "head_unsigned" },
    });
    await unsigned.executor.close();
  });

  it("refuses to open with an audit key file that cannot be used", async () => {
    const keys = mkdtempSync(join(tmpdir(), "wsops-audit-key-"));
    const file = join(keys, "audit.key");
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }) as string, { mode: 0o644 });
    await expect(open({ auditKey: file })).rejects.toMatchObject({ code: "key_permissions" });
    await expect(open({ auditKey: join(keys, "none.key") })).rejects.toMatchObject({ code: "key_not_found" });
  });
});
