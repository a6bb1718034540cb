// Signed approvals end to end in the executor: who may approve is the profile's approvers list, a
// resolution is signed over the request's digest, and the approval is checked again right before the
// call runs — on the resuming side and on the waiting side — so that an edit of the database in
// between (a forged resolution, a changed request) ends the call denied with nothing run.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApprovalResolution, Principal, ToolExecutionResult } from "@workspace-ops/contracts";
import { publicKeyText } from "@workspace-ops/signing";
import { describe, expect, it } from "vitest";
import { Executor } from "./executor.js";
import { signDelegation, signResolution } from "./signing/approval-signature.js";
import { createApproverKey, type LoadedKey, loadApproverKey } from "./signing/key-names.js";
import { alice, operation, profile, T0, toolCall } from "./testing/payloads.js";

const bob = { type: "user", id: "bob" } as const;
const carol = { type: "user", id: "carol" } as const;
const ghp = `ghp_${"Zq8Rt2Lm5Np7".repeat(3)}`;

/** Real key files in a config directory of the test's own. */
async function keysFor(...principals: Principal[]) {
  const env = { XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), "wsops-keys-")) };
  const keys = new Map<string, LoadedKey>();
  for (const principal of principals) {
    await createApproverKey(principal, env);
    keys.set(principal.id, await loadApproverKey(principal, undefined, env));
  }
  return (principal: Principal) => keys.get(principal.id) as LoadedKey;
}

async function open(approvers: { principal: Principal; publicKey: string }[] | null) {
  const workspaceRoot = mkdtempSync(join(tmpdir(), "wsops-signed-"));
  writeFileSync(join(workspaceRoot, "notes.txt"), "hello\n");
  const executor = await Executor.open({
    workspaceRoot,
    mode: "governed",
    now: () => new Date(T0),
    sandbox: { backend: "process" },
  });
  await executor.submit(operation("agent_machine.profile.create", profile(approvers ? { approvers } : {})));
  return { executor, workspaceRoot, db: join(executor.context.stateDir, "state.db") };
}

async function parked(executor: Executor, argv = ["rm", "notes.txt"]) {
  const pending = await executor.exec(toolCall(argv));
  if (pending.kind !== "pending") throw new Error(`expected pending, got ${JSON.stringify(pending)}`);
  return pending;
}

/** alice's approval of a parked call, as her own machine would make it: for the digest the approval names. */
async function approvalOf(
  executor: Executor,
  pending: { toolExecutionId: string; approvalRequestId: string },
): Promise<ApprovalResolution> {
  const approval = (await executor.records(pending.toolExecutionId)).find(
    (r) => r.type === "approval_request",
  )?.data as { requestDigest: string };
  return {
    kind: "ApprovalResolution",
    apiVersion: "workspace-ops.dev/v1",
    approvalRequestId: pending.approvalRequestId,
    resolution: "approved",
    resolvedBy: alice,
    resolvedAt: T0,
    requestDigest: approval.requestDigest,
  };
}

const resultOf = (outcome: unknown) => (outcome as { result: ToolExecutionResult }).result;

/** SQL through the sqlite3 shell: what anyone who can write the state directory can do. */
const sqlite = (db: string, sql: string) => execFileSync("sqlite3", [db, sql], { encoding: "utf8" });

