// The Store conformance suite on PostgreSQL: a real server (WSOPS_TEST_PG_URL), a fresh database for this
// file and a fresh schema per test, tampering with the psql shell.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeStoreConformance } from "../../store/dist/testing/conformance.js";
import { openPostgresStore, parsePostgresUrl } from "./postgres-store.js";
import { freshDatabase, freshSchemaUrl, postgresAvailable } from "./testing/test-server.js";

/** psql takes the schema through PGOPTIONS: it does not know our ?schema= parameter. */
export function psql(url: string, sql: string): string {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get("schema");
  parsed.searchParams.delete("schema");
  return execFileSync("psql", [parsed.toString(), "-v", "ON_ERROR_STOP=1", "-q", "-t", "-A", "-c", sql], {
    encoding: "utf8",
    env: { ...process.env, PGOPTIONS: schema ? `-c search_path=${schema}` : "" },
  });
}

const WORKER_NAME = "wsops-conformance-worker";

describe.runIf(postgresAvailable("@workspace-ops/store-postgres"))("postgres", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const urls = new Map<unknown, string>();
  beforeAll(async () => {
    database = await freshDatabase();
  });
  afterAll(() => database?.drop());

  describeStoreConformance({
    name: "postgres",
    open: async (options) => {
      const url = freshSchemaUrl(database.url);
      const store = await openPostgresStore(url, options);
      urls.set(store, url);
      return store;
    },
    reopen: async (store, options) => {
      const url = urls.get(store) as string;
      const other = await openPostgresStore(url, options);
      urls.set(other, url);
      return other;
    },
    tamper: async (store, sql) => {
      psql(urls.get(store) as string, sql);
    },
    worker: fileURLToPath(new URL("./testing/postgres-worker.mjs", import.meta.url)),
    // Workers connect under their own application_name, so that settled can tell their backends apart.
    connection: (store) => {
      const url = new URL(urls.get(store) as string);
      url.searchParams.set("application_name", WORKER_NAME);
      return url.toString();
    },
    settled: async (store) => {
      // A killed worker's backend first runs what it had received (a COMMIT in flight), then meets
      // the closed socket and goes: once none is left, nothing more can land.
      const left = `SELECT count(*) FROM pg_stat_activity WHERE application_name = '${WORKER_NAME}'`;
      for (let tries = 0; tries < 500; tries++) {
        if (psql(urls.get(store) as string, left).trim() === "0") return;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      throw new Error("a killed worker's backend is still there after 5 s");
    },
  });

  describe("postgres store: the database", () => {
    it("records its schema version, applies migrations once when several executors start at once", async () => {
      const url = freshSchemaUrl(database.url);
      const stores = await Promise.all(Array.from({ length: 4 }, () => openPostgresStore(url)));
      expect(psql(url, "SELECT version FROM wsops_schema_migrations ORDER BY version").trim()).toBe(
        "1\n2\n3",
      );
      expect(psql(url, "SHOW synchronous_commit").trim()).toBe("on");
      await Promise.all(stores.map((s) => s.close()));
    });

    it("sets synchronous_commit by durability, on its own connections only", async () => {
      const url = freshSchemaUrl(database.url);
      const full = await openPostgresStore(url);
      const relaxed = await openPostgresStore(url, { durability: "relaxed" });
      const setting = async (store: unknown) =>
        (await (store as { pool: import("pg").Pool }).pool.query("SHOW synchronous_commit")).rows[0]
          .synchronous_commit;
      expect({
        full: await setting(full),
        relaxed: await setting(relaxed),
        durability: relaxed.durability,
      }).toEqual({
        full: "on",
        relaxed: "off",
        durability: "relaxed",
      });
      await full.close();
      await relaxed.close();
    });

    it("detects a TRUNCATE of the audit table", async () => {
      const url = freshSchemaUrl(database.url);
      const store = await openPostgresStore(url);
      await store.commit({
        audit: [
          { type: "t", subject: "-", data: 1 },
          { type: "t", subject: "-", data: 2 },
        ],
      });
      psql(url, "TRUNCATE audit");
      expect(await store.verifyAudit()).toMatchObject({ ok: false, firstBad: { seq: 1, code: "truncated" } });
      await store.close();
    });

    it("brings a database of schema 1 up to 3, keeping its log", async () => {
      const url = freshSchemaUrl(database.url);
      const store = await openPostgresStore(url);
      await store.commit({ audit: [{ type: "t", subject: "-", data: 1 }] });
      await store.close();
      psql(
        url,
        // Undo migrations 3 (usage reservations) and 2 (the head's signature).
        "DROP TABLE usage_reservations; DROP INDEX usage_by_entry; " +
          "ALTER TABLE usage DROP COLUMN entry, DROP COLUMN tokens, DROP COLUMN cost_micro_usd, DROP COLUMN requests; " +
          "ALTER TABLE audit_head DROP COLUMN signature; DELETE FROM wsops_schema_migrations WHERE version >= 2",
      );
      const upgraded = await openPostgresStore(url);
      expect(psql(url, "SELECT version FROM wsops_schema_migrations ORDER BY version").trim()).toBe(
        "1\n2\n3",
      );
      expect(await upgraded.verifyAudit()).toMatchObject({ ok: true, records: 1 });
      await upgraded.close();
    });

    it("refuses a database whose schema is newer than it knows", async () => {
      const url = freshSchemaUrl(database.url);
      await (await openPostgresStore(url)).close();
      psql(url, "INSERT INTO wsops_schema_migrations (version) VALUES (99)");
      await expect(openPostgresStore(url)).rejects.toMatchObject({
        code: "schema_unknown",
        message: "the database has schema version 99; this version of @workspace-ops/store-postgres knows 3",
      });
    });

    it("parses its URL: postgres and postgresql, a schema, no password in its location", () => {
      expect(
        parsePostgresUrl("postgresql://u:secret@db.example:6543/ops?schema=team_a&sslmode=require"),
      ).toEqual({
        connectionString: "postgresql://u:secret@db.example:6543/ops?sslmode=require",
        schema: "team_a",
        location: "postgresql://u:***@db.example:6543/ops?schema=team_a&sslmode=require",
      });
      expect(() => parsePostgresUrl("postgres://h/db?schema=Bad-Name")).toThrow(
        'schema "Bad-Name" must match',
      );
      expect(() => parsePostgresUrl("mysql://h/db")).toThrow(
        "not a postgres:// or postgresql:// URL: mysql:",
      );
    });

    it("takes a schema named like a keyword", async () => {
      const url = new URL(database.url);
      url.searchParams.set("schema", "user");
      const store = await openPostgresStore(url.toString());
      await store.commit({ audit: [{ type: "t", subject: "-", data: 1 }] });
      expect(psql(url.toString(), 'SELECT count(*) FROM "user".audit').trim()).toBe("1");
      await store.close();
    });

    it("fails with `unavailable`, naming the server, when nothing listens there", async () => {
      await expect(openPostgresStore("postgres://nobody@127.0.0.1:1/none")).rejects.toMatchObject({
        code: "unavailable",
        message: expect.stringContaining(
          "cannot open the PostgreSQL store postgres://nobody@127.0.0.1:1/none",
        ),
      });
    });
  });
});
