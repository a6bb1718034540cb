// The Store conformance suite on SQLite: a fresh database file per test, tampering with the sqlite3 shell.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { describeStoreConformance } from "../testing/conformance.js";
import { openSqliteStore } from "./sqlite-store.js";

const root = mkdtempSync(join(tmpdir(), "wsops-sqlite-store-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const freshPath = () => join(mkdtempSync(join(root, "db-")), "state.db");

describeStoreConformance({
  name: "sqlite",
  open: (options) => openSqliteStore(freshPath(), options),
  reopen: (store, options) => openSqliteStore(store.location, options),
  tamper: async (store, sql) => {
    execFileSync("sqlite3", [store.location, sql], { stdio: ["ignore", "ignore", "inherit"] });
  },
  worker: fileURLToPath(new URL("../testing/sqlite-worker.mjs", import.meta.url)),
  connection: (store) => store.location,
});

describe("sqlite store: the database file", () => {
  it("uses WAL, fsyncs every commit under full and not under relaxed, and records its schema version", async () => {
    const path = freshPath();
    const full = await openSqliteStore(path);
    const settings = () => {
      const db = new Database(path, { readonly: true });
      try {
        return {
          journal: db.pragma("journal_mode", { simple: true }),
          version: db.pragma("user_version", { simple: true }),
        };
      } finally {
        db.close();
      }
    };
    expect(settings()).toEqual({ journal: "wal", version: 3 });
    expect({ backend: full.backend, durability: full.durability, location: full.location }).toEqual({
      backend: "sqlite",
      durability: "full",
      location: path,
    });
    const synchronous = (store: unknown) =>
      (store as { db: Database.Database }).db.pragma("synchronous", { simple: true });
    const relaxed = await openSqliteStore(path, { durability: "relaxed" });
    expect({ full: synchronous(full), relaxed: synchronous(relaxed) }).toEqual({ full: 2, relaxed: 1 });
    await full.close();
    await relaxed.close();
  });

  it("brings a database of schema 1 up to 3, keeping its log", async () => {
    const path = freshPath();
    const store = await openSqliteStore(path);
    await store.commit({ audit: [{ type: "t", subject: "-", data: 1 }] });
    await store.close();
    const db = new Database(path);
    // Undo migrations 3 (usage reservations) and 2 (the head's signature).
    db.exec(
      "DROP TABLE usage_reservations; DROP INDEX usage_by_entry; ALTER TABLE usage DROP COLUMN entry; ALTER TABLE usage DROP COLUMN tokens; ALTER TABLE usage DROP COLUMN cost_micro_usd; ALTER TABLE usage DROP COLUMN requests; " +
        "ALTER TABLE audit_head DROP COLUMN signature; PRAGMA user_version = 1",
    );
    db.close();
    const upgraded = await openSqliteStore(path);
    expect(await upgraded.verifyAudit()).toMatchObject({ ok: true, records: 1 });
    await upgraded.close();
    const after = new Database(path, { readonly: true });
    expect(after.pragma("user_version", { simple: true })).toBe(3);
    after.close();
  });

  it("refuses a database whose schema is newer than it knows, and creates missing directories", async () => {
    const path = join(mkdtempSync(join(root, "deep-")), "a", "b", "state.db");
    await (await openSqliteStore(path)).close();
    const db = new Database(path);
    db.pragma("user_version = 99");
    db.close();
    await expect(openSqliteStore(path)).rejects.toMatchObject({
      code: "schema_unknown",
      message: "the database has schema version 99; this version of @workspace-ops/store knows 3",
    });
  });
});