describe("signed approvals, where the profile names approvers", () => {
  it("runs a call approved with a listed approver's key, and every record says it was signed", async () => {
    const key = await keysFor(alice);
    const { executor, workspaceRoot } = await open([{ principal: alice, publicKey: key(alice).publicKey }]);
    const pending = await parked(executor);
    const approved = await executor.approve(pending.approvalRequestId, alice, { key: key(alice) });
    expect(approved).toMatchObject({
      ok: true,
      signed: true,
      resolution: {
        resolution: "approved",
        resolvedBy: alice,
        requestDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        signature: { algorithm: "ed25519", publicKey: key(alice).publicKey, value: expect.any(String) },
      },
    });
    const result = resultOf(await executor.resume(pending.toolExecutionId));
    expect(result).toMatchObject({
      outcome: "succeeded",
      approval: { resolution: "approved", resolvedBy: alice, signed: true, publicKey: key(alice).publicKey },
    });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(false);
    const records = await executor.records(pending.toolExecutionId);
    const approval = records.find((r) => r.type === "approval_request")?.data as { requestDigest: string };
    expect((approved as { resolution: ApprovalResolution }).resolution.requestDigest).toBe(
      approval.requestDigest,
    );
    expect(
      records.find((r) => r.type === "transition" && (r.data as { to: string }).to === "approved")?.data,
    ).toEqual({
      from: "awaiting_approval",
      to: "approved",
      approvalRequestId: pending.approvalRequestId,
      signed: true,
    });
    await executor.close();
  });

  it("refuses an unsigned resolution, another principal's key and an approver not listed, and records each refusal", async () => {
    const key = await keysFor(alice, bob, carol);
    const { executor, workspaceRoot } = await open([
      { principal: alice, publicKey: key(alice).publicKey },
      { principal: bob, publicKey: key(bob).publicKey },
    ]);
    const { approvalRequestId, toolExecutionId } = await parked(executor);
    const refusals = [
      await executor.approve(approvalRequestId, alice),
      await executor.approve(approvalRequestId, alice, { key: key(bob) }),
      await executor.approve(approvalRequestId, carol, { key: key(carol) }),
      await executor.deny(approvalRequestId, alice),
    ].map((r) => (r.ok ? "accepted" : [r.error.code, r.error.message]));
    expect(refusals).toEqual([
      [
        "approval_unsigned",
        `the profile names approvers, so the resolution of ${approvalRequestId} must be signed: wsops approve ${approvalRequestId} --by user:alice with user:alice's key (wsops keys create --principal user:alice)`,
      ],
      [
        "approver_not_listed",
        `the resolution of ${approvalRequestId} is signed with ${key(bob).publicKey}, which the profile does not list for user:alice`,
      ],
      ["approver_not_listed", "user:carol is not among the profile's approvers"],
      [
        "approval_unsigned",
        `the profile names approvers, so the resolution of ${approvalRequestId} must be signed: wsops deny ${approvalRequestId} --by user:alice with user:alice's key (wsops keys create --principal user:alice)`,
      ],
    ]);
    expect(await executor.status(toolExecutionId)).toMatchObject({ state: "awaiting_approval" });
    const refused = (await executor.context.store.readAudit({ limit: 1000 })).filter(
      (r) => r.type === "approval_refused",
    );
    expect(refused.map((r) => (r.data as { reasons: { code: string }[] }).reasons[0]?.code)).toEqual([
      "approval_unsigned",
      "approver_not_listed",
      "approver_not_listed",
      "approval_unsigned",
    ]);
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);
    await executor.close();
  });

  it("refuses a signature that does not verify, and one made for another request", async () => {
    const key = await keysFor(alice);
    const { executor } = await open([{ principal: alice, publicKey: key(alice).publicKey }]);
    // Signed elsewhere (on the approver's own machine, say), then submitted.
    const base = await approvalOf(executor, await parked(executor));
    const altered = { ...signResolution(base, key(alice)), resolvedAt: "2026-11-21T12:00:01Z" };
    const elsewhere = signResolution({ ...base, requestDigest: `sha256:${"1".repeat(64)}` }, key(alice));
    const verdicts = [await executor.resolve(altered), await executor.resolve(elsewhere)].map((r) =>
      r.ok ? "accepted" : r.error.code,
    );
    expect(verdicts).toEqual(["approval_bad_signature", "request_changed"]);
    expect(await executor.resolve(signResolution(base, key(alice)))).toMatchObject({
      ok: true,
      signed: true,
    });
    await executor.close();
  });

  it("ends a call denied when its request was edited in the database after it was approved", async () => {
    const key = await keysFor(alice);
    const { executor, workspaceRoot, db } = await open([
      { principal: alice, publicKey: key(alice).publicKey },
    ]);
    writeFileSync(join(workspaceRoot, "precious.txt"), "keep me\n");
    const pending = await parked(executor);
    await executor.approve(pending.approvalRequestId, alice, { key: key(alice) });
    sqlite(
      db,
      `UPDATE records SET data = json_set(data, '$.request.tool.argv[1]', 'precious.txt') WHERE stream = '${pending.toolExecutionId}' AND type = 'request'`,
    );
    const result = resultOf(await executor.resume(pending.toolExecutionId));
    expect(result).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "request_changed", policy: "executor" }],
      approval: { resolution: "approved", resolvedBy: alice, signed: false },
    });
    expect(result.reasons?.[0]?.message).toMatch(/^the request is not the one approval apr-.* was asked for/);
    expect([
      existsSync(join(workspaceRoot, "precious.txt")),
      existsSync(join(workspaceRoot, "notes.txt")),
    ]).toEqual([true, true]);
    await executor.close();
  });

  it("on the waiting side too: a resolution forged in the database ends the waiting call denied", async () => {
    const key = await keysFor(alice);
    const { executor, workspaceRoot, db } = await open([
      { principal: alice, publicKey: key(alice).publicKey },
    ]);
    const request = toolCall(["rm", "notes.txt"]);
    const waiting = executor.exec(request, { wait: true, waitTimeoutMs: 20_000 });
    const id = request.toolExecutionId;
    for (let i = 0; (await executor.status(id))?.state !== "awaiting_approval"; i++) {
      if (i > 200) throw new Error("the call never parked");
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const { approvalRequestId, records } = (await executor.status(id)) as {
      approvalRequestId: string;
      records: number;
    };
    const forged = JSON.stringify({
      kind: "ApprovalResolution",
      apiVersion: "workspace-ops.dev/v1",
      approvalRequestId,
      resolution: "approved",
      resolvedBy: alice,
      resolvedAt: T0,
    });
    sqlite(
      db,
      [
        `INSERT INTO records (stream, seq, at, type, data) VALUES ('${id}', ${records + 1}, '${T0}', 'approval_resolution', '${forged}')`,
        `INSERT INTO records (stream, seq, at, type, data) VALUES ('${id}', ${records + 2}, '${T0}', 'transition', '{"from":"awaiting_approval","to":"approved"}')`,
        `UPDATE streams SET state = 'approved', last_seq = ${records + 2} WHERE stream = '${id}'`,
        `UPDATE approvals SET state = 'approved', resolved_by = 'user:alice' WHERE approval_request_id = '${approvalRequestId}'`,
      ].join("; "),
    );
    const result = resultOf(await waiting);
    expect(result).toMatchObject({
      outcome: "denied",
      reasons: [{ code: "approval_unsigned" }],
      approval: { resolvedBy: alice, signed: false },
    });
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);
    await executor.close();
  });
});

