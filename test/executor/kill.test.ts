// kill -9 at any point of a governed exec loses nothing acknowledged, on both stores and with both
// durability settings, and leaves every stream consistent: each commit is whole or absent.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore } from "@workspace-ops/executor";
import type { Store } from "@workspace-ops/store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  freshDatabase,
  freshSchemaUrl,
  postgresAvailable,
} from "../../packages/store-postgres/dist/testing/test-server.js";

const loop = new URL("./children/exec-loop.mjs", import.meta.url).pathname;
const afterRequest = ["request", "analysis", "decision", "transition", "event"];
const complete = [...afterRequest, "transition", "event", "result"];

/** Runs the loop until `acks` calls finished, then a random moment later kills it with SIGKILL. */
async function killMidLoop(url: string, durability: string, acks: number) {
  const workspace = mkdtempSync(join(tmpdir(), "wsops-kill-"));
  const child = spawn(process.execPath, [loop, workspace, url, durability], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (b) => (stdout += b));
  child.stderr.on("data", (b) => (stderr += b));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.on("exit", (_code, signal) => resolve(signal)),
  );
  while (stdout.split("\n").length <= acks) {
    if (child.exitCode !== null) throw new Error(`the loop ended early: ${stderr}`);
    await sleep(5);
  }
  await sleep(Math.random() * 8); // anywhere inside the next exec: before, between or after its commits
  child.kill("SIGKILL");
  expect(await exited).toBe("SIGKILL");
  return stdout.split("\n").slice(0, -1);
}

/** Kills the loop mid-call on the store at `url`, then checks that store with a fresh connection. */
async function killAndCheck(url: string, durability: string) {
  const acknowledged = await killMidLoop(url, durability, 40);
  const store = await openStore({ url, stateDir: "/nonexistent", durability: "full" });
  try {
    await checkAfterKill(store, acknowledged);
  } finally {
    await store.close();
  }
}

async function checkAfterKill(store: Store, acknowledged: string[]) {
  const streams = await store.listStreams({ kind: "tool_execution", limit: 1000 });
  const byId = new Map(streams.map((s) => [s.stream, s]));
  // Nothing acknowledged is lost: every acknowledged call is there, whole, succeeded.
  for (const id of acknowledged) {
    expect(byId.get(id)?.state, id).toBe("succeeded");
    expect(
      (await store.read(id)).map((r) => r.type),
      id,
    ).toEqual(complete);
  }
  // Every stream holds whole commits only: the first, or both; at most the one killed mid-run is running.
  const unfinished = [];
  for (const info of streams) {
    const types = (await store.read(info.stream)).map((r) => r.type);
    expect([afterRequest, complete], info.stream).toContainEqual(types);
    expect(info.state).toBe(types.length === complete.length ? "succeeded" : "running");
    if (info.state === "running") unfinished.push(info.stream);
  }
  expect(unfinished.length).toBeLessThanOrEqual(1);
  expect(streams.length - acknowledged.length).toBeLessThanOrEqual(1);
  expect(await store.verifyAudit()).toMatchObject({ ok: true });
  const audited = await store.readAudit({ limit: 1000 });
  expect(audited.filter((r) => r.subject.startsWith("texec-")).length).toBe(
    (streams.length - unfinished.length) * complete.length + unfinished.length * afterRequest.length,
  );
}

describe.each(["full", "relaxed"])("kill -9 of a governed exec loop, SQLite, durability %s", (durability) => {
  it("loses nothing acknowledged and leaves only whole commits", async () => {
    await killAndCheck(
      `sqlite:${join(mkdtempSync(join(tmpdir(), "wsops-kill-db-")), "state.db")}`,
      durability,
    );
  }, 60_000);
});

describe.runIf(postgresAvailable("kill -9 on PostgreSQL (test/executor/kill.test.ts)"))(
  "on PostgreSQL",
  () => {
    let database: Awaited<ReturnType<typeof freshDatabase>>;
    beforeAll(async () => {
      database = await freshDatabase();
    });
    afterAll(() => database?.drop());

    it.each(["full", "relaxed"])(
      "kill -9 of a governed exec loop, durability %s, loses nothing acknowledged",
      (durability) => killAndCheck(freshSchemaUrl(database.url), durability),
      60_000,
    );
  },
);
