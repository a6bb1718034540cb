// Where the PostgreSQL tests run: the server named by WSOPS_TEST_PG_URL (see tools/pg/start.mjs). Without
// it the suites skip, loudly — unless WSOPS_REQUIRE_PG=1 (CI), when a missing server fails them.
// Each test file gets a fresh database, each test a fresh schema in it.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const testServerUrl = process.env.WSOPS_TEST_PG_URL || null;

/** Call at the top of a test file: true when its PostgreSQL tests can run. */
export function postgresAvailable(suite: string): boolean {
  if (testServerUrl) return true;
  if (process.env.WSOPS_REQUIRE_PG === "1")
    throw new Error(
      `${suite}: WSOPS_REQUIRE_PG=1 but WSOPS_TEST_PG_URL is not set; start a server with npm run pg:start`,
    );
  console.warn(
    `\n*** ${suite}: SKIPPED — no PostgreSQL server. Run \`npm run pg:start\` and export the WSOPS_TEST_PG_URL it prints. ***\n`,
  );
  return false;
}

const name = (prefix: string) => `${prefix}_${randomBytes(6).toString("hex")}`;

/** A new, empty database on the test server; its URL, and a function that drops it. */
export async function freshDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!testServerUrl) throw new Error("no WSOPS_TEST_PG_URL");
  const database = name("wsops_test");
  const admin = new pg.Client({ connectionString: testServerUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${database}`);
  } finally {
    await admin.end();
  }
  const url = new URL(testServerUrl);
  url.pathname = `/${database}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: testServerUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** `databaseUrl` with a new schema name: a store opened on it starts empty. */
export function freshSchemaUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("schema", name("t"));
  return url.toString();
}