describe("approvals where the profile names no approvers", () => {
  it("accept an unsigned resolution, and say signed: false", async () => {
    const { executor } = await open(null);
    const pending = await parked(executor);
    expect(await executor.approve(pending.approvalRequestId, alice)).toMatchObject({
      ok: true,
      signed: false,
    });
    expect(resultOf(await executor.resume(pending.toolExecutionId))).toMatchObject({
      outcome: "succeeded",
      approval: { resolution: "approved", resolvedBy: alice, signed: false },
    });
    await executor.close();
  });

  it("still refuse a signature that does not verify", async () => {
    const key = await keysFor(alice);
    const { executor } = await open(null);
    const signed = signResolution(await approvalOf(executor, await parked(executor)), key(alice));
    expect(await executor.resolve({ ...signed, resolvedBy: bob })).toMatchObject({
      ok: false,
      error: { code: "approval_bad_signature" },
    });
    await executor.close();
  });
});

describe("a request that was redacted when it was stored", () => {
  it("cannot be run from storage; the waiting caller runs the original, and so does a resubmission", async () => {
    const { executor, workspaceRoot } = await open(null);
    writeFileSync(join(workspaceRoot, ghp), "a file whose name looks like a token\n");
    const pending = await parked(executor, ["rm", ghp]);
    const stored = (await executor.records(pending.toolExecutionId)).find((r) => r.type === "request")?.data;
    expect(stored).toMatchObject({ request: { tool: { argv: ["rm", "[REDACTED:github-token]"] } } });
    await executor.approve(pending.approvalRequestId, alice);
    expect(await executor.resume(pending.toolExecutionId)).toEqual({
      kind: "rejected",
      error: {
        code: "request_redacted",
        message: `the stored request of ${pending.toolExecutionId} was redacted (github-token), so it cannot be run from storage: resubmit the same request (wsops resume ${pending.toolExecutionId} --request FILE)`,
        pointer: "",
      },
    });
    // A resubmission that is not the same request is refused by the digest.
    const original = toolCall(["rm", ghp], { id: pending.toolExecutionId });
    const changed = resultOf(
      await executor.resume(pending.toolExecutionId, {
        request: { ...original, requestedAt: "2026-11-21T12:00:09Z" },
      }),
    );
    expect(changed).toMatchObject({ outcome: "denied", reasons: [{ code: "request_changed" }] });
    expect(existsSync(join(workspaceRoot, ghp))).toBe(true);

    const second = await parked(executor, ["rm", ghp]);
    await executor.approve(second.approvalRequestId, alice);
    const request = (await executor.records(second.toolExecutionId)).find((r) => r.type === "request")
      ?.data as {
      request: { requestedAt: string };
    };
    const resubmitted = toolCall(["rm", ghp], { id: second.toolExecutionId });
    expect(resubmitted.requestedAt).toBe(request.request.requestedAt);
    const ran = resultOf(await executor.resume(second.toolExecutionId, { request: resubmitted }));
    expect(ran).toMatchObject({ outcome: "succeeded", approval: { signed: false } });
    expect(existsSync(join(workspaceRoot, ghp))).toBe(false);
    await executor.close();
  });

  it("refuses a resubmission of another kind or id, and runs nothing", async () => {
    const { executor, workspaceRoot } = await open(null);
    const pending = await parked(executor);
    await executor.approve(pending.approvalRequestId, alice);
    const refused = [
      await executor.resume(pending.toolExecutionId, {
        request: operation("agent_machine.profile.create", profile()),
      }),
      await executor.resume(pending.toolExecutionId, { request: toolCall(["rm", "notes.txt"]) }),
      await executor.resume(pending.toolExecutionId, { request: { kind: "ToolExecutionRequest" } }),
    ].map((r) => ("error" in r ? [r.error.code, r.error.message] : r.kind));
    expect(refused).toEqual([
      ["request_invalid", `${pending.toolExecutionId} is a tool call: resubmit it as a ToolExecutionRequest`],
      ["request_invalid", `the request resubmitted is not tool execution ${pending.toolExecutionId}`],
      ["request_invalid", "the request resubmitted is not a valid ToolExecutionRequest"],
    ]);
    expect(existsSync(join(workspaceRoot, "notes.txt"))).toBe(true);
    await executor.close();
  });

  it("is run by the caller that waited for it, from the request it holds", async () => {
    const { executor, workspaceRoot } = await open(null);
    writeFileSync(join(workspaceRoot, ghp), "x\n");
    const request = toolCall(["rm", ghp]);
    const waiting = executor.exec(request, { wait: true, waitTimeoutMs: 20_000 });
    let approvalRequestId: string | undefined;
    for (let i = 0; !approvalRequestId; i++) {
      if (i > 200) throw new Error("the call never parked");
      await new Promise((resolve) => setTimeout(resolve, 25));
      approvalRequestId = (await executor.status(request.toolExecutionId))?.approvalRequestId;
    }
    await executor.approve(approvalRequestId, alice);
    expect(resultOf(await waiting)).toMatchObject({ outcome: "succeeded", approval: { signed: false } });
    expect(existsSync(join(workspaceRoot, ghp))).toBe(false);
    await executor.close();
  });
});

describe("resolutions made through a server (a delegation to a session key)", () => {
  /** A session key the server holds, and alice's delegation to it, signed with her own key. */
  async function delegated(key: LoadedKey, principal: Principal = alice, window = { from: -60, to: 3600 }) {
    const pair = generateKeyPairSync("ed25519");
    const session: LoadedKey = {
      privateKey: pair.privateKey,
      publicKey: publicKeyText(pair.publicKey),
      path: "",
    };
    const at = (s: number) => new Date(Date.parse(T0) + s * 1000).toISOString();
    const delegation = signDelegation(
      {
        principal,
        delegate: session.publicKey,
        audience: "http://127.0.0.1:7420",
        nonce: "n0nce-for-the-test-0001",
        issuedAt: at(window.from),
        expiresAt: at(window.to),
      },
      key,
    );
    return { session, delegation };
  }

  it("holds when alice's listed key delegated to the key that signed; the result names alice's key", async () => {
    const key = await keysFor(alice);
    const { executor } = await open([{ principal: alice, publicKey: key(alice).publicKey }]);
    const pending = await parked(executor);
    const { session, delegation } = await delegated(key(alice));
    const resolved = await executor.resolve({
      ...signResolution(await approvalOf(executor, pending), session),
      delegation,
    });
    expect(resolved).toMatchObject({ ok: true, signed: true });
    const result = resultOf(await executor.resume(pending.toolExecutionId));
    expect(result).toMatchObject({
      outcome: "succeeded",
      approval: { resolvedBy: alice, signed: true, publicKey: key(alice).publicKey },
    });
    await executor.close();
  });

  it("refuses a delegation by another principal, to another key, out of its time, or by a key not listed", async () => {
    const key = await keysFor(alice, bob);
    const { executor } = await open([{ principal: alice, publicKey: key(alice).publicKey }]);
    const pending = await parked(executor);
    const base = await approvalOf(executor, pending);
    const ok = await delegated(key(alice));
    const bobs = await delegated(key(bob), bob);
    const late = await delegated(key(alice), alice, { from: -7200, to: -3600 });
    const other = await delegated(key(alice));
    const attempts = [
      // bob delegated, the resolution claims alice.
      { ...signResolution(base, bobs.session), delegation: bobs.delegation },
      // alice delegated to one key, another key signed.
      { ...signResolution(base, other.session), delegation: ok.delegation },
      // the delegation had expired when the resolution was made.
      { ...signResolution(base, late.session), delegation: late.delegation },
      // alice's delegation, edited to last longer: its signature no longer verifies.
      {
        ...signResolution(base, ok.session),
        delegation: { ...ok.delegation, expiresAt: "2030-01-01T00:00:00Z" },
      },
      // bob's own key, delegated and used as bob: bob is not an approver.
      { ...signResolution({ ...base, resolvedBy: bob }, bobs.session), delegation: bobs.delegation },
    ];
    const codes = [];
    for (const attempt of attempts) {
      const outcome = await executor.resolve(attempt);
      codes.push(outcome.ok ? "accepted" : outcome.error.code);
    }
    expect(codes).toEqual([
      "delegation_invalid",
      "delegation_invalid",
      "delegation_invalid",
      "approval_bad_signature",
      "approver_not_listed",
    ]);
    expect(await executor.status(pending.toolExecutionId)).toMatchObject({ state: "awaiting_approval" });
    await executor.close();
  });

  it("refuses a resolution recorded after its delegation ended, whatever time it claims", async () => {
    const key = await keysFor(alice);
    const { executor } = await open([{ principal: alice, publicKey: key(alice).publicKey }]);
    const pending = await parked(executor);
    // Valid from an hour ago until two minutes ago; the resolution claims a time inside that window.
    const ended = await delegated(key(alice), alice, { from: -3600, to: -120 });
    const base = {
      ...(await approvalOf(executor, pending)),
      resolvedAt: new Date(Date.parse(T0) - 600_000).toISOString(),
    };
    const outcome = await executor.resolve({
      ...signResolution(base, ended.session),
      delegation: ended.delegation,
    });
    expect(outcome.ok ? "accepted" : [outcome.error.code, outcome.error.message]).toEqual([
      "delegation_invalid",
      `the delegation behind the resolution of ${pending.approvalRequestId} ended at ${ended.delegation.expiresAt}, before it was recorded`,
    ]);
    await executor.close();
  });
});
